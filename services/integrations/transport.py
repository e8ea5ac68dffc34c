"""The HTTP transport of webhook deliveries: it connects to the address it has just checked.

Checking a name and then letting the HTTP client resolve it again leaves a gap a DNS-rebinding
receiver can use (public for the check, 127.0.0.1 for the connection). This adapter resolves
and checks each request's host once, connects to that address, and keeps the name everywhere
else: the Host header, the TLS server name (SNI) and the certificate check.
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter

from . import domain


class PinnedAddressAdapter(HTTPAdapter):
    def __init__(self, policy: domain.TargetPolicy, resolver: domain.Resolver = domain.resolve, **kwargs):
        self.policy = policy
        self.resolver = resolver
        # Built here, through the ssl module as it is now: urllib3 would build its own from the
        # class it imported, which under eventlet recurses forever in SSLContext.minimum_version.
        self.tls = ssl.create_default_context()
        super().__init__(**kwargs)

    def send(self, request, **kwargs):
        """Raise domain.InvalidWebhook, before any connection, for a target the policy refuses."""
        target = domain.check_target(request.url, self.policy, self.resolver)
        request.pinned_address = target.addresses[0]
        request.headers["Host"] = urlsplit(request.url).netloc
        return super().send(request, **kwargs)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        name = host_params["host"]
        host_params = {**host_params, "host": request.pinned_address}
        if host_params["scheme"] == "https":
            pool_kwargs = {**pool_kwargs, "server_hostname": name, "assert_hostname": name, "ssl_context": self.tls}
        return host_params, pool_kwargs
