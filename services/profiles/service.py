# Over 400 lines on purpose: every profiles endpoint in one table (the views at the bottom could move to views.py when it next grows; SSO and TOTP live in sso_api.py and totp_api.py).
"""Profiles service entrypoints: organisations, tokens, programmes, people, and contact RPC."""

from __future__ import annotations

import logging

import eventlet
from ementor_contracts import CloudEvent, SessionCancelled, SessionRescheduled, SessionScheduled
from nameko.rpc import RpcProxy, rpc
from werkzeug.wrappers import Response

from ementor.platform.config import AppSettings
from ementor.platform.consumer import subscribe
from ementor.platform.errors import BadInput, Invalid, NotFound, RateLimited, Unauthenticated, Unavailable
from ementor.platform.http.api import api
from ementor.platform.http.auth import bearer_token, issue_token
from ementor.platform.http.cookies import (
    REFRESH_COOKIE,
    clear_session_cookies,
    require_csrf,
    set_session_cookies,
)
from ementor.platform.http.server import json_response
from ementor.platform.loop_job import LoopKicks, loop_job
from ementor.platform.metrics import AUTH_FAILURES
from ementor.platform.mongo import Repository
from ementor.platform.outbox import EventOutbox
from ementor.platform.pages import page_of
from ementor.platform.principal import STAFF_ROLES, TOKEN_ROLES, Principal
from ementor.platform.ratelimit import Limit, RateLimits, client_address
from ementor.platform.revocation import Revocations
from ementor.platform.settings import ProfilesSettings

from . import (
    accounts,
    guardian_invites,
    guardians,
    handlers,
    import_jobs,
    imports,
    invitations,
    schemas,
    subject_access,
    totp,
    vetting,
)
from . import guardian_schemas as gs
from .documents import DOCUMENTS, OUTBOX_DOCUMENTS, Channels, Organisation, Person, Programme, Staff, utcnow
from .domain import parse_api_key
from .guardian_documents import GUARDIAN_DOCUMENTS
from .import_documents import ImportJob
from .import_schemas import ImportAccepted, ImportQuery, ImportStatus, RowRefusal
from .import_worker import ImportWorker
from .mailer import LinkMailer
from .repository import ProfilesRepository
from .sso_api import SingleSignOnApi
from .sso_documents import SSO_DOCUMENTS
from .totp_api import SecondFactorApi
from .totp_documents import TOTP_DOCUMENTS

log = logging.getLogger(__name__)

COORDINATOR = ("coordinator",)
MANAGE_STAFF = ("manage_staff",)
SIGNED_IN = TOKEN_ROLES
RPC_TIMEOUT_SECONDS = 5.0


class ProfilesService(SingleSignOnApi, SecondFactorApi, Revocations):
    name = "profiles"

    repo: ProfilesRepository = Repository(ProfilesRepository,
                                           DOCUMENTS + GUARDIAN_DOCUMENTS + SSO_DOCUMENTS + TOTP_DOCUMENTS)
    outbox = EventOutbox(*OUTBOX_DOCUMENTS)
    settings = AppSettings(ProfilesSettings)
    mail = LinkMailer()
    limiter = RateLimits()
    matching = RpcProxy("matching")  # a mentor may read their mentee's public profile while they are matched
    video = RpcProxy("video")  # an invited guardian's own session link (guardian_invites.py)

    @property
    def links(self) -> guardians.Links:
        return guardians.Links(public_url=self.settings.EMENTOR_PUBLIC_URL, ip_key=self.settings.EMENTOR_JWT_SECRET)
    importer = ImportWorker()
    kicks = LoopKicks()

    # -- organisations and tokens ---------------------------------------------------------
    @api("POST", "/v1/organisations", auth="operator", body=schemas.CreateOrganisation,
         response=schemas.OrganisationWithKey, status=201, summary="Create an organisation (platform operator)")
    def create_organisation(self, auth: Principal, body: schemas.CreateOrganisation):
        organisation, api_key = handlers.create_organisation(self.repo, body)
        return schemas.OrganisationWithKey(**organisation_view(organisation).model_dump(), api_key=api_key)

    @api("POST", "/v1/organisations/<organisation_id>/api-keys", auth="operator", body=schemas.RotateKey,
         response=schemas.NewKey, status=201, summary="Rotate an organisation's API key (platform operator)")
    def rotate_api_key(self, auth: Principal, organisation_id: str, body: schemas.RotateKey):
        return handlers.rotate_key(self.repo, organisation_id, body)

    @api("GET", "/v1/organisations", auth="operator", query=schemas.PageQuery, response=schemas.OrganisationList,
         summary="List organisations (platform operator)")
    def list_organisations(self, auth: Principal, query: schemas.PageQuery):
        items = self.repo.organisations(limit=query.limit + 1, after=query.cursor)
        return page_of(schemas.OrganisationList, items, query.limit, organisation_view)

    @api("POST", "/v1/organisations/<organisation_id>/disable", auth="operator", response=schemas.Organisation,
         summary="Disable an organisation: its API keys and tokens stop working (platform operator)")
    def disable_organisation(self, auth: Principal, organisation_id: str):
        organisation = self.repo.disable_organisation(organisation_id, utcnow())
        if organisation is None:
            raise NotFound(f"no organisation {organisation_id}")
        return organisation_view(organisation)

    @api("POST", "/v1/auth/token", auth="public", pass_request=True, body=schemas.TokenRequest,
         response=schemas.Token, summary="Exchange the organisation's API key for an integration or person token")
    def issue_token(self, request, body: schemas.TokenRequest):
        settings = self.settings
        organisation, key = self._authenticate_api_key(request)
        self._limit(f"token:{key.key_id}", Limit(600, 60), endpoint="token")
        ttl = settings.EMENTOR_TOKEN_TTL_SECONDS
        if body.person_id:
            person = self.repo.person(organisation.id, body.person_id)
            if person is None:
                raise NotFound(f"no person {body.person_id} in this organisation")
            token = issue_token(settings.EMENTOR_JWT_SECRET, tenant_id=organisation.id, role=person.role,
                                person_id=person.id, api_key_id=key.key_id, read_only=key.read_only, ttl=ttl)
            return schemas.Token(access_token=token, expires_in=ttl, role=person.role, person_id=person.id)
        # The key acts as the `integration` principal; existing clients keep reading role "coordinator".
        token = issue_token(settings.EMENTOR_JWT_SECRET, tenant_id=organisation.id, role="integration",
                            api_key_id=key.key_id, read_only=key.read_only, ttl=ttl)
        return schemas.Token(access_token=token, expires_in=ttl, role="coordinator")

    # -- staff ----------------------------------------------------------------------------
    @api("POST", "/v1/staff", roles=MANAGE_STAFF, body=schemas.InviteStaff, response=schemas.StaffMember, status=201,
         summary="Invite a member of staff (admin or API key): they get an email with a sign-in link")
    def invite_staff(self, auth: Principal, body: schemas.InviteStaff):
        return staff_view(accounts.invite_staff(self.repo, auth, body, self.mail, self._links()))

    @api("GET", "/v1/staff", roles=MANAGE_STAFF, query=schemas.PageQuery, response=schemas.StaffList,
         summary="List the organisation's current staff")
    def list_staff(self, auth: Principal, query: schemas.PageQuery):
        items = self.repo.staff(auth.tenant_id, limit=query.limit + 1, after=query.cursor)
        return page_of(schemas.StaffList, items, query.limit, staff_view)

    @api("DELETE", "/v1/staff/<staff_id>", roles=MANAGE_STAFF, status=204,
         summary="Remove a member of staff: their sessions end across every service")
    def remove_staff(self, auth: Principal, staff_id: str):
        accounts.remove_staff(self.repo, auth, staff_id)

    @api("DELETE", "/v1/staff/<staff_id>/sessions", roles=MANAGE_STAFF, status=204,
         summary="Sign a member of staff out everywhere: their tokens stop working across every service")
    def sign_out_staff_everywhere(self, auth: Principal, staff_id: str):
        accounts.sign_out_everywhere(self.repo, auth, "staff", staff_id)

    @api("DELETE", "/v1/people/<person_id>/sessions", roles=MANAGE_STAFF, status=204,
         summary="Sign a mentor or mentee out everywhere: their tokens stop working across every service")
    def sign_out_person_everywhere(self, auth: Principal, person_id: str):
        accounts.sign_out_everywhere(self.repo, auth, "person", person_id)

    # -- sign-in and sessions -------------------------------------------------------------
    @api("POST", "/v1/auth/sign-in", auth="public", pass_request=True, body=schemas.SignIn,
         response=schemas.SignInRequested, status=202,
         summary="Email a single-use sign-in link; answers the same whether or not the address is known")
    def request_sign_in(self, request, body: schemas.SignIn):
        # per client address generous (a school signs a whole class in behind one NAT); per email strict
        self._limit(f"sign-in-ip:{client_address(request)}", Limit(300, 900), endpoint="sign-in")
        self._limit(f"sign-in:{body.organisation.lower()}:{body.email.lower()}", Limit(5, 900), endpoint="sign-in")
        accounts.request_sign_in(self.repo, body, self.mail, self._links())
        return schemas.SignInRequested()

    @api("POST", "/v1/auth/sign-in/complete", auth="public", pass_request=True, body=schemas.CompleteSignIn,
         response=schemas.SessionTokens,
         summary="Exchange an emailed link's token for an access token, a refresh token and the session cookie")
    def complete_sign_in(self, request, body: schemas.CompleteSignIn):
        self._limit(f"complete-ip:{client_address(request)}", Limit(120, 60), endpoint="sign-in-complete")
        try:
            subject = accounts.claim_sign_in(self.repo, body)
        except BadInput as exc:
            self._failed("sign-in-complete", exc.code, request)
            raise
        if totp.needs_second_factor(subject):  # staff of an organisation that requires TOTP: 202, no session yet
            return json_response(totp.challenge(subject).model_dump(mode="json"), 202)
        return self._session_response(accounts.open_session(self.repo, subject, self._links()))

    @api("POST", "/v1/auth/refresh", auth="public", pass_request=True, body=schemas.Refresh,
         response=schemas.SessionTokens, summary="A new access token and refresh token for the session (rotating)")
    def refresh(self, request, body: schemas.Refresh):
        self._limit(f"refresh-ip:{client_address(request)}", Limit(120, 60), endpoint="refresh")
        refresh_token = body.refresh_token
        if refresh_token is None:
            refresh_token = request.cookies.get(REFRESH_COOKIE)
            if not refresh_token:
                raise Unauthenticated("send the refresh_token, or the session cookie, to refresh", code="refresh_invalid")
            require_csrf(request)
        try:
            signed_in = accounts.refresh_session(self.repo, refresh_token)
        except Unauthenticated as exc:
            self._failed("refresh", exc.code, request)
            raise
        return self._session_response(signed_in)

    @api("POST", "/v1/auth/sign-out", roles=SIGNED_IN, status=204, summary="End this session (signed-in people)")
    def sign_out(self, auth: Principal):
        accounts.sign_out(self.repo, auth)
        return clear_session_cookies(Response(status=204))

    @api("GET", "/v1/me", roles=SIGNED_IN, response=schemas.Me,
         summary="Who the token belongs to: role, organisation, name and permissions")
    def me(self, auth: Principal):
        return accounts.me(self.repo, auth)

    @api("PATCH", "/v1/me", roles=STAFF_ROLES, body=schemas.UpdateMe, response=schemas.Me,
         summary="A member of staff chooses their language (the web app's and their emails')")
    def update_me(self, auth: Principal, body: schemas.UpdateMe):
        return accounts.update_me(self.repo, auth, body)

    def _links(self) -> accounts.LinkSettings:
        return accounts.LinkSettings.of(self.settings)

    def _limit(self, key: str, limit: Limit, *, endpoint: str) -> None:
        try:
            self.limiter.attempt(key, limit)
        except RateLimited:
            AUTH_FAILURES.labels(self.name, endpoint, "rate_limited").inc()
            log.warning("rate limit reached on %s (%s)", endpoint, key.split(":", 1)[0])
            raise

    def _failed(self, endpoint: str, reason: str, request) -> None:
        AUTH_FAILURES.labels(self.name, endpoint, reason).inc()
        log.warning("%s refused (%s) from %s", endpoint, reason, client_address(request))

    def _session_response(self, signed_in: accounts.SignedIn, **extra) -> Response:
        settings = self.settings
        session, ttl = signed_in.session, settings.EMENTOR_ACCESS_TOKEN_TTL_SECONDS
        access = issue_token(settings.EMENTOR_JWT_SECRET, tenant_id=session.tenant_id, role=session.role,
                             staff_id=signed_in.staff_id, person_id=signed_in.person_id, session_id=session.id, ttl=ttl)
        body = schemas.SessionTokens(access_token=access, expires_in=ttl, refresh_token=signed_in.refresh_token,
                                     csrf_token=session.csrf_token)
        return set_session_cookies(json_response(body.model_dump(mode="json") | extra), access_token=access,
                                   access_ttl=ttl,
                                   refresh_token=signed_in.refresh_token,
                                   session_ttl=settings.EMENTOR_SESSION_TTL_SECONDS, csrf_token=session.csrf_token,
                                   secure=not settings.is_development)

    def _authenticate_api_key(self, request):
        """The key's organisation; refused keys are counted per client address and per key id, and
        either running out of allowance answers 429 until it refills (brute force, leaked key ids)."""
        plaintext = bearer_token(request.headers.get("Authorization"))
        parsed = parse_api_key(plaintext)
        address = client_address(request)
        scopes = [f"address:{address}"] + ([f"key:{parsed[0]}"] if parsed else [])
        failures = Limit(self.settings.EMENTOR_AUTH_FAILURES_PER_MINUTE, 60)
        try:
            self.limiter.check(failures, *scopes)
        except RateLimited:
            AUTH_FAILURES.labels(self.name, "token", "throttled").inc()
            log.warning("auth token refused: too many failures from %s (key id %s)", address, parsed and parsed[0])
            raise
        try:
            return handlers.organisation_for_api_key(self.repo, plaintext)
        except Unauthenticated:
            self.limiter.failed(failures, *scopes)
            AUTH_FAILURES.labels(self.name, "token", "refused").inc()
            log.warning("auth token refused: invalid API key from %s (key id %s)", address, parsed and parsed[0])
            raise

    # -- programmes -----------------------------------------------------------------------
    @api("POST", "/v1/programmes", roles=COORDINATOR, body=schemas.CreateProgramme, response=schemas.Programme,
         status=201, summary="Create a programme with its custom profile fields")
    def create_programme(self, auth: Principal, body: schemas.CreateProgramme):
        return programme_view(handlers.create_programme(self.repo, auth.tenant_id, body))

    @api("GET", "/v1/programmes", query=schemas.PageQuery, response=schemas.ProgrammeList, summary="List programmes")
    def list_programmes(self, auth: Principal, query: schemas.PageQuery):
        items = self.repo.programmes(auth.tenant_id, limit=query.limit + 1, after=query.cursor)
        return page_of(schemas.ProgrammeList, items, query.limit, programme_view)

    @api("GET", "/v1/programmes/<programme_id>", response=schemas.Programme, summary="Get a programme")
    def get_programme(self, auth: Principal, programme_id: str):
        programme = self.repo.programme(auth.tenant_id, programme_id)
        if programme is None:
            raise NotFound(f"no programme {programme_id} in this organisation")
        return programme_view(programme)

    # -- a minor's guardian invited to their sessions (guardian_invites.py) ----------------------------
    @subscribe(SessionScheduled)
    def on_session_scheduled(self, event: SessionScheduled, envelope: CloudEvent):
        guardian_invites.invite(self.repo, self.mail, self._guardian_link, envelope.tenantid, event)

    @subscribe(SessionRescheduled)
    def on_session_rescheduled(self, event: SessionRescheduled, envelope: CloudEvent):
        guardian_invites.invite(self.repo, self.mail, self._guardian_link, envelope.tenantid, event, moved=True)

    @subscribe(SessionCancelled)
    def on_session_cancelled(self, event: SessionCancelled, envelope: CloudEvent):
        guardian_invites.cancelled(self.repo, self.mail, envelope.tenantid, event)

    def _guardian_link(self, tenant_id: str, session_id: str, guardian_name: str, label: str) -> dict | None:
        try:
            with eventlet.Timeout(5.0):
                return self.video.guardian_invite(tenant_id, session_id, guardian_name, label)
        except eventlet.Timeout:  # video away: the event is tried again later (a Timeout is no Exception)
            raise Unavailable("video did not answer for the guardian's link within 5 s") from None

    # -- people ---------------------------------------------------------------------------
    @api("POST", "/v1/people", roles=COORDINATOR, body=schemas.CreatePerson, response=schemas.Person, status=201,
         summary="Register a mentor or mentee")
    def create_person(self, auth: Principal, body: schemas.CreatePerson):
        person = handlers.create_person(self.repo, auth, body)
        guardians.send_request_if_due(self.repo, self.mail, self.links, person)
        if body.invite:
            invitations.invite_now(self.importer.repo, person)
            self.kicks("send_invitations")
        return person_view(person, staff=True)

    @api("POST", "/v1/people/<person_id>/invitations", roles=COORDINATOR, response=schemas.InvitationQueued,
         status=202, summary="Email a mentor or mentee a new invitation to sign in (within seconds)")
    def invite_person(self, auth: Principal, person_id: str):
        person = invitations.invite_again(self.importer.repo, auth, person_id)
        self.kicks("send_invitations")
        return schemas.InvitationQueued(person_id=person.id, email=person.email)

    @api("POST", "/v1/people/invitations", roles=COORDINATOR, body=schemas.InviteNotSignedIn,
         response=schemas.InvitationsQueued, status=202,
         summary="Email a new invitation to everyone (of a role, programme or interest) who has not signed in yet")
    def invite_not_signed_in(self, auth: Principal, body: schemas.InviteNotSignedIn):
        queued = invitations.invite_not_signed_in(self.importer.repo, auth, body, _interest_tag(body.interest))
        if queued.queued and not queued.dry_run:
            self.kicks("send_invitations")
        return queued

    @api("GET", "/v1/people/<person_id>/invitation", roles=COORDINATOR, response=schemas.InvitationStatus,
         summary="Where a mentor's or mentee's invitation to sign in stands, and when they last signed in")
    def invitation_status(self, auth: Principal, person_id: str):
        return invitations.status_of(self.importer.repo, auth, person_id)

    def _invite_once_consented(self, person: Person) -> None:
        if invitations.consent_granted(self.importer.repo, person):
            self.kicks("send_invitations")

    @loop_job(poll_seconds=invitations.POLL_SECONDS)
    def send_invitations(self) -> bool:
        """Invite the mentors and mentees whose invitation is due (docs/accounts.md, "Invitations"); every
        replica runs it, each invitation claimed first. True when a full batch went: more may be due."""
        return invitations.send_due(self.importer.repo, self.mail, self._links()) == invitations.BATCH

    @api("GET", "/v1/people", roles=COORDINATOR, query=schemas.PeopleQuery, response=schemas.PersonList,
         summary="List people, filtered by role, programme or interest")
    def list_people(self, auth: Principal, query: schemas.PeopleQuery):
        items = self.repo.people(auth.tenant_id, limit=query.limit + 1, after=query.cursor, role=query.role,
                                 programme_id=query.programme_id, interest=_interest_tag(query.interest),
                                 signed_in=query.signed_in)
        return page_of(schemas.PersonList, items, query.limit, lambda p: person_view(p, staff=True))

    # -- bulk import (docs/accounts.md, "Bulk import") --------------------------------------
    @api("POST", "/v1/people/imports", roles=COORDINATOR, raw_body=("text/csv",), max_body_bytes=imports.MAX_FILE_BYTES,
         query=ImportQuery, response=ImportAccepted, status=202,
         summary="Import people from a CSV file (the columns of POST /v1/people); runs in the background")
    def import_people(self, auth: Principal, body: bytes, query: ImportQuery):
        job = import_jobs.start_import(self.importer.repo, auth, body, query)
        self.importer.kick()
        return ImportAccepted(id=job.id, status=job.status, total=job.total)

    @api("GET", "/v1/people/imports/template.csv", roles=COORDINATOR, response_media_type="text/csv",
         summary="A CSV template: every column an import takes, the organisation's custom fields, an example row")
    def import_template(self, auth: Principal):
        keys = import_jobs.custom_field_keys(self.importer.repo, auth.tenant_id)
        return Response(imports.template_csv(keys), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="people-import-template.csv"'})

    @api("GET", "/v1/people/imports/<import_id>", roles=COORDINATOR, response=ImportStatus,
         summary="An import's progress and, per refused row, why")
    def get_import(self, auth: Principal, import_id: str):
        return import_view(import_jobs.import_status(self.importer.repo, auth, import_id))

    @api("GET", "/v1/people/<person_id>", response=schemas.Person,
         summary="Get a profile: others see a public profile without contact details (a mentee's only their matched mentor)")
    def get_person(self, auth: Principal, person_id: str):
        person = handlers.visible_person(self.repo, auth, person_id, full=False,
                                         pair_status=lambda viewer, other: self._pair_status(auth.tenant_id, viewer, other))
        if auth.is_coordinator or auth.person_id == person_id:
            return person_view(person, staff=auth.is_coordinator)
        return public_view(person)

    @api("PATCH", "/v1/people/<person_id>", body=schemas.UpdatePerson, response=schemas.Person,
         summary="Change a profile (the person themself or a coordinator)")
    def update_person(self, auth: Principal, person_id: str, body: schemas.UpdatePerson):
        person = handlers.update_person(self.repo, auth, person_id, body)
        guardians.send_request_if_due(self.repo, self.mail, self.links, person)
        return person_view(person, staff=auth.is_coordinator)

    @api("DELETE", "/v1/people/<person_id>", status=204,
         summary="Erase a person from every service (the person themself or a coordinator)")
    def erase_person(self, auth: Principal, person_id: str):
        handlers.erase_person(self.repo, auth, person_id)

    # -- guardian consent ---------------------------------------------------------------------
    @api("GET", "/v1/people/<person_id>/guardian-consent", roles=COORDINATOR, response=gs.ConsentRecord,
         summary="A minor's guardian consent: current state and the append-only history")
    def guardian_consent(self, auth: Principal, person_id: str):
        return guardians.history(self.repo, auth, person_id)

    @api("POST", "/v1/people/<person_id>/guardian-consent", roles=COORDINATOR, body=gs.OfflineConsent,
         response=gs.ConsentRecord, summary="Record a guardian's decision collected offline (named staff)")
    def record_guardian_consent(self, auth: Principal, person_id: str, body: gs.OfflineConsent):
        person = guardians.record_offline(self.repo, auth, person_id, body)
        self._invite_once_consented(person)
        return guardians.history(self.repo, auth, person_id)

    @api("POST", "/v1/people/<person_id>/guardian-consent/requests", roles=COORDINATOR, status=202,
         response=gs.ConsentRecord, summary="Email the guardian a new consent link (older links stop working)")
    def resend_guardian_consent(self, auth: Principal, person_id: str):
        guardians.resend(self.repo, self.mail, self.links, auth, person_id)
        return guardians.history(self.repo, auth, person_id)

    @api("GET", "/v1/guardian-consents/<token>", auth="public", response=gs.ConsentPage,
         summary="What a guardian's consent page shows (the emailed link's token is the only credential)")
    def consent_page(self, token: str):
        return guardians.page(self.repo, token)

    @api("POST", "/v1/guardian-consents/complete", auth="public", pass_request=True, body=gs.CompleteConsent,
         response=gs.ConsentDecision, summary="A guardian grants or declines consent through the emailed link")
    def complete_guardian_consent(self, request, body: gs.CompleteConsent):
        decision, person = guardians.complete(self.repo, self.mail, self.links, body, request.remote_addr)
        self._invite_once_consented(person)
        return decision

    @api("POST", "/v1/guardian-consents/withdraw", auth="public", pass_request=True, body=gs.WithdrawConsent,
         response=gs.ConsentDecision, summary="A guardian withdraws consent through the confirmation email's link")
    def withdraw_guardian_consent(self, request, body: gs.WithdrawConsent):
        return guardians.withdraw(self.repo, self.links, body, request.remote_addr)

    def _pair_status(self, tenant_id: str, person_id: str, other_id: str) -> str | None:
        """The status of the newest match between two people, asked of matching (which owns matches)."""
        try:
            with eventlet.Timeout(RPC_TIMEOUT_SECONDS):
                facts = self.matching.pair_facts(tenant_id, person_id, other_id)
        except (Exception, eventlet.Timeout) as exc:  # noqa: BLE001 - matching away: a clear 503, never a 500
            log.warning("matching did not answer pair_facts: %r", exc)
            raise Unavailable("this profile cannot be checked right now; try again in a minute") from None
        return None if facts is None else facts["status"]

    # -- RPC for other services: contact details are asked for at the moment of use ----------
    @rpc
    def get_contacts(self, tenant_id: str, person_ids: list[str]) -> dict[str, dict]:
        return {raw["_id"]: contact_view(raw) for raw in self.repo.contacts_by_ids(tenant_id, person_ids)}

    @rpc
    def get_staff_name(self, tenant_id: str, staff_id: str) -> str | None:
        """A current member of staff's name (video names a session's observer), None if there is none."""
        staff = self.repo.staff_member(tenant_id, staff_id)
        return staff.name if staff is not None and staff.status != "removed" else None

    @rpc
    def export_person(self, tenant_id: str, person_id: str) -> dict | None:
        """Profiles' part of a subject-access export; None when the organisation has no such person."""
        return subject_access.export_person(tenant_id, person_id)

    @rpc
    def disabled_organisations(self) -> list[str]:
        """Ids of disabled organisations: every service refuses their tokens (platform/http/revocation.py)."""
        return self.repo.disabled_organisation_ids()

    @rpc
    def get_organisation(self, tenant_id: str) -> dict | None:
        organisation = self.repo.organisation(tenant_id)
        return None if organisation is None else {"id": organisation.id, "slug": organisation.slug, "name": organisation.name}


def organisation_view(organisation: Organisation) -> schemas.Organisation:
    return schemas.Organisation(id=organisation.id, slug=organisation.slug, name=organisation.name,
                                created_at=organisation.created_at, disabled_at=organisation.disabled_at,
                                status="disabled" if organisation.disabled_at else "active")


def staff_view(staff: Staff) -> schemas.StaffMember:
    return schemas.StaffMember(id=staff.id, name=staff.name, email=staff.email, role=staff.role, status=staff.status,
                               locale=staff.locale, invited_by=staff.invited_by, created_at=staff.created_at)


def programme_view(programme: Programme) -> schemas.Programme:
    return schemas.Programme(
        id=programme.id, name=programme.name, description=programme.description, created_at=programme.created_at,
        custom_fields=[schemas.FieldDefinition(key=f.key, label=f.label, type=f.type, options=list(f.options),
                                               required=f.required) for f in programme.custom_fields],
    )


def person_view(person: Person, *, staff: bool) -> schemas.Person:
    return schemas.Person(
        id=person.id, role=person.role, name=person.name, email=person.email, phone=person.phone,
        timezone=person.timezone, languages=list(person.languages), interests=list(person.interests), bio=person.bio,
        locale=person.locale, availability=person.availability, capacity=person.capacity, is_minor=person.is_minor, vetted=person.vetted, programme_id=person.programme_id,
        vetting_level=vetting.level_of(person), vetting=vetting.record_view(person) if staff else None,
        custom_fields=dict(person.custom_fields),
        channels=schemas.Channels(email=person.channels.email, sms=person.channels.sms),
        quiet_hours=schemas.QuietHours(start=person.quiet_hours_start, end=person.quiet_hours_end),
        guardian_consent=guardians.state_of(person),
        guardian_consent_detail=guardians.consent_view(person, staff=staff),
        last_signed_in_at=person.last_signed_in_at if staff else None,
        created_at=person.created_at, updated_at=person.updated_at,
    )


def import_view(job: ImportJob) -> ImportStatus:
    return ImportStatus(
        id=job.id, status=job.status, total=job.total, processed=job.processed, created=job.created,
        updated=job.updated, unchanged=job.unchanged,
        refused=[RowRefusal(row=r.row, errors=list(r.errors)) for r in job.refused], refused_count=job.refused_count,
        invitations_per_hour=job.invitations_per_hour, invitations_scheduled=job.invitations_scheduled,
        created_at=job.created_at, finished_at=job.finished_at,
    )


def public_view(person: Person) -> schemas.PublicPerson:
    return schemas.PublicPerson(id=person.id, role=person.role, name=person.name, timezone=person.timezone,
                                languages=list(person.languages), interests=list(person.interests), bio=person.bio,
                                availability=person.availability)


def contact_view(raw: dict) -> dict:
    """A person's contact details from their stored fields (ProfilesRepository.CONTACT_FIELDS); a field an
    older record lacks takes the document's default."""
    def stored(name: str):
        return raw[name] if name in raw else _default(Person, name)

    channels = raw.get("channels") or {}
    return {
        "person_id": raw["_id"],
        "role": raw.get("role"),
        "name": raw.get("name"),
        "email": raw.get("email"),
        "phone": raw.get("phone"),
        "timezone": raw.get("timezone"),
        "languages": list(raw.get("languages") or ()),
        "locale": raw.get("locale"),
        "is_minor": bool(stored("is_minor")),
        "channels": {"email": channels.get("email", _default(Channels, "email")),
                     "sms": channels.get("sms", _default(Channels, "sms"))},
        "quiet_hours": {"start": stored("quiet_hours_start"), "end": stored("quiet_hours_end")},
    }


def _default(document, name: str):
    return document._fields[name].default


def _interest_tag(raw: str | None) -> str | None:
    """An interest filter as stored ("Machine Learning" → "machine-learning"); a 422 naming the field."""
    if not raw:
        return None
    try:
        return handlers.domain.normalise_interest(raw)
    except handlers.domain.InvalidProfile as exc:
        raise Invalid(str(exc), details=[{"field": "interest", "message": str(exc)}]) from None
