"""A new-message notice still waiting is dropped once its recipient has read, in the app, every
message it tells of (ConversationRead up to the last of them). A read short of the last message
keeps it; a message after the read makes it pending again; a notice that went is left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ementor_contracts import ConversationRead, MessageSent, to_cloudevent

from ementor.platform.mongo import open_database
from ementor.platform.settings import NotificationsSettings
from services.notifications import domain, planning
from services.notifications.documents import DOCUMENTS, READ_IN_APP, Delivery, OrganisationSettings
from services.notifications.repository import NotificationsRepository
from tests.unit.notifications.test_handed_read import TENANT, Profiles, send
from tests.unit.notifications.test_message_notices import START, WINDOW, notices

pytestmark = pytest.mark.unit


@pytest.fixture
def repo(mongodb):
    open_database("notifications", mongodb, DOCUMENTS)
    return NotificationsRepository()


def message(repo, minute: int) -> planning.Planned:
    """Amara's message to Jamie, delivered `minute` minutes into the window."""
    at = START + timedelta(minutes=minute)
    event = MessageSent(message_id=f"msg-{minute}", match_id="m1", sender_id="amara", recipient_id="jamie",
                        length=5, delivered_at=at)
    settings = NotificationsSettings.model_construct(EMENTOR_PUBLIC_URL="https://ementor.example.org")
    return planning.notify(repo, Profiles(), settings, None, event, to_cloudevent(event, TENANT, time=at))


def read(repo, up_to_minute: int) -> int:
    """Jamie reads the conversation up to the message of `up_to_minute`."""
    up_to = START + timedelta(minutes=up_to_minute)
    event = ConversationRead(match_id="m1", reader_id="jamie", up_to_message_id=f"msg-{up_to_minute}", up_to=up_to)
    return planning.messages_read(repo, TENANT, event)


def statuses() -> list[str]:
    return [status for _, status, _ in notices()]


def test_a_live_chat_read_as_it_goes_is_told_once(repo):
    mailer = send(repo, Profiles(), message(repo, 1))  # the first of a quiet window: at once
    for minute in (2, 3, 9):
        message(repo, minute)  # joins the next window's notice (pending again once dropped)
        assert read(repo, minute) == 1  # and Jamie, reading it, drops that notice

    assert [to for to, _ in mailer.sent] == ["jamie@example.org"]
    assert statuses() == ["sent", "skipped"]
    (dropped,) = Delivery.scoped(TENANT, recipient="jamie", status="skipped")
    assert (dropped.skip_code, dropped.last_error) == ("read_in_app", READ_IN_APP)


def test_a_read_short_of_the_last_message_keeps_the_notice(repo):
    send(repo, Profiles(), message(repo, 1))
    message(repo, 2)
    message(repo, 3)

    assert read(repo, 2) == 0  # Jamie has not seen the message of minute 3
    assert statuses() == ["sent", "pending"]


def test_a_message_after_the_read_makes_the_dropped_notice_pending_again(repo):
    send(repo, Profiles(), message(repo, 1))
    message(repo, 2)
    assert read(repo, 2) == 1

    assert message(repo, 4).deliveries == []  # due when the next window starts, as before the read
    (_, _, due) = notices()[1]
    assert statuses() == ["sent", "pending"] and due == START + WINDOW
    assert read(repo, 2) == 0  # an old read (its event late) cannot drop it again


def test_a_notice_that_went_is_left_alone(repo):
    mailer = send(repo, Profiles(), message(repo, 1))
    assert read(repo, 1) == 0  # the first notice went at once: a read does not rewrite what was sent
    assert statuses() == ["sent"] and len(mailer.sent) == 1


def test_an_organisation_that_tells_every_message_has_nothing_waiting_to_drop(repo):
    OrganisationSettings(id=TENANT, tenant_id=TENANT, message_notice_minutes=0).save()
    message(repo, 1)
    message(repo, 2)
    assert read(repo, 2) == 0
    assert statuses() == ["pending", "pending"]  # each told at once, by its own notice


def test_a_text_held_overnight_for_quiet_hours_is_dropped_when_its_messages_are_read_in_the_morning(repo):
    night = domain.NoticeWindow.of("m1", START, 10)  # the message's window, long before the read
    Delivery(tenant_id=TENANT, cause_event_id=night.cause_id, cause_event_type="MessageSent", recipient="jamie",
             channel="sms", kind="message_received", about="amara", values={"match_id": "m1"}, status="deferred",
             next_attempt_at=START + timedelta(hours=10), told_until=START + timedelta(minutes=1)).save()

    assert read(repo, 1) == 1  # read hours later: the windows looked at are those of what was read
    assert statuses() == ["skipped"]
