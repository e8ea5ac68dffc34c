"""Webhook targets: https, and never a private, loopback or link-local address unless allowed."""

from __future__ import annotations

import pytest

from services.integrations import domain
from services.integrations.domain import InvalidWebhook, TargetPolicy, check_target

pytestmark = pytest.mark.unit

PRODUCTION = TargetPolicy(allow_private=False, allow_http=False)
LAB = TargetPolicy(allow_private=True, allow_http=False)  # EMENTOR_ALLOW_PRIVATE_WEBHOOKS outside development
DEVELOPMENT = TargetPolicy(allow_private=True, allow_http=True)

DNS = {
    "hooks.example.org": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "internal.example.org": ["10.0.0.7"],
    "sneaky.example.org": ["93.184.215.14", "127.0.0.1"],  # one private record is enough to refuse
    "metadata.example.org": ["169.254.169.254"],
    "v6-internal.example.org": ["fd12:3456:789a::1"],
}


def resolver(host: str, port: int) -> list[str]:
    try:
        return DNS[host]
    except KeyError:
        raise OSError("Name or service not known") from None


def refuse(url: str, policy: TargetPolicy = PRODUCTION, match: str = "private, loopback or link-local"):
    with pytest.raises(InvalidWebhook, match=match) as refused:
        check_target(url, policy, resolver)
    assert refused.value.field == "url"
    return refused.value


def test_a_public_https_target_is_accepted():
    target = check_target("https://hooks.example.org/ementor?source=x", PRODUCTION, resolver)
    assert target.host == "hooks.example.org" and not target.private
    assert check_target("https://8.8.8.8:8443/hook", PRODUCTION, resolver).addresses == ("8.8.8.8",)
    assert check_target("https://[2606:4700:4700::1111]/hook", PRODUCTION, resolver).addresses == (
        "2606:4700:4700::1111",
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.8.9.10/hook",
        "https://10.1.2.3/",
        "https://172.16.0.1/",
        "https://192.168.1.10/",
        "https://100.64.0.1/",
        "https://0.0.0.0/",
        "https://169.254.169.254/latest/meta-data",
        "https://224.0.0.1/",
        "https://[::1]/hook",
        "https://[::]/",
        "https://[fe80::1]/",
        "https://[fd00::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:10.0.0.1]/",
        "https://[2002:7f00:1::]/",
        "https://[64:ff9b::a00:1]/",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(url):
    refuse(url)


@pytest.mark.parametrize(
    "url", ["https://2130706433/", "https://0x7f000001/", "https://127.1/", "https://0177.0.0.1/"]
)
def test_shorthand_ipv4_forms_are_read_as_the_address_they_mean(url):
    assert "127.0.0.1" in refuse(url).details["addresses"]


@pytest.mark.parametrize(
    "host",
    [
        "internal.example.org",
        "sneaky.example.org",
        "metadata.example.org",
        "v6-internal.example.org",
        "localhost",
        "LOCALHOST.",
        "api.localhost",
    ],
)
def test_names_resolving_to_private_addresses_are_refused(host):
    refuse(f"https://{host}/hook")


def test_the_operator_may_allow_private_targets_for_a_lab():
    assert check_target("https://internal.example.org/hook", LAB, resolver).private
    assert check_target("http://127.0.0.1:8080/hook", LAB, resolver).private  # a lab receiver needs no TLS
    refuse("http://hooks.example.org/hook", LAB, match="https")  # the public internet still does


def test_plain_http_is_only_accepted_in_development():
    refuse("http://hooks.example.org/hook", match="https")
    refuse("http://8.8.8.8/hook", match="https")
    assert (
        check_target("http://hooks.example.org/hook", DEVELOPMENT, resolver).url
        == "http://hooks.example.org/hook"
    )


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://hooks.example.org/x", "https"),
        ("javascript:alert(1)", "https"),
        ("https:///nohost", "no host"),
        ("https://user:pass@hooks.example.org/", "credentials"),
        ("https://hooks.example.org/#frag", "fragment"),
        ("https://unknown.example.org/", "does not resolve"),
        ("https://hooks.example.org:99999/", "not a valid URL"),
        ("https://hooks.example.org/" + "a" * 2050, "longer than"),
    ],
)
def test_malformed_urls_are_refused_with_a_reason(url, message):
    refuse(url, DEVELOPMENT, match=message)


def test_event_types_are_known_types_or_everything():
    known = {"MatchAccepted", "MatchEnded", "SessionScheduled"}
    assert domain.normalise_event_types(["MatchEnded", "MatchAccepted", "MatchEnded"], known) == [
        "MatchAccepted",
        "MatchEnded",
    ]
    assert domain.normalise_event_types(["*"], known) == ["*"]
    assert domain.normalise_event_types(["MatchEnded", "*"], known) == ["*"]
    with pytest.raises(InvalidWebhook) as unknown:
        domain.normalise_event_types(["MatchAccepted", "MatchAcepted", "Nope"], known)
    assert unknown.value.details["unknown"] == ["MatchAcepted", "Nope"]
    assert "MatchAcepted, Nope" in str(unknown.value)
    with pytest.raises(InvalidWebhook):
        domain.normalise_event_types([], known)
    assert domain.wants(["*"], "Anything") and domain.wants(["MatchEnded"], "MatchEnded")
    assert not domain.wants(["MatchEnded"], "MatchAccepted")
