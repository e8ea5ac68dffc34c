"""Who is invited to a minor's session, and what the guardian's email says, in the child's language, when the
session is booked, when it moves and when it is cancelled (fakes for the store, video, mail)."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from services.profiles.documents import Guardian, Organisation, Person
from services.profiles.guardian_invites import cancelled, invite

START = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
LINK = {"join_url": "https://video.example.org/room?jwt=abc", "starts_at": START.isoformat(),
        "ends_at": START.replace(minute=45).isoformat(), "sequence": 0}
MOVED = {**LINK, "join_url": "https://video.example.org/room?jwt=new", "sequence": 1,
         "starts_at": START.replace(day=11, hour=17).isoformat(), "ends_at": START.replace(day=11, hour=17, minute=45).isoformat()}


class Store:
    """People, and the record of guardians' invitations as the repository keeps it (one per session)."""

    def __init__(self, *people):
        self.people = {p.id: p for p in people}
        self.invitations = {}

    def person(self, tenant_id, person_id):
        return self.people.get(person_id)

    def organisation(self, tenant_id):
        return Organisation(name="Northside School")

    def _invitation(self, session_id, mentee_id):
        return self.invitations.setdefault(session_id, SimpleNamespace(
            mentee_id=mentee_id, guardian_email=None, starts_at=None, ends_at=None, invited_at=None,
            cancelled_at=None, cancellation_sent_at=None))

    def guardian_invitation_sent(self, tenant_id, session_id, mentee_id, guardian_email, starts_at, ends_at, at):
        # Stored as MongoDB gives it back: UTC without a zone.
        found = self._invitation(session_id, mentee_id)
        found.starts_at, found.ends_at = starts_at.replace(tzinfo=None), ends_at.replace(tzinfo=None)
        found.guardian_email, found.invited_at = guardian_email, at
        return found

    def guardian_session_cancelled(self, tenant_id, session_id, mentee_id, at):
        self._invitation(session_id, mentee_id).cancelled_at = at

    def claim_guardian_cancellation(self, tenant_id, session_id, guardian_email, at):
        found = self.invitations.get(session_id)
        if found is None or found.guardian_email != guardian_email or not found.invited_at or not found.cancelled_at \
                or found.cancellation_sent_at:
            return None
        found.cancellation_sent_at = at
        return found

    def release_guardian_cancellation(self, tenant_id, session_id):
        self.invitations[session_id].cancellation_sent_at = None


class Mail:
    def __init__(self, fail=0):
        self.sent, self.fail = [], fail

    def send_now(self, **kw):
        if self.fail:
            self.fail -= 1
            raise OSError("mail server away")
        self.sent.append(kw)


def people(*, minor=True, guardian=True, consent="granted", locale=None):
    mentee = Person(id="mentee", tenant_id="t1", role="mentee", name="Jamie Fisher", email="j@example.org",
                    timezone="Europe/London", locale=locale, is_minor=minor, guardian_consent=consent if minor else None,
                    guardian=Guardian(name="Helen Fisher", email="helen@families.example.org") if guardian else None)
    mentor = Person(id="mentor", tenant_id="t1", role="mentor", name="Ada Okafor", email="a@example.org",
                    timezone="UTC")
    return Store(mentee, mentor)


def event(invited=True):
    return SimpleNamespace(guardian_invited=invited, session_id="s1", mentee_id="mentee", mentor_id="mentor")


def rescheduled(sequence=1):  # SessionRescheduled does not say whether the guardian is invited
    return SimpleNamespace(session_id="s1", mentee_id="mentee", mentor_id="mentor", sequence=sequence)


def cancellation():  # SessionCancelled does not say whether the guardian was invited
    return SimpleNamespace(session_id="s1", mentee_id="mentee", mentor_id="mentor", starts_at=START, sequence=2)


def test_the_guardian_of_a_minor_with_consent_gets_their_own_link_by_name():
    mail, asked = Mail(), []
    assert invite(people(), mail, lambda *a: asked.append(a) or LINK, "t1", event()) is True
    assert asked == [("t1", "s1", "Helen Fisher", "guardian")]  # video names the guardian in their link
    (sent,) = mail.sent
    assert (sent["to_name"], sent["to_address"]) == ("Helen Fisher", "helen@families.example.org")
    assert sent["subject"] == "You are invited to Jamie Fisher's mentoring session on Thursday 10 December"
    assert "Thursday 10 December 2026, 16:00–16:45 (Europe/London)" in sent["text"]
    assert LINK["join_url"] in sent["text"] and "with Ada Okafor" in sent["text"]


def test_nobody_is_invited_unless_video_says_so_and_the_mentee_is_a_minor_with_a_consenting_guardian():
    for store, ev in ((people(), event(False)), (people(minor=False), event()), (people(guardian=False), event()),
                      (people(consent="withdrawn"), event())):
        mail = Mail()
        assert invite(store, mail, lambda *a: LINK, "t1", ev) is False
        assert mail.sent == []
    mail = Mail()
    assert invite(people(), mail, lambda *a: None, "t1", event()) is False  # cancelled since: video has no link
    assert mail.sent == []


def test_the_guardian_of_a_spanish_speaking_child_is_invited_in_spanish_with_the_date_in_spanish():
    mail, asked = Mail(), []
    assert invite(people(locale="es"), mail, lambda *a: asked.append(a) or LINK, "t1", event()) is True
    assert asked == [("t1", "s1", "Helen Fisher", "responsable legal")]  # the call names her as the email says
    (sent,) = mail.sent
    assert "todos te verán como «Helen Fisher (responsable legal)»" in sent["text"]
    assert sent["subject"] == "Invitación a la sesión de mentoría de Jamie Fisher el jueves 10 de diciembre"
    assert sent["text"].startswith("Estimado/a Helen Fisher:")
    assert "jueves 10 de diciembre de 2026, 16:00–16:45 (Europe/London)" in sent["text"]
    assert "Northside School te invita, como madre, padre o tutor/a de Jamie Fisher" in sent["text"]
    assert "con Ada Okafor" in sent["text"] and LINK["join_url"] in sent["text"]
    assert "Dear" not in sent["text"] and "link" not in sent["text"].lower().replace(LINK["join_url"], "")


def test_a_moved_session_sends_the_guardian_the_new_time_and_a_new_link_in_the_childs_language():
    for locale, subject, line in (
            (None, "New time for Jamie Fisher's mentoring session: Friday 11 December",
             "Please use this link instead of the one we sent before."),
            ("es", "Nueva hora para la sesión de mentoría de Jamie Fisher: viernes 11 de diciembre",
             "Usa este enlace en lugar del que te enviamos antes.")):
        mail = Mail()
        assert invite(people(locale=locale), mail, lambda *a: MOVED, "t1", rescheduled(), moved=True) is True
        (sent,) = mail.sent
        assert sent["subject"] == subject and line in sent["text"]
        assert "17:00–17:45 (Europe/London)" in sent["text"] and MOVED["join_url"] in sent["text"]


def test_a_move_sends_nothing_when_video_does_not_invite_the_guardian_or_a_later_move_overtook_it():
    mail = Mail()
    assert invite(people(), mail, lambda *a: None, "t1", rescheduled(), moved=True) is False  # not inviting
    assert invite(people(), mail, lambda *a: {**MOVED, "sequence": 2}, "t1", rescheduled(1), moved=True) is False
    assert invite(people(minor=False), mail, lambda *a: MOVED, "t1", rescheduled(), moved=True) is False
    assert mail.sent == []


def test_the_invited_guardian_is_told_once_in_the_childs_language_when_the_session_is_cancelled():
    for locale, subject, line in (
            (None, "Cancelled: Jamie Fisher's mentoring session on Friday 11 December",
             "Jamie Fisher's video mentoring session with Ada Okafor, which you were invited to, has been cancelled:"),
            ("es", "Cancelada: sesión de mentoría de Jamie Fisher del viernes 11 de diciembre",
             "Se ha cancelado la sesión de mentoría por videollamada de Jamie Fisher con Ada Okafor a la que te invitamos:")):
        store, mail = people(locale=locale), Mail()
        invite(store, mail, lambda *a: LINK, "t1", event())
        invite(store, mail, lambda *a: MOVED, "t1", rescheduled(), moved=True)
        assert cancelled(store, mail, "t1", cancellation()) is True
        assert cancelled(store, mail, "t1", cancellation()) is False  # a second cancellation event: told already
        *_, sent = mail.sent
        assert len(mail.sent) == 3 and sent["to_address"] == "helen@families.example.org"
        assert sent["subject"] == subject and line in sent["text"]
        assert "17:00–17:45 (Europe/London)" in sent["text"]  # the time the guardian was last sent
        assert MOVED["join_url"] not in sent["text"]


def test_a_guardian_who_was_never_invited_hears_nothing_of_a_cancellation():
    for store in (people(), people(minor=False), people(guardian=False)):  # never invited: nothing on record
        mail = Mail()
        assert cancelled(store, mail, "t1", cancellation()) is False
        assert mail.sent == []
    store, mail = people(), Mail()
    invite(store, mail, lambda *a: LINK, "t1", event(False))  # the organisation does not invite guardians
    assert cancelled(store, mail, "t1", cancellation()) is False and mail.sent == []
    store, mail = people(), Mail()
    invite(store, mail, lambda *a: LINK, "t1", event())
    store.people["mentee"].guardian = Guardian(name="Rob Fisher", email="rob@families.example.org")  # changed since
    assert cancelled(store, mail, "t1", cancellation()) is False and len(mail.sent) == 1


def test_a_guardian_who_withdrew_consent_after_the_invitation_is_still_told_of_the_cancellation():
    store, mail = people(), Mail()
    invite(store, mail, lambda *a: LINK, "t1", event())
    store.people["mentee"].guardian_consent = "withdrawn"  # the session expected in their diary is off
    assert cancelled(store, mail, "t1", cancellation()) is True
    assert mail.sent[-1]["subject"].startswith("Cancelled:") and mail.sent[-1]["to_address"] == "helen@families.example.org"
    store, mail = people(), Mail()
    invite(store, mail, lambda *a: LINK, "t1", event())
    store.people["mentee"].erased = True
    assert cancelled(store, mail, "t1", cancellation()) is False and len(mail.sent) == 1  # an erased child: nothing


def test_an_invitation_sent_while_the_cancellation_was_handled_is_followed_by_the_cancellation_once():
    store, mail = people(), Mail()
    assert cancelled(store, mail, "t1", cancellation()) is False  # first: no invitation yet, nothing to cancel
    assert invite(store, mail, lambda *a: LINK, "t1", event()) is True  # video answered before it cancelled
    assert [m["subject"].split(" ")[0] for m in mail.sent] == ["You", "Cancelled:"]
    assert invite(store, mail, lambda *a: None, "t1", event()) is False  # redelivered: video has no link now
    assert len(mail.sent) == 2


def test_a_cancellation_the_mail_server_refused_is_sent_when_the_event_is_tried_again():
    store, mail = people(), Mail()
    invite(store, mail, lambda *a: LINK, "t1", event())
    mail.fail = 1
    with pytest.raises(OSError):  # the handler fails, so the event is tried again
        cancelled(store, mail, "t1", cancellation())
    assert cancelled(store, mail, "t1", cancellation()) is True
    assert [m["subject"].startswith("Cancelled") for m in mail.sent] == [False, True]
