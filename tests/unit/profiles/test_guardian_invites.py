"""Who is invited to a minor's session, and what the guardian's email says, in the child's language, when the
session is booked and when it moves (fakes for the store, video, mail)."""

from datetime import UTC, datetime
from types import SimpleNamespace

from services.profiles.documents import Guardian, Organisation, Person
from services.profiles.guardian_invites import invite

START = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
LINK = {"join_url": "https://video.example.org/room?jwt=abc", "starts_at": START.isoformat(),
        "ends_at": START.replace(minute=45).isoformat(), "sequence": 0}
MOVED = {**LINK, "join_url": "https://video.example.org/room?jwt=new", "sequence": 1,
         "starts_at": START.replace(day=11, hour=17).isoformat(), "ends_at": START.replace(day=11, hour=17, minute=45).isoformat()}


class Store:
    def __init__(self, *people):
        self.people = {p.id: p for p in people}

    def person(self, tenant_id, person_id):
        return self.people.get(person_id)

    def organisation(self, tenant_id):
        return Organisation(name="Northside School")


class Mail:
    def __init__(self):
        self.sent = []

    def send_now(self, **kw):
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


def test_the_guardian_of_a_minor_with_consent_gets_their_own_link_by_name():
    mail, asked = Mail(), []
    assert invite(people(), mail, lambda *a: asked.append(a) or LINK, "t1", event()) is True
    assert asked == [("t1", "s1", "Helen Fisher")]  # video names the guardian in their link
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
    mail = Mail()
    assert invite(people(locale="es"), mail, lambda *a: LINK, "t1", event()) is True
    (sent,) = mail.sent
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
