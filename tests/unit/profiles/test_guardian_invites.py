"""Who is invited to a minor's session, and what the guardian's email says (fakes for the store, video, mail)."""

from datetime import UTC, datetime
from types import SimpleNamespace

from services.profiles.documents import Guardian, Organisation, Person
from services.profiles.guardian_invites import invite

START = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
LINK = {"join_url": "https://video.example.org/room?jwt=abc", "starts_at": START.isoformat(),
        "ends_at": START.replace(minute=45).isoformat()}


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


def people(*, minor=True, guardian=True, consent="granted"):
    mentee = Person(id="mentee", tenant_id="t1", role="mentee", name="Jamie Fisher", email="j@example.org",
                    timezone="Europe/London", is_minor=minor, guardian_consent=consent if minor else None,
                    guardian=Guardian(name="Helen Fisher", email="helen@families.example.org") if guardian else None)
    mentor = Person(id="mentor", tenant_id="t1", role="mentor", name="Ada Okafor", email="a@example.org",
                    timezone="UTC")
    return Store(mentee, mentor)


def event(invited=True):
    return SimpleNamespace(guardian_invited=invited, session_id="s1", mentee_id="mentee", mentor_id="mentor")


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
