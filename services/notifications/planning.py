"""Planning: who hears about an event (or an idle match), on which channel, stored as deliveries.

One delivery per (cause, recipient, channel): a unique index makes a second delivery of the same
event plan nothing new. A new message's cause is its conversation's notice window, so a chat does
not send a notice per message. The delivery loop (delivery.py) sends them.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from ementor_contracts import COORDINATOR, CloudEvent, ConversationRead, Event, MessageSent

from ementor.platform.settings import NotificationsSettings

from . import domain, templates
from .documents import UNSENT_STATUSES, Delivery, OrganisationSettings, utcnow
from .repository import NotificationsRepository
from .sms import SmsGateway

log = logging.getLogger(__name__)

JOINABLE = {*UNSENT_STATUSES, "skipped"}  # a notice a new message can join (skipped: only if as read)


class PlanningRead(NamedTuple):
    """What planning read for one organisation at `at` (time.monotonic()): its notification settings
    and the contact details of the people the notices name, by person id."""

    organisation: OrganisationSettings
    contacts: dict[str, dict]
    at: float


class Planned(NamedTuple):
    """Deliveries just stored, with what was read to plan them: the sender uses that instead of
    reading it again when it sends within moments (delivery.HANDED_READ_SECONDS)."""

    deliveries: list[Delivery]
    read: PlanningRead | None = None


def sms_policy(settings: NotificationsSettings, organisation: OrganisationSettings, gateway: SmsGateway | None) -> domain.SmsPolicy:
    has_sender = bool(organisation.sms_from or organisation.messaging_service_sid or settings.TWILIO_FROM_NUMBER)
    return domain.SmsPolicy(configured=gateway is not None and has_sender,
                            allow_minors=bool(organisation.allow_sms_to_minors))


def notify(repo: NotificationsRepository, profiles, settings: NotificationsSettings, gateway: SmsGateway | None,
           event: Event, envelope: CloudEvent) -> Planned:
    """Plan the notifications an event causes; return the new deliveries stored (and what was read to plan them)."""
    match_people = None
    if event.type_name() == "GoalCompleted":
        match = repo.match(envelope.tenantid, event.match_id)
        if match is not None and match.mentor_id and match.mentee_id:
            match_people = (match.mentor_id, match.mentee_id)
    notices = domain.notices_for(event, match_people)
    if isinstance(event, MessageSent):
        return tell_of_message(repo, profiles, settings, gateway, envelope, notices,
                               told_until=event.delivered_at or envelope.time)
    return plan(repo, profiles, settings, gateway, envelope.tenantid, envelope.id, envelope.type, notices)


def tell_of_message(repo: NotificationsRepository, profiles, settings: NotificationsSettings, gateway: SmsGateway | None,
                    envelope: CloudEvent, notices: list[domain.Notice], told_until: datetime) -> Planned:
    """A new message is told at most once per conversation, person and `message_notice_minutes` window.

    The first message of a window is told at once. A later one joins a notice not sent yet; once that
    one has gone, it is told by the next window's notice, planned for that window's start, which
    the messages until then join. A live chat sends one notice a window, and no message goes
    untold for longer than one. A notice due later is left to the delivery loop's scan; one whose
    messages are all read before it goes is dropped (`messages_read`).
    """
    tenant_id, (notice,) = envelope.tenantid, notices
    minutes = repo.settings(tenant_id, cached=True).message_notice_minutes
    if not minutes:
        return plan(repo, profiles, settings, gateway, tenant_id, envelope.id, envelope.type, notices)
    window = domain.NoticeWindow.of(notice.values["match_id"], envelope.time, minutes)
    told = repo.notice_statuses(tenant_id, [window.cause_id, window.next.cause_id], notice.recipient)
    for current, due in ((window, None), (window.next, window.next.starts_at)):
        statuses = told.get(current.cause_id)
        if not statuses:
            told_of = notices if due is None else [dataclasses.replace(notice, kind="more_messages_received")]
            planned = plan(repo, profiles, settings, gateway, tenant_id, current.cause_id, envelope.type, told_of,
                           due=due, told_until=told_until)
            if not planned.deliveries:  # planned meanwhile for another message (or no channel): join it
                repo.join_notice(tenant_id, current.cause_id, notice.recipient, told_until)
            return planned if due is None or due <= utcnow() else Planned([], planned.read)
        if statuses & JOINABLE and repo.join_notice(tenant_id, current.cause_id, notice.recipient, told_until):
            return Planned([])  # the notice still to go tells of this message too
    return Planned([])  # both have gone, after this message was delivered: they told of it


def messages_read(repo: NotificationsRepository, tenant_id: str, event: ConversationRead) -> int:
    """Drop the new-message notices to the reader, still waiting, whose every message they have
    now read in the app; the number dropped. Such a notice tells of messages delivered by `up_to`,
    so it belongs to the window of `up_to` or one next to it, however late the read: an SMS held
    overnight for quiet hours is found when the night's messages are read in the morning."""
    minutes = repo.settings(tenant_id, cached=True).message_notice_minutes
    if not minutes:
        return 0  # every message is told at once: nothing waits
    read_to = domain.NoticeWindow.of(event.match_id, event.up_to, minutes)
    windows = [domain.NoticeWindow(event.match_id, minutes, read_to.index + step) for step in (-1, 0, 1)]
    dropped = repo.skip_read_notices(tenant_id, event.reader_id, [w.cause_id for w in windows], event.up_to)
    if dropped:
        log.info("dropped %d new-message notice(s) to %s: read in the app", dropped, event.reader_id)
    return dropped


def plan(repo: NotificationsRepository, profiles, settings: NotificationsSettings, gateway: SmsGateway | None, tenant_id: str,
         cause_id: str, cause_type: str, notices: list[domain.Notice], due: datetime | None = None,
         told_until: datetime | None = None) -> Planned:
    """Store one delivery per recipient and channel, to go at `due` (now by default); return those
    that did not exist yet. Everyone the notices name is read at once: the sender needs their names too."""
    if not notices:
        return Planned([])
    people = sorted({*(n.recipient for n in notices if not n.to_coordinator), *(p for n in notices for p in n.mentions)})
    contacts = profiles.get_contacts(tenant_id, people) if people else {}
    organisation = repo.settings(tenant_id, cached=True)
    policy = sms_policy(settings, organisation, gateway)
    now = utcnow()
    created = []
    for notice in notices:
        if notice.to_coordinator:
            if not organisation.coordinator_email:
                log.warning("dropping %s of %s %s: organisation %s has no coordinator_email in its notification "
                            "settings", notice.kind, cause_type, cause_id, tenant_id)
                continue
            channels = [domain.EMAIL]
        else:
            contact = contacts.get(notice.recipient)
            if contact is None:
                log.warning("dropping %s of %s %s for person %s: unknown or erased", notice.kind, cause_type,
                            cause_id, notice.recipient)
                continue
            channels = domain.channels_for(contact, templates.KINDS[notice.kind].sms is not None, policy)
            if not channels:
                log.info("no channel for %s of %s %s to person %s (preferences)", notice.kind, cause_type,
                         cause_id, notice.recipient)
        for channel in channels:
            delivery = Delivery(
                tenant_id=tenant_id, cause_event_id=cause_id, cause_event_type=cause_type,
                recipient=notice.recipient, channel=channel, kind=notice.kind, about=notice.about,
                names=dict(notice.names), mentions=notice.mentions, values=dict(notice.values),
                status="pending", next_attempt_at=max(now, due) if due else now, told_until=told_until,
            )
            if repo.add_delivery(delivery):
                created.append(delivery)
            else:
                log.info("%s of %s %s to %s by %s exists already: not planned twice", notice.kind, cause_type,
                         cause_id, notice.recipient, channel)
    return Planned(created, PlanningRead(organisation, contacts, time.monotonic()))


def nudge_quiet_matches(repo: NotificationsRepository, profiles, settings: NotificationsSettings, gateway: SmsGateway | None,
                        now: datetime | None = None) -> list[Delivery]:
    """One run of the nudge job: nudge quiet matches, tell coordinators of those still quiet after."""
    now = now or utcnow()
    organisations: dict[str, OrganisationSettings] = {}
    planned: list[Delivery] = []
    for match in repo.quiet_matches(idle_before=now - timedelta(days=1)):
        organisation = organisations.get(match.tenant_id) or organisations.setdefault(
            match.tenant_id, repo.settings(match.tenant_id, cached=True))
        state = domain.IdleMatch(idle_since=_aware(match.idle_since), nudged_for=_aware(match.nudged_for),
                                 nudged_at=_aware(match.nudged_at), escalated_for=_aware(match.escalated_for))
        step = domain.nudge_step(state, now, organisation.nudge_after_days, organisation.escalate_after_days)
        idle_days = (now - state.idle_since).days
        if step == "nudge":
            notices = domain.pair_notices("nudge", match.mentor_id, match.mentee_id,
                                          {"match_id": match.match_id, "idle_days": idle_days})
            planned += plan(repo, profiles, settings, gateway, match.tenant_id,
                            domain.nudge_cause_id(match.match_id, state.idle_since), domain.NUDGE_CAUSE,
                            notices).deliveries
            repo.mark_nudged(match, now)
        elif step == "escalate":
            notice = domain.Notice(
                COORDINATOR, "nudge_escalation", names={"mentor_name": match.mentor_id, "mentee_name": match.mentee_id},
                values={"match_id": match.match_id, "idle_days": idle_days,
                        "nudged_days_ago": (now - state.nudged_at).days})
            planned += plan(repo, profiles, settings, gateway, match.tenant_id,
                            domain.nudge_cause_id(match.match_id, state.idle_since, escalation=True),
                            domain.ESCALATION_CAUSE, [notice]).deliveries
            repo.mark_escalated(match)
        elif state.escalated_for == state.idle_since:
            repo.mark_settled(match)  # a late, older message reopened a spell already dealt with
    return planned


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def erase_person(repo: NotificationsRepository, tenant_id: str, person_id: str) -> None:
    removed, scrubbed = repo.erase_person(tenant_id, person_id)
    forgotten = repo.forget_person_matches(tenant_id, person_id)
    log.info("erased person %s: %d notifications removed, %d others scrubbed of their name, %d matches forgotten",
             person_id, removed, scrubbed, forgotten)
