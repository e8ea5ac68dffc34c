"""Storage of guardian consent links, history and session invitations: the part of ProfilesRepository that
queries them."""

from __future__ import annotations

from datetime import datetime

from .guardian_documents import INVITATION_KEPT, GuardianConsentEntry, GuardianInvitation, GuardianLink


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

    # -- a guardian's session invitations (guardian_invites.py) ---------------------------------
    def guardian_invitation_sent(self, tenant_id: str, session_id: str, mentee_id: str, guardian_email: str,
                                 starts_at: datetime, ends_at: datetime, at: datetime) -> GuardianInvitation:
        """Record the invitation; the record as it is now (with a cancellation already noted, if any)."""
        return GuardianInvitation.scoped(tenant_id, id=session_id).modify(
            set__mentee_id=mentee_id, set__guardian_email=guardian_email, set__starts_at=starts_at,
            set__ends_at=ends_at, set__invited_at=at, set__forget_at=ends_at + INVITATION_KEPT, upsert=True, new=True)

    def guardian_session_cancelled(self, tenant_id: str, session_id: str, mentee_id: str, at: datetime) -> None:
        GuardianInvitation.scoped(tenant_id, id=session_id).update_one(  # an invitation's own date stands
            set__mentee_id=mentee_id, set__cancelled_at=at, set_on_insert__forget_at=at + INVITATION_KEPT, upsert=True)

    def claim_guardian_cancellation(self, tenant_id: str, session_id: str, guardian_email: str,
                                    at: datetime) -> GuardianInvitation | None:
        """The invitation, if this guardian was invited, it is cancelled and nobody has told them yet: marked told
        in the same step (release it if the email fails)."""
        return GuardianInvitation.scoped(tenant_id, id=session_id, guardian_email=guardian_email, invited_at__ne=None,
                                         cancelled_at__ne=None, cancellation_sent_at=None).modify(
            set__cancellation_sent_at=at, new=True)

    def release_guardian_cancellation(self, tenant_id: str, session_id: str) -> None:
        GuardianInvitation.scoped(tenant_id, id=session_id).update_one(unset__cancellation_sent_at=True)

    def forget_guardian_invitations(self, tenant_id: str, mentee_id: str) -> None:
        GuardianInvitation.scoped(tenant_id, mentee_id=mentee_id).delete()
