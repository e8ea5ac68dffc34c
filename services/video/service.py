"""Video service entrypoints: sessions, links, invites, reminders, and the match projection."""

from __future__ import annotations

import logging

import eventlet
from ementor_contracts import (
    CloudEvent,
    GuardianConsentChanged,
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchProposed,
    PersonErased,
    ProfileCreated,
    ProfileUpdated,
)
from nameko.rpc import RpcProxy, rpc
from werkzeug.wrappers import Response

from ementor.platform.concern_pauses import PausesOnConcerns
from ementor.platform.config import AppSettings
from ementor.platform.consumer import subscribe
from ementor.platform.errors import Invalid, Unavailable
from ementor.platform.extension import ServiceDependency
from ementor.platform.http.api import api
from ementor.platform.mongo import Repository
from ementor.platform.outbox import EventOutbox
from ementor.platform.pages import page_of
from ementor.platform.principal import Principal
from ementor.platform.retention_job import EnforcesRetention
from ementor.platform.revocation import Revocations
from ementor.platform.schedule import leased_timer
from ementor.platform.settings import VideoSettings

from . import (
    domain,
    domain_errors,
    handlers,
    organisation_settings,
    projection,
    reminders,
    retention,
    schemas,
    session_views,
    subject_access,
)
from .documents import DOCUMENTS, OUTBOX_DOCUMENTS, Session, utcnow
from .links import VideoLinkProvider, provider_from_settings
from .repository import BadCursor, VideoRepository, encode_cursor

log = logging.getLogger(__name__)

COORDINATOR = ("coordinator",)
PROFILES_TIMEOUT_SECONDS = 3.0
REMINDER_TICK_SECONDS = 1.0


class VideoLinks(ServiceDependency):
    """The video-link provider, built once from settings (Jitsi by default)."""

    settings_section = VideoSettings

    def setup(self):
        self.provider = provider_from_settings(self.settings)

    def get_dependency(self, worker_ctx) -> VideoLinkProvider:
        return self.provider


class VideoService(Revocations, EnforcesRetention, PausesOnConcerns):
    name = "video"

    repo: VideoRepository = Repository(VideoRepository, (*DOCUMENTS, *retention.RETENTION_DOCUMENTS))
    outbox = EventOutbox(*OUTBOX_DOCUMENTS)
    settings = AppSettings()
    links: VideoLinkProvider = VideoLinks()
    profiles = RpcProxy("profiles")

    retention_module = retention  # the leased job and its subscribers: EnforcesRetention

    # -- subject access: this service's part of a person's export (safeguarding gathers the parts) --
    @rpc
    def export_person(self, tenant_id: str, person_id: str) -> dict:
        return subject_access.export_person(tenant_id, person_id)

    @rpc
    def guardian_invite(self, tenant_id: str, session_id: str, guardian_name: str,
                        label: str = "guardian") -> dict | None:
        """An invited guardian's own link to a session (profiles emails it), naming them "<name> (<label>)",
        the label in the child's language; None when the session does not invite its mentee's guardian, or is
        no longer scheduled."""
        session = self.repo.session(tenant_id, session_id)
        return session_views.guardian_invite(session, guardian_name, self.links,
                                             organisation_settings.limits(self.repo, tenant_id)[1], label)

    # -- sessions -------------------------------------------------------------------------
    @api("POST", "/v1/matches/<match_id>/sessions", body=schemas.ScheduleSession, query=schemas.ViewQuery,
         response=schemas.Session, status=201,
         summary="Schedule a video session in an active match (its two people or a coordinator)")
    def schedule_session(self, auth: Principal, match_id: str, body: schemas.ScheduleSession, query: schemas.ViewQuery):
        override = self._zone(query.timezone)
        session = handlers.schedule_session(self.repo, self.links, auth, match_id, body)
        return self._view(session, auth, override)

    @api("GET", "/v1/matches/<match_id>/sessions", query=schemas.SessionListQuery, response=schemas.SessionList,
         summary="List a match's sessions, soonest first")
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
        person_id = session_views.check_person_filter(auth, query.person_id)
        items = self._fetch(lambda cursor: self.repo.sessions_of_person(
            auth.tenant_id, person_id, limit=query.limit + 1, cursor=cursor, status=query.status,
            ends_after=utcnow() if query.upcoming else None), query.cursor)
        return self._list(items, query.limit, auth, override)

    @api("GET", "/v1/sessions/<session_id>", query=schemas.ViewQuery, response=schemas.Session,
         summary="Get a session with the viewer's own join link, in the viewer's time zone")
    def get_session(self, auth: Principal, session_id: str, query: schemas.ViewQuery):
        override = self._zone(query.timezone)
        return self._view(handlers.session_for(self.repo, auth, session_id), auth, override)

    @api("PATCH", "/v1/sessions/<session_id>", body=schemas.RescheduleSession, query=schemas.ViewQuery,
         response=schemas.Session,
         summary="Reschedule a session (raises the invite's SEQUENCE; reminders move with it)")
    def reschedule_session(self, auth: Principal, session_id: str, body: schemas.RescheduleSession,
                           query: schemas.ViewQuery):
        override = self._zone(query.timezone)
        session = handlers.reschedule_session(self.repo, auth, session_id, body)
        return self._view(session, auth, override)

    @api("POST", "/v1/sessions/<session_id>/cancel", body=schemas.CancelSession, query=schemas.ViewQuery,
         response=schemas.Session,
         summary="Cancel a session (its invite becomes METHOD:CANCEL; reminders are dropped)")
    def cancel_session(self, auth: Principal, session_id: str, body: schemas.CancelSession, query: schemas.ViewQuery):
        override = self._zone(query.timezone)
        session = handlers.cancel_session(self.repo, auth, session_id, body)
        return self._view(session, auth, override)

    @api("GET", "/v1/sessions/<session_id>/invite.ics",
         summary="The session's iCalendar invite (RFC 5545) for the viewer, with their own join link")
    def session_invite(self, auth: Principal, session_id: str):
        session = handlers.session_for(self.repo, auth, session_id)
        people = self._people(auth.tenant_id, [session.mentor_id, session.mentee_id])
        _, options = organisation_settings.limits(self.repo, auth.tenant_id)
        body = session_views.invite(session, auth, people, self.links, options)
        return Response(body, status=200, mimetype="text/calendar", headers={
            "Content-Disposition": f'attachment; filename="session-{session.id}.ics"',
            "Cache-Control": "private, no-store",  # it holds a personal join link
        })

    # -- settings -------------------------------------------------------------------------
    @api("GET", "/v1/settings/video", roles=COORDINATOR, response=schemas.VideoSettings,
         summary="The organisation's video settings: durations, reminders, Jitsi options")
    def get_settings(self, auth: Principal):
        return organisation_settings.settings_view(self.repo, auth.tenant_id, self.links)

    @api("PUT", "/v1/settings/video", roles=COORDINATOR, body=schemas.UpdateVideoSettings,
         response=schemas.VideoSettings, summary="Replace the organisation's video settings")
    def put_settings(self, auth: Principal, body: schemas.UpdateVideoSettings):
        organisation_settings.update_settings(self.repo, auth, body, lambda staff_id: self._staff_name(auth, staff_id))
        return organisation_settings.settings_view(self.repo, auth.tenant_id, self.links)

    # -- events ---------------------------------------------------------------------------
    @subscribe(MatchProposed)
    def on_match_proposed(self, event: MatchProposed, envelope: CloudEvent):
        projection.record_match(self.repo, envelope.tenantid, event, "proposed")

    @subscribe(MatchAccepted)
    def on_match_accepted(self, event: MatchAccepted, envelope: CloudEvent):
        projection.record_match(self.repo, envelope.tenantid, event, "active")

    @subscribe(MatchDeclined)
    def on_match_declined(self, event: MatchDeclined, envelope: CloudEvent):
        projection.record_match(self.repo, envelope.tenantid, event, "declined")

    @subscribe(MatchEnded)
    def on_match_ended(self, event: MatchEnded, envelope: CloudEvent):
        projection.match_ended(self.repo, envelope.tenantid, event)

    @subscribe(GuardianConsentChanged)
    def on_guardian_consent(self, event: GuardianConsentChanged, envelope: CloudEvent):
        projection.guardian_consent_changed(self.repo, envelope.tenantid, event.person_id, event.state, envelope.time)

    @subscribe(ProfileCreated)
    def on_profile_created(self, event: ProfileCreated, envelope: CloudEvent):
        projection.profile_changed(self.repo, envelope.tenantid, event, envelope.time)

    @subscribe(ProfileUpdated)
    def on_profile_updated(self, event: ProfileUpdated, envelope: CloudEvent):
        projection.profile_changed(self.repo, envelope.tenantid, event, envelope.time)

    @subscribe(PersonErased)
    def on_person_erased(self, event: PersonErased, envelope: CloudEvent):
        projection.person_erased(self.repo, envelope.tenantid, event.person_id)

    # -- scheduled jobs -------------------------------------------------------------------
    @leased_timer(interval=REMINDER_TICK_SECONDS)
    def send_due_reminders(self):
        now = utcnow()
        reminders.repair_reminders(self.repo, now)
        fired = reminders.fire_due_reminders(self.repo, now)
        if fired:
            log.info("video: %d session reminder(s) due", fired)

    # -- helpers --------------------------------------------------------------------------
    @staticmethod
    def _zone(name: str | None) -> str | None:
        if name:
            try:
                domain.zone(name)
            except domain.InvalidSession as exc:
                raise domain_errors.invalid(exc)
        return name

    def _staff_name(self, auth: Principal, staff_id: str) -> str | None:
        try:
            with eventlet.Timeout(PROFILES_TIMEOUT_SECONDS):
                return self.profiles.get_staff_name.call_async(auth.tenant_id, staff_id).result()
        except (Exception, eventlet.Timeout) as exc:  # noqa: BLE001 - the settings wait; nothing is saved
            log.warning("video: profiles did not answer get_staff_name (%r)", exc)
            raise Unavailable("the observer's name could not be checked just now; try again in a minute",
                              code="profiles_unavailable")

    def _people(self, tenant_id: str, person_ids: list[str]) -> dict[str, session_views.PersonInfo]:
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
        return {pid: session_views.PersonInfo(name=c.get("name") or "", timezone=c.get("timezone"))
                for pid, c in (contacts or {}).items() if pid in ids}

    def _view(self, session: Session, auth: Principal, override: str | None) -> schemas.Session:
        people = self._people(auth.tenant_id, [auth.person_id] if auth.is_person else [])
        zone_name, tz = session_views.viewer_zone(auth, people, override)
        _, options = organisation_settings.limits(self.repo, auth.tenant_id)
        return session_views.session_view(session, auth, people, self.links, options, zone_name, tz)

    @staticmethod
    def _fetch(load, cursor: str | None):
        try:
            return load(cursor)
        except BadCursor as exc:
            raise Invalid(str(exc), code="bad_cursor", details=[{"field": "cursor", "message": str(exc)}])

    def _list(self, items: list[Session], limit: int, auth: Principal, override: str | None) -> schemas.SessionList:
        people = self._people(auth.tenant_id, [auth.person_id] if auth.is_person else [])
        zone_name, tz = session_views.viewer_zone(auth, people, override)
        _, options = organisation_settings.limits(self.repo, auth.tenant_id)
        return page_of(schemas.SessionList, items, limit,
                       lambda s: session_views.session_view(s, auth, people, self.links, options, zone_name, tz),
                       cursor=encode_cursor)
