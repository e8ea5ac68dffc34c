"""A chat does not send a notice per message: a new message is told at most once per conversation,
person and window (`message_notice_minutes`, 10 by default). The first of a window goes at once; a
message while that notice still waits joins it; once it has gone, the next window's notice, due at
that window's start, tells of the rest. An organisation may ask for one notice a message (0)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ementor_contracts import MessageSent, to_cloudevent

from ementor.platform.mongo import open_database
from ementor.platform.settings import NotificationsSettings
from services.notifications import planning
from services.notifications.documents import DOCUMENTS, MESSAGE_NOTICE_MINUTES, Delivery, OrganisationSettings
from services.notifications.repository import NotificationsRepository
from tests.unit.notifications.test_handed_read import TENANT, Profiles, send

pytestmark = pytest.mark.unit

WINDOW = timedelta(minutes=MESSAGE_NOTICE_MINUTES)
# A window two days ahead, so the next one's start is still to come however long the test takes.
START = datetime.fromtimestamp((datetime.now(UTC) + timedelta(days=2)).timestamp() // 600 * 600, UTC)


@pytest.fixture
def repo(mongodb):
    open_database("notifications", mongodb, DOCUMENTS)
    return NotificationsRepository()


def message(repo, at: datetime, match_id: str = "m1", to: str = "jamie") -> planning.Planned:
    sender = "amara" if to == "jamie" else "jamie"
    event = MessageSent(message_id=f"msg-{at.timestamp()}", match_id=match_id, sender_id=sender, recipient_id=to,
                        length=5)
    settings = NotificationsSettings.model_construct(EMENTOR_PUBLIC_URL="https://ementor.example.org")
    return planning.notify(repo, Profiles(), settings, None, event, to_cloudevent(event, TENANT, time=at))


def notices(match_id: str = "m1") -> list[tuple[str, str, datetime | None]]:
    """Jamie's notices of a conversation: (cause, status, when due), oldest window first."""
    return sorted((d.cause_event_id, d.status, d.next_attempt_at and d.next_attempt_at.replace(tzinfo=UTC))
                  for d in Delivery.scoped(TENANT, recipient="jamie") if d.values["match_id"] == match_id)


def test_a_chat_is_told_at_once_then_once_more_at_the_next_window_whatever_the_number_of_messages(repo):
    first = message(repo, START + timedelta(minutes=1))
    mailer = send(repo, Profiles(), first)
    assert [to for to, _ in mailer.sent] == ["jamie@example.org"]  # the first of a quiet window: at once

    later = [message(repo, START + timedelta(minutes=m)) for m in (2, 3, 9)]

    assert all(p.deliveries == [] for p in later)  # due later: left to the delivery loop's scan
    (told, status, _), (following, waiting, due) = notices()
    assert (status, waiting) == ("sent", "pending") and told != following
    assert due == START + WINDOW  # the three are told together when the next window starts
    assert [d.kind for d in Delivery.scoped(TENANT, recipient="jamie").order_by("id")] == [
        "message_received", "more_messages_received"]  # "new messages": it may tell of several


def test_a_message_while_the_notice_still_waits_joins_it(repo):
    waiting = message(repo, START + timedelta(minutes=1))
    assert len(waiting.deliveries) == 1

    assert message(repo, START + timedelta(minutes=2)).deliveries == []
    assert [status for _, status, _ in notices()] == ["pending"]  # one notice for both, not yet sent


def test_each_conversation_and_each_person_has_its_own_window(repo):
    message(repo, START + timedelta(minutes=1))
    other_match = message(repo, START + timedelta(minutes=1), match_id="m2")
    other_person = message(repo, START + timedelta(minutes=1), to="amara")
    assert len(other_match.deliveries) == 1 and len(other_person.deliveries) == 1


def test_an_organisation_that_wants_every_message_told_gets_one_notice_each(repo):
    OrganisationSettings(id=TENANT, tenant_id=TENANT, message_notice_minutes=0).save()
    planned = [message(repo, START + timedelta(minutes=m)) for m in (1, 2, 3)]
    assert [len(p.deliveries) for p in planned] == [1, 1, 1]
    assert len(notices()) == 3


def test_the_settings_refuse_a_window_longer_than_a_day():
    from pydantic import ValidationError

    from services.notifications.schemas import NotificationSettings

    assert NotificationSettings().message_notice_minutes == 10
    with pytest.raises(ValidationError, match="less than or equal to 1440"):
        NotificationSettings(message_notice_minutes=1441)


def test_the_delivery_loop_scans_for_what_is_due_later_even_while_kicked_without_pause(monkeypatch):
    from services.notifications import delivery_loop

    loop = delivery_loop.DeliveryLoop(poll_seconds=1.0)
    scans, clock = [], [100.0]
    monkeypatch.setattr(delivery_loop.time, "monotonic", lambda: clock[0])
    loop._kicked, loop._scanned_at, loop._fresh = False, 0.0, []
    loop._scan = lambda: scans.append(clock[0])

    for _ in range(24):  # a kick every 1/8 s: never a quiet poll
        loop._kicked = True
        loop.tick()
        clock[0] += 0.125

    assert scans == [100.0, 101.0, 102.0]  # once a poll, busy or not
