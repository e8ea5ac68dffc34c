"""Storage of matches, sessions, reminders, calendars and settings: the only module that queries MongoDB.

Two writes here must be safe however many requests and replicas race:

- booking a slot: each person's calendar is one document changed only by compare-and-set on
  its `version`, so two requests that both saw a free slot cannot both take it (the second
  write finds the version moved, re-reads, and sees the clash);
- firing a reminder: a conditional update from `pending` to `fired` that also stores the
  SessionReminderDue event in the reminder's outbox, so exactly one replica wins, and the
  event is published if and only if the reminder was claimed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime

from ementor_contracts import Event
from mongoengine.errors import SaveConditionError
from pymongo.errors import BulkWriteError, DuplicateKeyError

from ementor.platform.outbox import Pending

from . import domain
from .documents import Calendar, GuardianConsent, MatchView, PersonFacts, Reminder, Session, VideoSettings

CAS_ATTEMPTS = 20


class ConcurrentChange(Exception):
    """Someone else changed the same record first; the caller may retry."""


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class VideoRepository:
    # -- matches (projection) -------------------------------------------------------------
    def match(self, tenant_id: str, match_id: str) -> MatchView | None:
        return MatchView.scoped(tenant_id, match_id=match_id).first()

    def record_match(self, tenant_id: str, match_id: str, mentor_id: str, mentee_id: str,
                     programme_id: str | None, status: str, now: datetime) -> None:
        """Move the match forward to `status`; never back (events may arrive out of order)."""
        collection = MatchView.raw()
        earlier = [s for s in domain.MATCH_STATUSES if domain.MATCH_STATUSES[s] < domain.MATCH_STATUSES[status]]
        try:
            collection.update_one(
                {"_id": f"{tenant_id}:{match_id}", "tenant_id": tenant_id, "status": {"$in": earlier}},
                {"$set": {"match_id": match_id, "mentor_id": mentor_id, "mentee_id": mentee_id,
                          "programme_id": programme_id, "status": status, "updated_at": now}},
                upsert=True,
            )
        except DuplicateKeyError:  # it exists at this status or a later one: nothing to do
            pass

    def apply_consent(self, tenant_id: str, person_id: str, state: str, at: datetime) -> bool:
        """Record a guardian consent state unless a newer one is recorded."""
        try:
            result = GuardianConsent.raw().update_one(
                {"_id": f"{tenant_id}:{person_id}", "tenant_id": tenant_id, "$or": [{"at": {"$lte": at}}, {"at": None}]},
                {"$set": {"person_id": person_id, "state": state, "at": at}}, upsert=True)
        except DuplicateKeyError:
            return False
        return bool(result.matched_count or result.upserted_id)

    def consent_of(self, tenant_id: str, person_id: str) -> str | None:
        doc = GuardianConsent.raw().find_one({"_id": f"{tenant_id}:{person_id}", "tenant_id": tenant_id})
        return doc["state"] if doc else None

    def apply_person_facts(self, tenant_id: str, person_id: str, is_minor: bool, vetted: bool, at: datetime,
                           vetting_level: str | None = None) -> None:
        """Record what supervision needs of a person unless newer facts are recorded."""
        try:
            PersonFacts.raw().update_one(
                {"_id": f"{tenant_id}:{person_id}", "tenant_id": tenant_id, "at": {"$lte": at}},
                {"$set": {"person_id": person_id, "is_minor": is_minor, "vetted": vetted,
                          "vetting_level": vetting_level, "at": at}}, upsert=True)
        except DuplicateKeyError:
            pass  # newer facts are stored: this event is stale

    def person_facts(self, tenant_id: str, person_id: str) -> PersonFacts | None:
        return PersonFacts.scoped(tenant_id, id=f"{tenant_id}:{person_id}").first()

    def forget_person_facts(self, tenant_id: str, person_id: str) -> None:
        PersonFacts.scoped(tenant_id, id=f"{tenant_id}:{person_id}").delete()

    def set_paused(self, tenant_id: str, mentee_id: str, reason: str, paused: bool, *,
                   match_id: str | None = None) -> None:
        query = {"tenant_id": tenant_id, "mentee_id": mentee_id}
        if match_id:
            query["match_id"] = match_id
        change = {"$addToSet": {"paused_for": reason}} if paused else {"$pull": {"paused_for": reason}}
        MatchView.raw().update_many(query, change)

    def pause_person(self, tenant_id: str, person_id: str, reason: str) -> None:
        """Pause every match of a person, on either side (a safeguarding suspension)."""
        for side in ("mentee_id", "mentor_id"):
            MatchView.raw().update_many({"tenant_id": tenant_id, side: person_id},
                                                    {"$addToSet": {"paused_for": reason}})

    def forget_matches_of(self, tenant_id: str, person_id: str) -> None:
        MatchView.scoped(tenant_id).filter(__raw__={"$or": [{"mentor_id": person_id}, {"mentee_id": person_id}]}).delete()

    # -- settings -------------------------------------------------------------------------
    def settings(self, tenant_id: str) -> VideoSettings | None:
        return VideoSettings.scoped(tenant_id, id=tenant_id).first()

    def save_settings(self, settings: VideoSettings) -> None:
        settings.save()

    # -- sessions -------------------------------------------------------------------------
    def session(self, tenant_id: str, session_id: str) -> Session | None:
        return Session.scoped(tenant_id, id=session_id, erased__ne=True).first()

    def sessions_by_ids(self, tenant_id: str, session_ids: list[str]) -> dict[str, Session]:
        return {s.id: s for s in Session.scoped(tenant_id, id__in=list(session_ids), erased__ne=True)}

    def add_session(self, session: Session) -> None:
        session.save(force_insert=True)

    def save_session(self, session: Session, expected_sequence: int) -> None:
        """Save if nobody changed the session since it was read (its sequence moves on each change)."""
        try:
            session.save(save_condition={"sequence": expected_sequence, "status": "scheduled"})
        except SaveConditionError:
            raise ConcurrentChange(f"session {session.id} was changed by someone else") from None

    def sessions_of_match(self, tenant_id: str, match_id: str, *, limit: int, cursor: str | None,
                          status: str | None = None, ends_after: datetime | None = None) -> list[Session]:
        return self._page(Session.scoped(tenant_id, match_id=match_id, erased__ne=True), limit, cursor, status,
                          ends_after)

    def sessions_of_person(self, tenant_id: str, person_id: str | None, *, limit: int, cursor: str | None,
                           status: str | None = None, ends_after: datetime | None = None) -> list[Session]:
        query = Session.scoped(tenant_id, erased__ne=True)
        if person_id:
            query = query.filter(__raw__={"$or": [{"mentor_id": person_id}, {"mentee_id": person_id}]})
        return self._page(query, limit, cursor, status, ends_after)

    @staticmethod
    def _page(query, limit: int, cursor: str | None, status: str | None, ends_after: datetime | None) -> list[Session]:
        if status:
            query = query.filter(status=status)
        if ends_after:
            query = query.filter(ends_at__gt=ends_after)
        if cursor:
            starts_at, session_id = decode_cursor(cursor)
            query = query.filter(__raw__={"$or": [{"starts_at": {"$gt": starts_at}},
                                                  {"starts_at": starts_at, "_id": {"$gt": session_id}}]})
        return list(query.order_by("starts_at", "id").limit(limit))

    def future_sessions_of_match(self, tenant_id: str, match_id: str, now: datetime) -> list[Session]:
        return list(Session.scoped(tenant_id, match_id=match_id, status="scheduled", erased__ne=True,
                                   starts_at__gt=now))

    def all_sessions_of_person(self, tenant_id: str, person_id: str) -> list[Session]:
        return list(Session.scoped(tenant_id).filter(
            __raw__={"$or": [{"mentor_id": person_id}, {"mentee_id": person_id}]}))

    def delete_session(self, session: Session) -> None:
        session.delete()

    def sessions_missing_reminders(self, older_than: datetime, limit: int = 100) -> list[Session]:
        # A system sweep across organisations: requests that died before writing reminders.
        return list(Session.objects.across_tenants().filter(
            reminders_pending=True, status="scheduled", updated_at__lt=older_than).limit(limit))

    def reminders_written(self, session: Session) -> None:
        Session.raw().update_one(
            {"_id": session.id, "tenant_id": session.tenant_id, "sequence": session.sequence},
            {"$set": {"reminders_pending": False}},
        )

    # -- calendars: the per-person slot lock ----------------------------------------------
    def _calendars(self):
        return Calendar.raw()

    def update_calendar(self, tenant_id: str, person_id: str,
                        change: Callable[[list[domain.Booking]], list[domain.Booking]]) -> None:
        """Apply `change` to the person's bookings with compare-and-set; re-read and retry if raced."""
        collection = self._calendars()
        key = {"_id": f"{tenant_id}:{person_id}", "tenant_id": tenant_id}
        for _ in range(CAS_ATTEMPTS):
            current = collection.find_one(key)
            bookings = [booking_from(e) for e in (current or {}).get("entries", [])]
            entries = [booking_doc(b) for b in change(bookings)]
            if current is None:
                try:
                    collection.insert_one({**key, "person_id": person_id, "version": 1, "entries": entries})
                    return
                except DuplicateKeyError:
                    continue
            result = collection.update_one({**key, "version": current["version"]},
                                           {"$set": {"entries": entries, "version": current["version"] + 1}})
            if result.matched_count == 1:
                return
        raise ConcurrentChange(f"the calendar of {person_id} is changing too fast; try again")

    def bookings(self, tenant_id: str, person_id: str) -> list[domain.Booking]:
        current = self._calendars().find_one({"_id": f"{tenant_id}:{person_id}", "tenant_id": tenant_id})
        return [booking_from(e) for e in (current or {}).get("entries", [])]

    def forget_calendar(self, tenant_id: str, person_id: str) -> None:
        self._calendars().delete_one({"_id": f"{tenant_id}:{person_id}", "tenant_id": tenant_id})

    # -- reminders ------------------------------------------------------------------------
    def plan_reminders(self, session: Session, plan: list[domain.PlannedReminder]) -> None:
        """Write the reminders of the session's current sequence; repeating this is harmless."""
        collection = Reminder.raw()
        collection.delete_many({"tenant_id": session.tenant_id, "session_id": session.id, "state": "pending",
                                "sequence": {"$ne": session.sequence}})
        documents = [
            Reminder(id=f"{session.id}:{session.sequence}:{p.offset_minutes}", tenant_id=session.tenant_id,
                     session_id=session.id, sequence=session.sequence, offset_minutes=p.offset_minutes,
                     due_at=p.due_at).to_mongo().to_dict()
            for p in plan
        ]
        if documents:
            try:
                collection.insert_many(documents, ordered=False)
            except BulkWriteError as exc:
                if any(error.get("code") != 11000 for error in exc.details.get("writeErrors", [])):
                    raise

    def drop_reminders(self, tenant_id: str, session_id: str) -> None:
        Reminder.raw().delete_many({"tenant_id": tenant_id, "session_id": session_id, "state": "pending"})

    def forget_reminders(self, tenant_id: str, session_id: str) -> None:
        Reminder.raw().delete_many({"tenant_id": tenant_id, "session_id": session_id})

    def due_reminders(self, now: datetime, limit: int) -> list[Reminder]:
        # The reminder job works across organisations; each reminder names its tenant.
        return [Reminder._from_son(d) for d in Reminder.raw().across_tenants()
                .find({"state": "pending", "due_at": {"$lte": now}}).sort("due_at", 1).limit(limit)]

    def pending_reminders(self, tenant_id: str, session_id: str) -> list[Reminder]:
        return list(Reminder.scoped(tenant_id, session_id=session_id, state="pending").order_by("due_at"))

    def claim_reminder(self, reminder: Reminder, event: Event, now: datetime) -> bool:
        """Mark the reminder fired and store its event, in one write; False if another replica won."""
        result = Reminder.raw().update_one(
            {"_id": reminder.id, "tenant_id": reminder.tenant_id, "state": "pending"},
            {"$set": {"state": "fired", "done_at": now},
             "$push": {"outbox": Pending.of(event, reminder.tenant_id).stored()}},
        )
        return result.modified_count == 1

    def skip_reminder(self, reminder: Reminder, now: datetime) -> None:
        Reminder.raw().update_one(
            {"_id": reminder.id, "tenant_id": reminder.tenant_id, "state": "pending"},
            {"$set": {"state": "skipped", "done_at": now}},
        )


def booking_from(entry: dict) -> domain.Booking:
    return domain.Booking(entry["session_id"], _aware(entry["starts_at"]), _aware(entry["ends_at"]),
                          _aware(entry["held_at"]))


def booking_doc(booking: domain.Booking) -> dict:
    return {"session_id": booking.session_id, "starts_at": booking.starts_at, "ends_at": booking.ends_at,
            "held_at": booking.held_at}


def encode_cursor(session: Session) -> str:
    raw = json.dumps([_aware(session.starts_at).isoformat(), session.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class BadCursor(ValueError):
    pass


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        starts_at, session_id = json.loads(raw)
        when = datetime.fromisoformat(starts_at)
        if when.tzinfo is None:
            raise ValueError("naive time in cursor")
        return when, str(session_id)
    except (ValueError, TypeError, RecursionError) as exc:
        raise BadCursor("the cursor is not one this API returned") from exc
