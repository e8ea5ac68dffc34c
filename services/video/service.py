"""Video service entrypoints: sessions, links, invites, reminders, and the match projection."""

from __future__ import annotations

import logging

import eventlet
from ementor_contracts import (
    CloudEvent,
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchProposed,
    PersonErased,
)
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from werkzeug.wrappers import Response

from ementor.platform.config import AppSettings
from ementor.platform.consumer import subscribe
from ementor.platform.http.api import api
from ementor.platform.http.auth import Principal
from ementor.platform.http.errors import Unprocessable
from ementor.platform.mongo import Repository
from ementor.platform.outbox import EventOutbox
from ementor.platform.schedule import leased_timer

from . import domain, handlers, schemas
from .documents import DOCUMENTS, OUTBOX_DOCUMENTS, Session, utcnow
from .providers import VideoLinkProvider, provider_from_settings
from .repository import BadCursor, VideoRepository, encode_cursor

log = logging.getLogger(__name__)

COORDINATOR = ("coordinator",)
PROFILES_TIMEOUT_SECONDS = 3.0
REMINDER_TICK_SECONDS = 1.0


class VideoLinks(DependencyProvider):
    """The video-link provider, built once from settings (Jitsi by default)."""

    def setup(self):
        self.provider = provider_from_settings(self.container.config["EMENTOR_SETTINGS"])

    def get_dependency(self, worker_ctx) -> VideoLinkProvider:
        return self.provider


class VideoService:
    name = "video"

    repo: VideoRepository = Repository(VideoRepository, DOCUMENTS)
    outbox = EventOutbox(*OUTBOX_DOCUMENTS)
    settings = AppSettings()
    links: VideoLinkProvider = VideoLinks()
    profiles = RpcProxy("profiles")

    # -- sessions -------------------------------------------------------------------------
    @api("POST", "/v1/matches/<match_id>/sessions", body=schemas.ScheduleSession, query=schemas.ViewQuery,
         response=schemas.Session, status=201, errors=(404, 409, 422),
         summary="Schedule a video session in an active match (its two people or a coordinator)")
    def schedule_session(self, auth: Principal, match_id: str, body: schemas.ScheduleSession, query: schemas.ViewQuery):
        override = self._zone(query.timezone)
        session = handlers.schedule_session(self.repo, self.links, auth, match_id, body)
        return self._view(session, auth, override)

    @api("GET", "/v1/matches/<match_id>/sessions", query=schemas.SessionListQuery, response=schemas.SessionList,
         errors=(404,), summary="List a match's sessions, soonest first")
    def list_match_sessions(self, auth: Principal, match_id: str, query: schemas.SessionListQuery):
        override = self._zone(query.timezone)
        handlers.match_for(self.repo, auth, match_id)
        items = self._fetch(lambda cursor: self.repo.sessions_of_match(
            auth.tenant_id, match_id, limit=query.limit + 1, cursor=cursor, status=query.status,
            ends_after=utcnow() if query.upcoming else None), query.cursor)
        return self._list(items, query.limit, auth, override)

    @api("GET", "/v1/sessions", query=schemas.PersonSessionsQuery, response=schemas.SessionList,
         summary="List a person's sessions (a person token: their own), soonest first")
    def list_sessions(self, auth: Principal, query: schemas.PersonSessionsQuery):
        override = self._zone(query.timezone)
        person_id = handlers.check_person_filter(auth, query.person_id)
        items = self._fetch(lambda cursor: self.repo.sessions_of_person(
            auth.tenant_id, person_id, limit=query.limit + 1, cursor=cursor, status=query.status,
            ends_after=utcnow() if query.upcoming else None), query.cursor)
        return self._list(items, query.limit, auth, override)

    @api("GET", "/v1/sessions/<session_id>", query=schemas.ViewQuery, response=schemas.Session, errors=(404,),
         summary="Get a session with the viewer's own join link, in the viewer's time zone")
    def get_session(self, auth: Principal, session_id: str, query: schemas.ViewQuery):
        override = self._zone(query.timezone)
        return self._view(handlers.session_for(self.repo, auth, session_id), auth, override)

    @api("PATCH", "/v1/sessions/<session_id>", body=schemas.RescheduleSession, query=schemas.ViewQuery,
         response=schemas.Session, errors=(404, 409, 422),
         summary="Reschedule a session (raises the invite's SEQUENCE; reminders move with it)")
    def reschedule_session(self, auth: Principal, session_id: str, body: schemas.RescheduleSession,
                           query: schemas.ViewQuery):
        override = self._zone(query.timezone)
        session = handlers.reschedule_session(self.repo, auth, session_id, body)
        return self._view(session, auth, override)

    @api("POST", "/v1/sessions/<session_id>/cancel", body=schemas.CancelSession, query=schemas.ViewQuery,
         response=schemas.Session, errors=(404, 409),
         summary="Cancel a session (its invite becomes METHOD:CANCEL; reminders are dropped)")
    def cancel_session(self, auth: Principal, session_id: str, body: schemas.CancelSession, query: schemas.ViewQuery):
        override = self._zone(query.timezone)
        session = handlers.cancel_session(self.repo, auth, session_id, body)
        return self._view(session, auth, override)

    @api("GET", "/v1/sessions/<session_id>/invite.ics", errors=(404,),
         summary="The session's iCalendar invite (RFC 5545) for the viewer, with their own join link")
    def session_invite(self, auth: Principal, session_id: str):
        session = handlers.session_for(self.repo, auth, session_id)
        people = self._people(auth.tenant_id, [session.mentor_id, session.mentee_id])
        _, options = handlers.limits(self.repo, auth.tenant_id)
        body = handlers.invite(session, auth, people, self.links, options)
        return Response(body, status=200, mimetype="text/calendar", headers={
            "Content-Disposition": f'attachment; filename="session-{session.id}.ics"',
            "Cache-Control": "private, no-store",  # it holds a personal join link
        })

    # -- settings -------------------------------------------------------------------------
    @api("GET", "/v1/settings/video", roles=COORDINATOR, response=schemas.VideoSettings,
         summary="The organisation's video settings: durations, reminders, Jitsi options")
    def get_settings(self, auth: Principal):
        return handlers.settings_view(self.repo, auth.tenant_id, self.links)

    @api("PUT", "/v1/settings/video", roles=COORDINATOR, body=schemas.UpdateVideoSettings,
         response=schemas.VideoSettings, errors=(422,), summary="Replace the organisation's video settings")
    def put_settings(self, auth: Principal, body: schemas.UpdateVideoSettings):
        handlers.update_settings(self.repo, auth, body)
        return handlers.settings_view(self.repo, auth.tenant_id, self.links)

    # -- events ---------------------------------------------------------------------------
    @subscribe(MatchProposed)
    def on_match_proposed(self, event: MatchProposed, envelope: CloudEvent):
        handlers.record_match(self.repo, envelope.tenantid, event, "proposed")

    @subscribe(MatchAccepted)
    def on_match_accepted(self, event: MatchAccepted, envelope: CloudEvent):
        handlers.record_match(self.repo, envelope.tenantid, event, "active")

    @subscribe(MatchDeclined)
    def on_match_declined(self, event: MatchDeclined, envelope: CloudEvent):
        handlers.record_match(self.repo, envelope.tenantid, event, "declined")

    @subscribe(MatchEnded)
    def on_match_ended(self, event: MatchEnded, envelope: CloudEvent):
        handlers.match_ended(self.repo, envelope.tenantid, event)

    @subscribe(PersonErased)
    def on_person_erased(self, event: PersonErased, envelope: CloudEvent):
        handlers.person_erased(self.repo, envelope.tenantid, event.person_id)

    # -- scheduled jobs -------------------------------------------------------------------
    @leased_timer(interval=REMINDER_TICK_SECONDS)
    def send_due_reminders(self):
        now = utcnow()
        handlers.repair_reminders(self.repo, now)
        fired = handlers.fire_due_reminders(self.repo, now)
        if fired:
            log.info("video: %d session reminder(s) due", fired)

    # -- helpers --------------------------------------------------------------------------
    @staticmethod
    def _zone(name: str | None) -> str | None:
        if name:
            try:
                domain.zone(name)
            except domain.InvalidSession as exc:
                raise handlers.invalid(exc)
        return name

    def _people(self, tenant_id: str, person_ids: list[str]) -> dict[str, handlers.PersonInfo]:
        """Names and time zones from profiles; without an answer, times show in UTC and roles stand in for names."""
        ids = sorted({p for p in person_ids if p})
        if not ids:
            return {}
        try:
            with eventlet.Timeout(PROFILES_TIMEOUT_SECONDS):
                contacts = self.profiles.get_contacts.call_async(tenant_id, ids).result()
        except (Exception, eventlet.Timeout) as exc:  # noqa: BLE001 - whatever went wrong, degrade: never a 500
            log.warning("video: profiles did not answer get_contacts (%r); showing UTC", exc)
            return {}
        # Only what we show: contact details in the answer are dropped here and never stored.
        return {pid: handlers.PersonInfo(name=c.get("name") or "", timezone=c.get("timezone"))
                for pid, c in (contacts or {}).items() if pid in ids}

    def _view(self, session: Session, auth: Principal, override: str | None) -> schemas.Session:
        people = self._people(auth.tenant_id, [auth.person_id] if auth.is_person else [])
        zone_name, tz = handlers.viewer_zone(auth, people, override)
        _, options = handlers.limits(self.repo, auth.tenant_id)
        return handlers.session_view(session, auth, people, self.links, options, zone_name, tz)

    @staticmethod
    def _fetch(load, cursor: str | None):
        try:
            return load(cursor)
        except BadCursor as exc:
            raise Unprocessable(str(exc), code="bad_cursor", details=[{"field": "cursor", "message": str(exc)}])

    def _list(self, items: list[Session], limit: int, auth: Principal, override: str | None) -> schemas.SessionList:
        page, more = items[:limit], len(items) > limit
        people = self._people(auth.tenant_id, [auth.person_id] if auth.is_person else [])
        zone_name, tz = handlers.viewer_zone(auth, people, override)
        _, options = handlers.limits(self.repo, auth.tenant_id)
        return schemas.SessionList(
            items=[handlers.session_view(s, auth, people, self.links, options, zone_name, tz) for s in page],
            next_cursor=encode_cursor(page[-1]) if more and page else None,
        )
