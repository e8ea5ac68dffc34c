"""The revocation list every service keeps, so access ends everywhere within seconds.

profiles publishes AccessRevoked (sign-out, staff removal, key rotation, sign out everywhere,
organisation disabled) and PersonErased. Each service stores them in its own database through the
`Revocations` mixin's subscribers, and the `@api` entrypoint refuses a token whose session, person,
staff member, API key or organisation has an entry with `effective_at` <= now and the token issued
(`iat`) before `effective_at`. Each replica reads the list at most once a second (the replica that
stores an entry reloads at once), so the bound is event propagation + 1 s.

    class MessagingService(Revocations):
        ...
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from ementor_contracts import AccessRevoked, PersonErased
from mongoengine.connection import get_db

from .consumer import subscribe
from .extension import ServiceDependency
from .principal import Principal

COLLECTION = "revocations"
CACHE_SECONDS = 1.0
KEEP_FOR = timedelta(days=2)  # longer than any token lives (EMENTOR_TOKEN_TTL_SECONDS <= 1 day)


def _timestamp(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class RevocationList:
    """The revocations of one service's database, cached for at most CACHE_SECONDS per replica."""

    def __init__(self, alias: str):
        self.alias = alias
        self._entries: dict[tuple[str, str, str], float] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()
        self._indexed = False

    def _collection(self):
        collection = get_db(self.alias)[COLLECTION]
        if not self._indexed:
            collection.create_index("expires_at", expireAfterSeconds=0)
            self._indexed = True
        return collection

    def record(self, tenant_id: str, scope: str, subject_id: str, effective_at: datetime) -> None:
        """Store one revocation; repeating it is harmless, and the latest `effective_at` wins."""
        self._collection().update_one(
            {"_id": f"{tenant_id}|{scope}|{subject_id}"},
            {"$max": {"effective_at": effective_at, "expires_at": effective_at + KEEP_FOR},
             "$setOnInsert": {"tenant_id": tenant_id, "scope": scope, "subject_id": subject_id}},
            upsert=True,
        )
        self._loaded_at = float("-inf")  # this replica knows at once; the others within CACHE_SECONDS

    def is_revoked(self, principal: Principal, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        entries = self._current(now)
        issued = principal.issued_at or 0
        for scope, subject in (("session", principal.session_id), ("person", principal.person_id),
                               ("staff", principal.staff_id), ("api_key", principal.key_id),
                               ("organisation", principal.tenant_id)):
            effective = entries.get((principal.tenant_id, scope, subject)) if subject else None
            if effective is not None and effective <= now and issued < effective:
                return True
        return False

    def _current(self, now: float) -> dict[tuple[str, str, str], float]:
        if now - self._loaded_at >= CACHE_SECONDS:
            with self._lock:
                if now - self._loaded_at >= CACHE_SECONDS:
                    self._entries = {(e["tenant_id"], e["scope"], e["subject_id"]): _timestamp(e["effective_at"])
                                     for e in self._collection().find({})}
                    self._loaded_at = now
        return self._entries


_LISTS: dict[str, RevocationList] = {}


def kept_by(alias: str) -> RevocationList | None:
    """The list of a service that mixes in `Revocations` (None for one that does not, e.g. in a test)."""
    return _LISTS.get(alias)


def revocation_list(alias: str) -> RevocationList:
    """The one list of a service's database in this process (the @api entrypoint and the subscribers share it)."""
    if alias not in _LISTS:
        _LISTS[alias] = RevocationList(alias)
    return _LISTS[alias]


class RevocationStore(ServiceDependency):
    def setup(self):
        self.open_database()
        self.list = revocation_list(self.container.service_name)

    def get_dependency(self, worker_ctx):
        return self.list


class Revocations:
    """Mix into a service class: it keeps the revocation list its endpoints check."""

    revocations: RevocationList = RevocationStore()

    @subscribe(AccessRevoked)
    def on_access_revoked(self, event: AccessRevoked, envelope):
        self.revocations.record(envelope.tenantid, event.scope, event.subject_id, event.effective_at)

    @subscribe(PersonErased)
    def on_person_erased_revoke(self, event: PersonErased, envelope):
        self.revocations.record(envelope.tenantid, "person", event.person_id, envelope.time)
