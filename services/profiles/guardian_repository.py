"""Storage of guardian consent links and history: the part of ProfilesRepository that queries them."""

from __future__ import annotations

from datetime import datetime

from .guardian_documents import GuardianConsentEntry, GuardianLink


class GuardianRepository:
    def add_guardian_link(self, link: GuardianLink) -> None:
        link.save(force_insert=True)

    def guardian_link_by_hash(self, token_hash: str) -> GuardianLink | None:
        # The link is the guardian's only credential: found before its organisation is known.
        return GuardianLink.objects.across_tenants().filter(token_hash=token_hash).first()

    def use_guardian_link(self, link: GuardianLink, now: datetime) -> bool:
        """Mark the link used; False if it was used or revoked meanwhile (it works once)."""
        return GuardianLink.scoped(link.tenant_id, id=link.id, used_at=None, revoked_at=None).update(
            set__used_at=now) == 1

    def revoke_guardian_links(self, tenant_id: str, person_id: str, purpose: str, now: datetime) -> int:
        return GuardianLink.scoped(tenant_id, person_id=person_id, purpose=purpose, used_at=None,
                                   revoked_at=None).update(set__revoked_at=now)

    def append_consent_entry(self, entry: GuardianConsentEntry) -> None:
        entry.save(force_insert=True)

    def consent_history(self, tenant_id: str, person_id: str) -> list[GuardianConsentEntry]:
        return list(GuardianConsentEntry.scoped(tenant_id, person_id=person_id).order_by("at", "id"))
