"""A delivery sent moments after it was planned uses what was read to plan it (contact details, the
organisation's settings): one call to profiles and one settings read per event, not two. Sent later,
it reads them again (the person may have changed them)."""

from __future__ import annotations

import email
import email.policy
import time

import eventlet
import pytest

from ementor.platform.group_call import GroupCall
from ementor.platform.mongo import open_database
from ementor.platform.settings import NotificationsSettings
from services.notifications import delivery as sending
from services.notifications import planning
from services.notifications.documents import DOCUMENTS, Delivery
from services.notifications.domain import Notice, RetryPolicy
from services.notifications.profiles import Profiles as ProfilesClient
from services.notifications.profiles import contacts_together, lookups_stopped
from services.notifications.repository import NotificationsRepository

TENANT = "org-1"


class Profiles:
    """Profiles as the sender sees it, counting the people it is asked about."""

    def __init__(self):
        self.asked: list[list[str]] = []
        self.emails = {"jamie": "jamie@example.org", "amara": "amara@example.org"}

    def get_contacts(self, tenant_id, person_ids):
        self.asked.append(list(person_ids))
        return {p: {"person_id": p, "role": "mentee" if p == "jamie" else "mentor", "name": p.title(),
                    "email": self.emails[p], "timezone": "Europe/London", "locale": None, "is_minor": False,
                    "channels": {"email": True, "sms": False}, "quiet_hours": {"start": "21:00", "end": "08:00"}}
                for p in person_ids if p in self.emails}

    def get_organisation(self, tenant_id):
        return {"name": "Northside School"}


class Mailer:
    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def send(self, envelope):
        message = email.message_from_bytes(envelope.data, policy=email.policy.default)
        self.sent.append((envelope.recipient, message.get_body(("plain",)).get_content()))
        return "250 accepted"


class Repository(NotificationsRepository):
    """The real repository, counting reads of the organisation's settings."""

    settings_read = 0

    def settings(self, tenant_id, *, cached=False):
        self.settings_read += 1
        return super().settings(tenant_id, cached=cached)


@pytest.fixture
def repo(mongodb):
    open_database("notifications", mongodb, DOCUMENTS)
    return Repository()


def plan_a_message(repo, profiles, to="jamie", sender="amara", event_id="event-1") -> planning.Planned:
    settings = NotificationsSettings.model_construct(EMENTOR_PUBLIC_URL="https://ementor.example.org")
    notice = Notice(to, "message_received", about=sender, values={"match_id": "m1"})
    return planning.plan(repo, profiles, settings, None, TENANT, event_id, "MessageSent", [notice])


def send(repo, profiles, *planned: planning.Planned) -> Mailer:
    mailer = Mailer()
    settings = NotificationsSettings.model_construct(EMENTOR_PUBLIC_URL="https://ementor.example.org")
    fresh = [(d.tenant_id, d.id, p.read) for p in planned for d in p.deliveries]
    sending.send_due(repo, profiles, settings, mailer, None, RetryPolicy(), fresh=fresh)
    return mailer


def test_a_message_notice_asks_profiles_once_for_both_people_it_names_and_reads_the_settings_once(repo):
    profiles = Profiles()

    planned = plan_a_message(repo, profiles)
    mailer = send(repo, profiles, planned)

    assert profiles.asked == [["amara", "jamie"]] and repo.settings_read == 1
    assert [to for to, _ in mailer.sent] == ["jamie@example.org"]
    assert "Amara" in mailer.sent[0][1]


def test_a_delivery_sent_after_the_hand_over_window_asks_again_and_uses_the_new_address(repo):
    profiles = Profiles()
    planned = plan_a_message(repo, profiles)
    profiles.emails["jamie"] = "jamie.new@example.org"
    stale = planned._replace(read=planned.read._replace(at=time.monotonic() - sending.HANDED_READ_SECONDS - 1))

    mailer = send(repo, profiles, stale)

    assert profiles.asked == [["amara", "jamie"], ["amara", "jamie"]] and repo.settings_read == 2
    assert [to for to, _ in mailer.sent] == ["jamie.new@example.org"]


def test_someone_the_planning_read_did_not_find_is_asked_for_at_sending(repo):
    profiles = Profiles()
    del profiles.emails["amara"]  # not found when planning (erased, say)
    planned = plan_a_message(repo, profiles)
    profiles.emails["amara"] = "amara@example.org"

    mailer = send(repo, profiles, planned)

    assert profiles.asked == [["amara", "jamie"], ["amara"]]
    assert len(mailer.sent) == 1


def test_messages_planned_apart_and_sent_in_one_round_each_use_their_own_read(repo):
    profiles = Profiles()
    to_jamie = plan_a_message(repo, profiles)
    to_amara = plan_a_message(repo, profiles, to="amara", sender="jamie", event_id="event-2")

    mailer = send(repo, profiles, to_jamie, to_amara)

    assert profiles.asked == [["amara", "jamie"], ["amara", "jamie"]] and repo.settings_read == 2
    assert sorted(to for to, _ in mailer.sent) == ["amara@example.org", "jamie@example.org"]
    assert all(("Jamie" if to.startswith("amara") else "Amara") in body for to, body in mailer.sent)


def test_a_delivery_whose_sender_cannot_reach_profiles_is_put_back_to_try_again_shortly(repo):
    """Profiles too slow at sending: the delivery waits for its retry, not for a lapsed claim (5 minutes)."""

    class SlowProxy(Profiles):
        def get_contacts(self, tenant_id, person_ids):
            eventlet.sleep(1.0)
            return super().get_contacts(tenant_id, person_ids)

    planned = plan_a_message(repo, Profiles())
    stale = planned._replace(read=planned.read._replace(at=time.monotonic() - sending.HANDED_READ_SECONDS - 1))
    slow = ProfilesClient(SlowProxy(), GroupCall(contacts_together, stopped=lookups_stopped), timeout=0.05)

    mailer = send(repo, slow, stale)

    delivery = Delivery.scoped(TENANT, id=planned.deliveries[0].id).get()
    assert mailer.sent == []
    assert delivery.status == "pending" and delivery.claim is None
    assert delivery.last_error == "contact details unavailable: profiles did not answer within 0.05s"
