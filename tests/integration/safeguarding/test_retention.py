"""Retention: per-organisation periods (422 outside their range), announced to the services whose leased jobs
delete what is past its period (messages, sessions, the notification log, webhook copies, audit entries)
-- with a clock the test moves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bson import ObjectId

from ementor.platform.loop_job import loop_job
from services.integrations import retention as integrations_retention
from services.integrations.documents import Delivery as WebhookDelivery
from services.integrations.documents import Webhook
from services.integrations.service import IntegrationsService
from services.matching.service import MatchingService
from services.messaging import retention
from services.messaging.documents import AuditEntry as ModerationAudit
from services.messaging.documents import Message
from services.messaging.service import MessagingService
from services.notifications import retention as notifications_retention
from services.notifications.documents import Delivery as NotificationDelivery
from services.notifications.service import NotificationsService
from services.profiles.service import ProfilesService
from services.safeguarding.documents import AuditEntry
from services.safeguarding.service import SafeguardingService
from services.video import retention as video_retention
from services.video.service import VideoService
from tests.integration.safeguarding.world import Clock, active_match, book, code, organisation, send
from tests.support.events import eventually
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration

CLOCK = Clock()


@pytest.fixture(autouse=True)
def clock_now():
    """Each test starts its clock at the real time (an earlier test moved it months ahead)."""
    CLOCK.at = Clock().at
    return CLOCK


class ClockedMessaging(MessagingService):
    """The real service, its retention job reading the test's clock and ticking fast."""

    retention_clock = staticmethod(CLOCK.now)

    @loop_job(poll_seconds=0.1, leased=True)
    def enforce_retention(self):
        super().enforce_retention()


def _kept(tenant_id: str, match_id: str) -> int:
    return Message.raw().count_documents({"tenant_id": tenant_id, "match_id": match_id})


def _periods_known(tenant_id: str, months: int):
    def known():
        stored = retention.RetentionPeriods.raw().find_one({"_id": tenant_id, "tenant_id": tenant_id})
        assert stored and stored["periods"].get("messages_months_after_match_end") == months, stored
    eventually(known)


def test_bad_periods_are_422_naming_the_field_and_its_range(start_services, api):
    start_services(ProfilesService, SafeguardingService)
    org = organisation(api, {"Ada": "mentor"})
    shown = api.get("/v1/settings/retention", org.coordinator)
    assert shown.status_code == 200, shown.text
    assert shown.json()["periods"]["messages_months_after_match_end"]["value"] == 12
    assert shown.json()["periods"]["audit_years"]["value"] == 6

    zero = api.request("PUT", "/v1/settings/retention", org.coordinator, json={"messages_months_after_match_end": 0})
    assert zero.status_code == 422, zero.text
    [detail] = zero.json()["error"]["details"]
    assert detail["field"] == "messages_months_after_match_end" and "between 1 and 120 months" in detail["message"]
    forever = api.request("PUT", "/v1/settings/retention", org.coordinator, json={"audit_years": 1000})
    assert forever.status_code == 422 and "between 1 and 50 years" in forever.text, forever.text
    words = api.request("PUT", "/v1/settings/retention", org.coordinator, json={"audit_years": "six"})
    assert words.status_code == 422, words.text
    mentor = api.request("PUT", "/v1/settings/retention", org.tokens["Ada"], json={"audit_years": 7})
    assert mentor.status_code == 403, mentor.text

    saved = api.request("PUT", "/v1/settings/retention", org.coordinator, json={"ended_session_months": 3})
    assert saved.status_code == 200, saved.text
    assert saved.json()["periods"]["ended_session_months"]["value"] == 3
    assert saved.json()["periods"]["messages_months_after_match_end"]["value"] == 12  # left out: the default
    audit = api.get("/v1/safeguarding/audit", org.lead()).json()
    assert [e["action"] for e in audit["items"]][-1] == "retention_changed"


def test_an_ended_matchs_messages_go_once_the_period_has_passed_and_newer_ones_stay(start_services, api):
    start_services(ProfilesService, MatchingService, ClockedMessaging, SafeguardingService)
    org = organisation(api, {"Ada": "mentor", "Bo": "mentee", "Cy": "mentee"})
    other = organisation(api, {"Di": "mentor", "Ed": "mentee"})
    ended = active_match(api, org, "Ada", "Bo", video=False)
    ongoing = active_match(api, org, "Ada", "Cy", video=False)
    elsewhere = active_match(api, other, "Di", "Ed", video=False)
    for match_id, who, owner in ((ended, "Bo", org), (ended, "Ada", org), (ongoing, "Cy", org),
                                 (elsewhere, "Ed", other)):
        assert send(api, owner, match_id, who).status_code == 201
    put = api.request("PUT", "/v1/settings/retention", org.coordinator, json={"messages_months_after_match_end": 6})
    assert put.status_code == 200, put.text
    longer = api.request("PUT", "/v1/settings/retention", other.coordinator,
                         json={"messages_months_after_match_end": 24})
    assert longer.status_code == 200, longer.text
    for match_id, owner in ((ended, org), (elsewhere, other)):
        response = api.post(f"/v1/matches/{match_id}/end", owner.coordinator, json={"reason": "programme over"})
        assert response.status_code == 200, response.text
    _periods_known(org.id, 6)
    _periods_known(other.id, 24)

    def conversation_ended(owner, match_id):
        assert api.get(f"/v1/matches/{match_id}/conversation", owner.coordinator).json()["status"] == "ended"
    eventually(lambda: conversation_ended(org, ended))
    eventually(lambda: conversation_ended(other, elsewhere))

    CLOCK.at = CLOCK.at + timedelta(days=5 * 30)  # five months on: within the period, nothing goes
    store = retention.store()
    before = CLOCK.now() - timedelta(days=1)
    eventually(lambda: _checked(store, org.id))  # the job has looked at the organisation at this time
    assert (_kept(org.id, ended), _kept(org.id, ongoing), _kept(other.id, elsewhere)) == (2, 1, 1)

    CLOCK.at = CLOCK.at + timedelta(days=2 * 30)  # seven months after the end: past six months
    eventually(lambda: _gone(org.id, ended))
    assert _kept(org.id, ongoing) == 1  # an active match keeps its messages
    assert _kept(other.id, elsewhere) == 1  # the other organisation keeps them 24 months
    assert store.deleted(org.id, before) == {"messages": 2}  # counts, never content
    assert store.deleted(other.id, before) == {}
    listed = api.get(f"/v1/matches/{ended}/messages", org.coordinator)
    assert listed.status_code != 200 or listed.json()["items"] == [], listed.text
    assert code(api.request("PUT", "/v1/settings/retention", org.coordinator,
                            json={"messages_months_after_match_end": 121})) == "validation_failed"


def _checked(store, tenant_id):
    checked = store.last_checked(tenant_id)
    assert checked is not None and checked.replace(tzinfo=None) == CLOCK.now().replace(tzinfo=None), checked


def _gone(tenant_id, match_id):
    assert _kept(tenant_id, match_id) == 0


class ClockedVideo(VideoService):
    retention_clock = staticmethod(CLOCK.now)

    @loop_job(poll_seconds=0.1, leased=True)
    def enforce_retention(self):
        super().enforce_retention()


class ClockedNotifications(NotificationsService):
    retention_clock = staticmethod(CLOCK.now)

    @loop_job(poll_seconds=0.1, leased=True)
    def enforce_retention(self):
        super().enforce_retention()


def test_ended_sessions_and_the_notification_log_go_after_their_periods(start_services, settings, api):
    mail = SmtpServer().start()
    try:
        start_services(ProfilesService, MatchingService, MessagingService, ClockedVideo, ClockedNotifications,
                       SafeguardingService,
                       settings_override=settings.model_copy(update={"SMTP_HOST": "127.0.0.1",
                                                                     "SMTP_PORT": mail.port}))
        org = organisation(api, {"Ada": "mentor", "Bo": "mentee"})
        match_id = active_match(api, org, "Ada", "Bo")
        session = book(api, org, match_id, "Ada", days=2)
        assert session.status_code == 201, session.text
        put = api.request("PUT", "/v1/settings/retention", org.coordinator,
                          json={"ended_session_months": 3, "notification_log_months": 4})
        assert put.status_code == 200, put.text

        def known():
            for module in (video_retention, notifications_retention):
                stored = module.RetentionPeriods.raw().find_one({"_id": org.id, "tenant_id": org.id})
                assert stored and stored["periods"].get("ended_session_months") == 3, stored
        eventually(known)

        def sent():
            finished = NotificationDelivery.raw().count_documents(
                {"tenant_id": org.id, "status": {"$in": ["sent", "delivered", "failed", "skipped"]}})
            assert finished >= 2, finished
            return finished
        logged = eventually(sent, timeout=20)

        CLOCK.at = CLOCK.at + timedelta(days=2 * 30)  # the session ended under two months ago: both stay
        eventually(lambda: _checked(video_retention.store(), org.id))
        eventually(lambda: _checked(notifications_retention.store(), org.id))
        assert api.get(f"/v1/sessions/{session.json()['id']}", org.coordinator).status_code == 200

        CLOCK.at = CLOCK.at + timedelta(days=3 * 30)  # five months on: past three (sessions) and four (log)
        eventually(lambda: _status(api.get(f"/v1/sessions/{session.json()['id']}", org.coordinator), 404))
        eventually(lambda: _counted(notifications_retention.store(), org.id, "notification_deliveries", logged))
        assert video_retention.store().deleted(org.id, CLOCK.now() - timedelta(days=400)) == {"sessions": 1}
    finally:
        mail.stop()


def _status(response, status):
    assert response.status_code == status, response.text


def _counted(store, tenant_id, kind, at_least):
    deleted = store.deleted(tenant_id, CLOCK.now() - timedelta(days=400))
    assert deleted.get(kind, 0) >= at_least, deleted


class ClockedIntegrations(IntegrationsService):
    retention_clock = staticmethod(CLOCK.now)

    @loop_job(poll_seconds=0.1, leased=True)
    def enforce_retention(self):
        super().enforce_retention()


def test_webhook_delivery_copies_go_after_a_period_shorter_than_the_logs_30_days(start_services, api):
    start_services(ProfilesService, ClockedIntegrations, SafeguardingService)
    org = organisation(api, {"Ada": "mentor"})
    webhook_id, now = "wh-retention-1", CLOCK.now()
    old, recent = (str(ObjectId.from_datetime(now - timedelta(days=days))) for days in (10, 1))
    for delivery_id, status in ((old, "succeeded"), (recent, "succeeded")):
        WebhookDelivery.raw().insert_one({"_id": delivery_id, "tenant_id": org.id, "webhook_id": webhook_id,
                                          "event_id": delivery_id, "event_type": "ProfileCreated", "body": "{}",
                                          "status": status})
    Webhook.raw().insert_one({"_id": webhook_id, "tenant_id": org.id, "url": "https://example.org/hook",
                              "event_types": ["GoalCompleted"], "secret": "s", "status": "active"})
    too_long = api.request("PUT", "/v1/settings/retention", org.coordinator, json={"webhook_delivery_days": 31})
    assert too_long.status_code == 422 and "between 1 and 30 days" in too_long.text, too_long.text
    put = api.request("PUT", "/v1/settings/retention", org.coordinator, json={"webhook_delivery_days": 7})
    assert put.status_code == 200, put.text

    def pruned():
        left = {d["_id"] for d in WebhookDelivery.raw().find({"tenant_id": org.id, "webhook_id": webhook_id})}
        assert left == {recent}, left
    eventually(pruned)
    assert integrations_retention.store().deleted(org.id, now - timedelta(days=1)) == {"webhook_deliveries": 1}


class ClockedSafeguarding(SafeguardingService):
    clock = staticmethod(CLOCK.now)

    @loop_job(poll_seconds=0.1, leased=True)
    def enforce_audit_retention(self):
        super().enforce_audit_retention()


def test_audit_entries_go_after_the_audit_period_and_the_trimmed_chain_still_verifies(start_services, api):
    start_services(ProfilesService, ClockedMessaging, ClockedSafeguarding)
    org = organisation(api, {"Ada": "mentor"})
    now = CLOCK.now()
    old, recent = (str(ObjectId.from_datetime(now - timedelta(days=days))) for days in (400, 10))
    for entry_id in (old, recent):  # two moderation decisions in messaging's own log
        ModerationAudit.raw().insert_one({"_id": entry_id, "tenant_id": org.id, "at": now, "actor": "system",
                                          "decision": "held", "message_id": entry_id, "match_id": "m1"})
    put = api.request("PUT", "/v1/settings/retention", org.coordinator, json={"audit_years": 1})
    assert put.status_code == 200, put.text  # the chain's first entry, written now
    _periods_known_as(org.id, "audit_years", 1)

    def moderation_log():
        return {d["_id"] for d in ModerationAudit.raw().find({"tenant_id": org.id})}
    eventually(lambda: _equal(moderation_log(), {recent}))  # 400 days old: past one year
    assert retention.store().deleted(org.id, now - timedelta(days=1)) == {"moderation_audit": 1}

    CLOCK.at = CLOCK.at + timedelta(days=400)  # the first chain entry is now past the period
    again = api.request("PUT", "/v1/settings/retention", org.coordinator, json={"audit_years": 1})
    assert again.status_code == 200, again.text

    def trimmed():
        chain = api.get("/v1/safeguarding/audit", org.lead())
        assert chain.status_code == 200, chain.text
        actions = [(e["seq"], e["action"]) for e in chain.json()["items"]]
        # The job may trim before or after the second change is written: either order is right.
        assert sorted(actions) in ([(2, "retention_changed"), (3, "audit_trimmed")],
                                   [(2, "audit_trimmed"), (3, "retention_changed")]), actions
        return chain.json()
    chain = eventually(trimmed)
    assert chain["verified"] is True, chain
    [trim] = [e for e in chain["items"] if e["action"] == "audit_trimmed"]
    assert trim["data"]["through_seq"] == 1  # only the first entry was past the period

    AuditEntry.raw().delete_one({"tenant_id": org.id, "seq": 2})  # a kept entry deleted behind the job's back
    tampered = api.get("/v1/safeguarding/audit", org.lead()).json()
    # Found either way: at the trimmed base (1) when the deleted entry was the trim that vouched for it, else at 2.
    assert tampered["verified"] is False and tampered["broken_at"] in (1, 2), tampered


def _periods_known_as(tenant_id: str, name: str, value: int):
    def known():
        stored = retention.RetentionPeriods.raw().find_one({"_id": tenant_id, "tenant_id": tenant_id})
        assert stored and stored["periods"].get(name) == value, stored
    eventually(known)


def _equal(found, expected):
    assert found == expected, found
