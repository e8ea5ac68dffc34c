"""Inviting mentors and mentees to sign in.

Through the service, against a real SMTP server: a person added with `invite` gets the email
within seconds, its link signs them in, and one added without it gets nothing. The rules of the
job against the store: a minor's invitation waits for their guardian's consent, an erased person's
or a refused consent's is dropped, and a mail server that does not take the email delays the
invitation without losing it. Staff see where each person's invitation stands."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from ementor.platform import mongo
from ementor.platform.principal import Principal
from services.profiles import handlers, invitations
from services.profiles.accounts import LinkSettings, link_key
from services.profiles.consent import MailNotSent
from services.profiles.documents import DOCUMENTS, Organisation, Person, utcnow
from services.profiles.domain import hash_secret
from services.profiles.import_documents import IMPORT_DOCUMENTS, InvitationDue
from services.profiles.import_repository import ImportRepository
from services.profiles.schemas import CreatePerson, InviteNotSignedIn
from services.profiles.service import ProfilesService
from tests.support.events import eventually
from tests.support.secrets import TEST_JWT_SECRET

from .accounts_support import LINK, link_token
from .conftest import mentee, mentor

pytestmark = pytest.mark.integration

PUBLIC_URL = "https://app.ementor.test"
AUTH = Principal(role="coordinator", tenant_id="org-a")
LINKS = LinkSettings(PUBLIC_URL, timedelta(minutes=15), timedelta(days=30), link_key(TEST_JWT_SECRET))


@pytest.fixture
def profiles(start_services, mail_settings):
    return start_services(ProfilesService, settings_override=mail_settings.model_copy(update={
        "EMENTOR_PUBLIC_URL": PUBLIC_URL}))


def _status(api, org, person_id) -> dict:
    response = api.get(f"/v1/people/{person_id}/invitation", org["token"])
    assert response.status_code == 200, response.text
    return response.json()


def test_a_mentee_added_with_an_invitation_gets_it_and_its_link_signs_them_in(api, org, smtp):
    quiet = api.post("/v1/people", org["token"], json=mentor())
    assert quiet.status_code == 201, quiet.text
    added = api.post("/v1/people", org["token"], json=mentee(invite=True, locale="es"))
    assert added.status_code == 201, added.text

    token = link_token(smtp, "jamie@example.org")
    email = next(m for m in smtp.messages if "jamie@example.org" in m.recipients)
    assert email.subject == "Northside te invita a su programa de mentoría en ementor"
    assert f"{PUBLIC_URL}/sign-in?organisation=northside" in email.text()
    assert not [m for m in smtp.messages if "amara@example.org" in m.recipients], "added without `invite`"

    sent = eventually(lambda: _sent(_status(api, org, added.json()["id"])))
    assert (sent["email"], sent["last_signed_in_at"], sent["last_error"]) == ("jamie@example.org", None, None)
    assert _status(api, org, quiet.json()["id"])["status"] == "not_invited"

    completed = api.post("/v1/auth/sign-in/complete", json={"token": token})
    assert completed.status_code == 200, completed.text
    me = api.get("/v1/me", completed.json()["access_token"]).json()
    assert (me["person_id"], me["role"]) == (added.json()["id"], "mentee")
    signed_in = _status(api, org, added.json()["id"])
    assert signed_in["status"] == "signed_in" and signed_in["last_signed_in_at"] >= sent["sent_at"]
    assert api.get("/v1/people/nobody/invitation", org["token"]).status_code == 404

    # The People list: who has not signed in yet, and when the others last did.
    def names(query: str) -> list[str]:
        listed = api.get(f"/v1/people?{query}", org["token"])
        assert listed.status_code == 200, listed.text
        return [p["name"] for p in listed.json()["items"]]

    assert names("signed_in=false") == ["Amara"] and names("signed_in=true") == ["Jamie"]
    assert names("signed_in=false&role=mentee") == []
    jamie = api.get(f"/v1/people/{added.json()['id']}", org["token"]).json()
    assert jamie["last_signed_in_at"] == signed_in["last_signed_in_at"]
    unclear = api.get("/v1/people?signed_in=perhaps", org["token"])
    assert unclear.status_code == 422 and "signed_in" in unclear.text, unclear.text


def _sent(status: dict) -> dict:
    assert status["status"] == "sent" and status["sent_at"], status
    return status


def test_a_minors_invitation_goes_as_soon_as_their_guardian_consents_through_the_link(api, org, smtp):
    child = api.post("/v1/people", org["token"], json=mentee(
        invite=True, is_minor=True, guardian={"name": "Sam Doe", "email": "sam@example.org"})).json()
    consent_link = re.compile(r"/guardian/consent\?token=([\w-]+)")
    request = eventually(lambda: next(m for m in smtp.messages if "sam@example.org" in m.recipients))
    assert _status(api, org, child["id"])["status"] == "waiting_for_consent"

    granted = api.post("/v1/guardian-consents/complete", json={
        "token": consent_link.search(request.text()).group(1), "decision": "grant"})
    assert granted.status_code == 200, granted.text
    link_token(smtp, "jamie@example.org")  # within seconds, not at the invitation's next look in 15 minutes
    assert eventually(lambda: _sent(_status(api, org, child["id"])))


def test_a_coordinator_sends_a_new_invitation_and_a_minors_is_refused_in_words_until_consent(api, org, smtp):
    adult = api.post("/v1/people", org["token"], json=mentor()).json()
    child = api.post("/v1/people", org["token"], json=mentee(
        is_minor=True, guardian={"name": "Sam Doe", "email": "sam@example.org"})).json()

    again = api.post(f"/v1/people/{adult['id']}/invitations", org["token"])
    assert again.status_code == 202 and again.json() == {"person_id": adult["id"], "email": "amara@example.org"}
    link_token(smtp, "amara@example.org")

    refused = api.post(f"/v1/people/{child['id']}/invitations", org["token"])
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == {**refused.json()["error"], "code": "invitation_waits_for_consent",
                                       "message": "Jamie is under 18 and is invited once their guardian has "
                                                  "consented (guardian consent is pending)"}
    assert api.post("/v1/people/nobody/invitations", org["token"]).status_code == 404


def test_everyone_not_signed_in_gets_a_new_invitation_once_and_those_who_cannot_are_counted(api, org, smtp):
    earlier = len(smtp.messages)  # the server is the module's

    def sent_to(address: str) -> int:
        return sum(address in m.recipients for m in smtp.messages[earlier:])

    api.post("/v1/people", org["token"], json=mentor())  # a mentor: not in a round for mentees
    jamie = api.post("/v1/people", org["token"], json=mentee()).json()
    api.post("/v1/people", org["token"], json=mentee(name="Kai", email="kai@example.org", is_minor=True,
                                                      guardian={"name": "Sam Doe", "email": "sam@example.org"}))
    api.post("/v1/people", org["token"], json=mentee(name="Noor", email="noor@example.org", invite=True))
    signed_in = api.post("/v1/auth/sign-in/complete", json={"token": link_token(smtp, "noor@example.org")})
    assert signed_in.status_code == 200, signed_in.text

    asked = api.post("/v1/people/invitations", org["token"], json={"role": "mentee", "dry_run": True})
    assert asked.status_code == 202, asked.text
    assert {k: v for k, v in asked.json().items() if k != "last_due_at"} == {
        "dry_run": True, "queued": 1, "waiting_for_consent": 1, "on_its_way": 0, "invited_recently": 0}
    assert _status(api, org, jamie["id"])["status"] == "not_invited", "a dry run sends nothing"

    round_one = api.post("/v1/people/invitations", org["token"], json={"role": "mentee"})
    assert round_one.status_code == 202, round_one.text
    assert {k: v for k, v in round_one.json().items() if k != "last_due_at"} == {
        "dry_run": False, "queued": 1, "waiting_for_consent": 1, "on_its_way": 0, "invited_recently": 0}
    link_token(smtp, "jamie@example.org")
    assert (sent_to("amara@example.org"), sent_to("kai@example.org")) == (0, 0)
    eventually(lambda: _sent(_status(api, org, jamie["id"])))

    again = api.post("/v1/people/invitations", org["token"], json={"role": "mentee"})  # a second click
    assert (again.json()["queued"], again.json()["invited_recently"], again.json()["last_due_at"]) == (0, 1, None)
    assert (sent_to("jamie@example.org"), sent_to("noor@example.org")) == (1, 1), "once, not for the dry run; Noor signed in"

    for body, field in (({"invitations_per_hour": 0}, "invitations_per_hour"), ({"interest": "!!"}, "interest"),
                        ({"role": "guardian"}, "role")):
        refused = api.post("/v1/people/invitations", org["token"], json=body)
        assert refused.status_code == 422 and field in refused.text, refused.text


def test_a_corrected_address_ends_the_links_sent_to_the_old_one(api, org, smtp):
    added = api.post("/v1/people", org["token"], json=mentee(email="jamie@exmaple.org", invite=True)).json()
    old_link = link_token(smtp, "jamie@exmaple.org")  # the typo's owner has it

    corrected = api.patch(f"/v1/people/{added['id']}", org["token"], json={"email": "jamie@example.org"})
    assert corrected.status_code == 200, corrected.text
    refused = api.post("/v1/auth/sign-in/complete", json={"token": old_link})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "link_used", refused.text

    earlier = len(smtp.messages)  # the server is the module's: earlier tests wrote to Jamie too
    again = api.post(f"/v1/people/{added['id']}/invitations", org["token"])
    assert again.json()["email"] == "jamie@example.org"
    new_link = link_token(smtp, "jamie@example.org", after=earlier)
    renamed = api.patch(f"/v1/people/{added['id']}", org["token"], json={"name": "Jamie R"})
    assert renamed.status_code == 200, renamed.text  # only a new address ends the links
    assert api.post("/v1/auth/sign-in/complete", json={"token": new_link}).status_code == 200


@pytest.fixture
def repo(mongodb) -> ImportRepository:
    mongo.open_database("profiles", mongodb, (*DOCUMENTS, *IMPORT_DOCUMENTS))
    Organisation(id=AUTH.tenant_id, tenant_id=AUTH.tenant_id, slug="northside", name="Northside School").save()
    return ImportRepository()


class Mailbox:
    """The mail server as profiles' mailer sees it: takes each email, or refuses while `down`."""

    def __init__(self):
        self.sent: list[tuple[str, str, str]] = []
        self.message_ids: list[str | None] = []
        self.down = False

    def send_now(self, *, to_name: str, to_address: str, subject: str, text: str, message_id=None) -> None:
        if self.down:
            raise MailNotSent("the mail server did not take the email: 421 try later")
        self.sent.append((to_address, subject, text))
        self.message_ids.append(message_id)


def _added(repo, invite_at=None, **body) -> Person:
    person = handlers.create_person(repo, AUTH, CreatePerson(**{**mentee(), **body}))
    invitations.invite_now(repo, person)
    if invite_at is not None:
        InvitationDue.scoped(AUTH.tenant_id, person_id=person.id).update(set__due_at=invite_at)
    return person


def _waiting(person) -> InvitationDue | None:
    return InvitationDue.scoped(AUTH.tenant_id, person_id=person.id, sent_at=None).first()


def test_a_minors_invitation_waits_for_their_guardians_consent(repo):
    child = _added(repo, is_minor=True, guardian={"name": "Sam Doe", "email": "sam@example.org"})
    mail = Mailbox()

    assert invitations.send_due(repo, mail, LINKS) == 0
    assert mail.sent == [] and _waiting(child).due_at > utcnow() + timedelta(minutes=14)
    assert invitations.status_of(repo, AUTH, child.id).status == "waiting_for_consent"

    Person.scoped(AUTH.tenant_id, id=child.id).update(set__guardian_consent="granted")
    InvitationDue.scoped(AUTH.tenant_id, person_id=child.id).update(set__due_at=utcnow())
    assert invitations.send_due(repo, mail, LINKS) == 1
    assert [to for to, _, _ in mail.sent] == ["jamie@example.org"] and _waiting(child) is None
    assert invitations.status_of(repo, AUTH, child.id).status == "sent"
    assert LINK.search(mail.sent[0][2]), "the email carries its sign-in link"


def test_an_erased_person_or_a_refused_consent_drops_the_invitation(repo):
    gone = _added(repo)
    refused = _added(repo, email="kai@example.org", is_minor=True,
                     consent_recorded_offline={"decision": "decline", "evidence": "paper form, 3 March"})
    handlers.erase_person(repo, AUTH, gone.id)  # scrubbed now, deleted once PersonErased is out
    mail = Mailbox()

    assert invitations.send_due(repo, mail, LINKS) == 0
    assert mail.sent == [] and InvitationDue.scoped(AUTH.tenant_id).count() == 0
    assert refused.guardian_consent == "declined"


def test_a_mail_server_that_refuses_delays_the_invitation_and_it_goes_once_the_server_takes_it(repo):
    person = _added(repo)
    mail = Mailbox()
    mail.down = True

    assert invitations.send_due(repo, mail, LINKS) == 0
    waiting = _waiting(person)
    assert (waiting.attempts, waiting.last_error) == (1, "the mail server did not take the email: 421 try later")
    assert waiting.due_at > utcnow() + timedelta(minutes=4)
    shown = invitations.status_of(repo, AUTH, person.id)
    assert (shown.status, shown.due_at, shown.last_error) == ("retrying", waiting.due_at, waiting.last_error)

    mail.down = False
    InvitationDue.scoped(AUTH.tenant_id, person_id=person.id).update(set__due_at=utcnow())
    assert invitations.send_due(repo, mail, LINKS) == 1
    assert len(mail.sent) == 1 and _waiting(person) is None


class SenderDied(BaseException):
    pass


def _sent_then_died(repo, mail, monkeypatch) -> None:
    """The mail server takes the invitation; the replica dies before recording it sent, and its claim lapses."""
    def die(*_args, **_kwargs):
        raise SenderDied

    with monkeypatch.context() as dying:
        dying.setattr(repo, "mark_invitation_sent", die)
        with pytest.raises(SenderDied):
            invitations.send_due(repo, mail, LINKS)
    InvitationDue.scoped(AUTH.tenant_id, sent_at=None).update(set__due_at=utcnow())


def test_an_invitation_sent_again_after_its_sender_died_repeats_the_email_and_its_working_link(repo, monkeypatch):
    person = _added(repo)
    mail = Mailbox()
    _sent_then_died(repo, mail, monkeypatch)

    assert invitations.send_due(repo, mail, LINKS) == 1
    assert len(mail.sent) == 2 and mail.sent[0] == mail.sent[1], "the same email, the same link"
    assert mail.message_ids[0] == mail.message_ids[1] is not None, "so a mailbox can show it once"
    token = LINK.search(mail.sent[0][2]).group(1)
    assert repo.claim_link(hash_secret(token), utcnow()).subject_id == person.id, "the link signs them in"
    assert repo.claim_link(hash_secret(token), utcnow()) is None, "once"
    assert invitations.status_of(repo, AUTH, person.id).status == "sent"


def test_an_invitation_whose_link_was_used_before_it_was_recorded_sent_is_not_sent_again(repo, monkeypatch):
    person = _added(repo)
    mail = Mailbox()
    _sent_then_died(repo, mail, monkeypatch)
    used = repo.claim_link(hash_secret(LINK.search(mail.sent[0][2]).group(1)), utcnow())  # they accept it

    assert invitations.send_due(repo, mail, LINKS) == 0
    assert len(mail.sent) == 1 and _waiting(person) is None
    shown = invitations.status_of(repo, AUTH, person.id)
    assert abs(shown.sent_at - used.used_at) < timedelta(milliseconds=1), "sent by the time it was used"


def test_an_invitation_the_mail_server_never_takes_is_given_up_after_its_attempts(repo):
    person = _added(repo)
    InvitationDue.scoped(AUTH.tenant_id, person_id=person.id).update(set__attempts=invitations.MAX_ATTEMPTS - 1)
    mail = Mailbox()
    mail.down = True

    assert invitations.send_due(repo, mail, LINKS) == 0
    assert invitations.send_due(repo, mail, LINKS) == 0, "not tried again"
    shown = invitations.status_of(repo, AUTH, person.id)
    assert (shown.status, shown.attempts, shown.last_error) == (
        "not_delivered", invitations.MAX_ATTEMPTS, "the mail server did not take the email: 421 try later")

    mail.down = False  # the coordinator fixes the address and sends a new one
    invitations.invite_again(repo, AUTH, person.id)
    assert invitations.send_due(repo, mail, LINKS) == 1
    assert invitations.status_of(repo, AUTH, person.id).status == "sent"
    assert InvitationDue.scoped(AUTH.tenant_id, person_id=person.id).count() == 1


def test_a_new_invitation_replaces_one_still_waiting_so_the_person_gets_one_email(repo):
    person = _added(repo, invite_at=utcnow() + timedelta(hours=1))  # an import's, paced for later
    invitations.invite_again(repo, AUTH, person.id)
    mail = Mailbox()

    assert invitations.send_due(repo, mail, LINKS) == 1
    assert InvitationDue.scoped(AUTH.tenant_id, person_id=person.id).count() == 1
    assert _waiting(person) is None and len(mail.sent) == 1

    invitations.invite_again(repo, AUTH, person.id)  # lost it: the new one is what staff see
    assert invitations.status_of(repo, AUTH, person.id).status == "queued"
    assert invitations.send_due(repo, mail, LINKS) == 1
    assert invitations.status_of(repo, AUTH, person.id).status == "sent"


def test_a_round_of_invitations_goes_at_its_pace_and_replaces_one_given_up(repo):
    given_up = _added(repo, name="Ana", email="ana@example.org")
    InvitationDue.scoped(AUTH.tenant_id, person_id=given_up.id).update(
        set__given_up_at=utcnow(), set__attempts=invitations.MAX_ATTEMPTS, set__last_error="550 no such user")
    long_ago = _added(repo, name="Ben", email="ben@example.org")
    InvitationDue.scoped(AUTH.tenant_id, person_id=long_ago.id).update(set__sent_at=utcnow() - timedelta(days=3))
    recently = _added(repo, name="Cy", email="cy@example.org")
    InvitationDue.scoped(AUTH.tenant_id, person_id=recently.id).update(set__sent_at=utcnow() - timedelta(hours=2))
    waiting = _added(repo, name="Di", email="di@example.org", invite_at=utcnow() + timedelta(hours=1))
    handlers.create_person(repo, AUTH, CreatePerson(**mentee(name="Ed", email="ed@example.org",
                                                             interests=["music"])))

    queued = invitations.invite_not_signed_in(repo, AUTH, InviteNotSignedIn(invitations_per_hour=60), None)
    assert (queued.queued, queued.on_its_way, queued.invited_recently, queued.waiting_for_consent) == (3, 1, 1, 0)
    due = {i.person_id: i.due_at for i in InvitationDue.scoped(AUTH.tenant_id, sent_at=None, given_up_at=None)}
    ana, ben, ed = (due[p] for p in (given_up.id, long_ago.id, _id_of("ed@example.org")))
    assert (round((ben - ana).total_seconds()), round((ed - ana).total_seconds())) == (60, 120), "one a minute"
    assert abs(queued.last_due_at - ed) < timedelta(milliseconds=1), "the store keeps milliseconds"
    assert invitations.status_of(repo, AUTH, given_up.id).status == "queued", "the given-up one is replaced"
    assert InvitationDue.scoped(AUTH.tenant_id, person_id=given_up.id).count() == 1
    assert due[waiting.id] > utcnow() + timedelta(minutes=59), "a waiting invitation keeps its time"

    music = invitations.invite_not_signed_in(repo, AUTH, InviteNotSignedIn(interest="music"), "music")
    assert (music.queued, music.on_its_way) == (0, 1), "only Ed likes music, and his is on its way"


def _id_of(email: str) -> str:
    return Person.scoped(AUTH.tenant_id, email=email).first().id
