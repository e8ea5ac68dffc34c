"""A chat read live in the app is told once: the notice waiting for the next window is dropped when
messaging says the recipient has read every message it tells of (ConversationRead)."""

from datetime import UTC, datetime, timedelta

import pytest
from ementor_contracts import ConversationRead, MessageSent

from services.notifications.documents import READ_IN_APP
from tests.integration.notifications._publish import publish
from tests.support.events import eventually

pytestmark = pytest.mark.integration


def test_a_notice_still_waiting_is_dropped_once_its_messages_are_read(org, amqp_uri, events, smtp_server):
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    org.settings(message_notice_minutes=1440)  # windows of a day: both messages fall in one
    first, second = datetime.now(UTC), datetime.now(UTC) + timedelta(seconds=1)
    for number, at in enumerate((first, second)):
        publish(amqp_uri, MessageSent(message_id=f"x{number}", match_id="m1", sender_id=mentor["id"],
                                      recipient_id=mentee["id"], length=10, delivered_at=at), org.id)
        if number == 0:  # the first is told at once
            events.wait_for("NotificationSent", lambda e: e.data["person_id"] == mentee["id"], timeout=15)

    def waiting():  # the second message waits for the next window's notice
        assert sorted(d["status"] for d in org.log(mentee["id"])) == ["pending", "sent"]
    eventually(waiting, timeout=10)

    read = ConversationRead(match_id="m1", reader_id=mentee["id"], up_to_message_id="x0", up_to=first)
    publish(amqp_uri, read, org.id)  # up to the first message only: the second is still unread
    publish(amqp_uri, read.model_copy(update={"up_to_message_id": "x1", "up_to": second}), org.id)

    def dropped():
        log = {d["status"]: d for d in org.log(mentee["id"])}
        assert sorted(log) == ["sent", "skipped"]
        assert log["skipped"]["skip_code"] == "read_in_app" and log["skipped"]["last_error"] == READ_IN_APP
        assert log["skipped"]["next_attempt_at"] is None
    eventually(dropped, timeout=10)
    assert len(smtp_server.to(mentee["email"])) == 1
