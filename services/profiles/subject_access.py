"""Profiles' part of a subject-access export: the profile, consents, guardian history and invitations, sign-ins."""

from __future__ import annotations

from ementor.platform.subject_access import EXPORT_LIMIT, part, pick, plural

from .documents import Person, Session, SignInLink
from .guardian_documents import GuardianConsentEntry, GuardianInvitation

PROFILE_FIELDS = ("id", "role", "name", "email", "phone", "timezone", "languages", "interests", "bio", "capacity",
                  "is_minor", "vetted", "vetting_level", "vetting_recorded_at", "programme_id", "custom_fields", "channels",
                  "quiet_hours_start",
                  "quiet_hours_end", "guardian_consent", "guardian_consent_at", "guardian_consent_method",
                  "guardian_request_sent_at", "created_at", "updated_at")


def export_person(tenant_id: str, person_id: str) -> dict | None:
    """None when the organisation has no such person (the request is then refused with 404)."""
    person = Person.raw().find_one({"_id": person_id, "tenant_id": tenant_id})
    if person is None or person.get("erased"):
        return None
    profile = pick(person, *PROFILE_FIELDS)
    if person.get("guardian"):
        # The guardian's name is part of the child's record; their email is the guardian's own contact detail.
        profile["guardian"] = {"name": person["guardian"].get("name")}
    consent = [pick(e, "at", "state", "action", "method", "actor", "evidence") for e in
               GuardianConsentEntry.raw().find({"tenant_id": tenant_id, "person_id": person_id}).sort("at", 1)
               .limit(EXPORT_LIMIT)]
    # Whom the guardian was written to is the guardian's own contact detail: left out, as in the profile.
    invitations = [{"session_id": i["_id"], **pick(i, "starts_at", "ends_at", "invited_at", "cancelled_at",
                                                   "cancellation_sent_at", "forget_at")} for i in
                   GuardianInvitation.raw().find({"tenant_id": tenant_id, "mentee_id": person_id}).limit(EXPORT_LIMIT)
                   if i.get("invited_at")]
    sessions = [pick(s, "id", "role", "created_at", "expires_at", "revoked_at") for s in
                Session.raw().find({"tenant_id": tenant_id, "subject_id": person_id}).limit(EXPORT_LIMIT)
                if s.get("subject_kind") == "person"]
    links = [pick(k, "purpose", "expires_at", "used_at") for k in
             SignInLink.raw().find({"tenant_id": tenant_id, "subject_id": person_id}).limit(EXPORT_LIMIT)
             if k.get("subject_kind") == "person"]
    channels = person.get("channels") or {}
    summary = [
        (f"Your profile: name, email{', phone' if person.get('phone') else ''}, time zone, languages, interests, "
        f"bio and the answers to your programme's questions, as your organisation holds them."),
        (f"How we may contact you: email {'on' if channels.get('email', True) else 'off'}, "
        f"SMS {'on' if channels.get('sms') else 'off'}; quiet hours {person.get('quiet_hours_start')} to "
        f"{person.get('quiet_hours_end')}."),
    ]
    if person.get("is_minor"):
        summary.append(f"Guardian consent: {person.get('guardian_consent') or 'not recorded'}, with "
                       f"{plural(len(consent), 'step')} in its history.")
    if invitations:
        told = sum(1 for i in invitations if i.get("cancellation_sent_at"))
        cancellations = f" and told of {plural(told, 'cancellation')}" if told else ""
        summary.append(f"Your guardian was invited to {plural(len(invitations), 'video session')}{cancellations}.")
    summary.append(f"Sign-ins: {plural(len(sessions), 'signed-in session')} and {plural(len(links), 'emailed link')} "
                   "(only when and for how long; the links themselves are never kept).")
    return part("profiles", {"profile": profile, "guardian_consent_history": consent,
                             "guardian_session_invitations": invitations, "sign_in_sessions": sessions,
                             "sign_in_links": links}, summary)
