"""Subject access: a person (or staff on their behalf) asks for a copy of everything ementor holds about them.

Safeguarding orchestrates (docs/decisions.md, "Subject access"): the request is stored and audited
in the organisation's hash-chained audit; a job claims due exports and asks each service for its
part (`export_person` over RPC); a service that does not answer is asked again later with a
growing pause, so an outage delays an export and never loses it. When every part is stored the
export is ready (audited, DataExportReady published with ids only) and the archive is built on
download from the stored parts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from ementor_contracts import DataExportReady, DataExportRequested

from ementor.platform.errors import Conflict, NotFound
from ementor.platform.loop import backoff
from ementor.platform.principal import Principal
from ementor.platform.subject_access import EXPORT_LIMIT, part, pick, plural

from . import audit, export_schemas
from .documents import Block, Concern
from .export_documents import DataExport
from .export_repository import ExportRepository
from .repository import SafeguardingRepository, aware

log = logging.getLogger(__name__)

# Every service that holds something about a person, in the order the archive lists them.
SERVICES = ("profiles", "matching", "messaging", "video", "notifications", "insights", "knowledge", "integrations",
            "safeguarding")
LEASE = timedelta(seconds=60)  # a claimed export is tried again after this if its replica died
RETRY_CAP_SECONDS = 300.0
PER_TICK = 5

# Asks a service for its part: (service, tenant_id, person_id) -> dict (None: profiles knows no such person).
AskPart = Callable[[str, str, str], "dict | None"]

EXEMPTION = ("Some records can be withheld by law where showing them could put someone at risk, for example a "
             "concern someone else raised about a child's safety. This sentence is in every export, whether or "
             "not anything was withheld. If you think something is missing, ask your organisation's data "
             "protection lead.")


def request_export(repo: SafeguardingRepository, exports: ExportRepository, auth: Principal, person_id: str,
                   person_exists: Callable[[str, str], bool], now: datetime) -> DataExport:
    """Store the request (gathered by the job) and audit it. 404 for anyone the caller may not act for."""
    if not (auth.person_id == person_id or auth.is_coordinator):
        raise NotFound(f"no person {person_id} in this organisation", code="person_not_found")
    if auth.is_coordinator and not person_exists(auth.tenant_id, person_id):
        raise NotFound(f"no person {person_id} in this organisation", code="person_not_found")
    on_behalf = auth.person_id != person_id
    gathering = [e for e in exports.exports_of(auth.tenant_id, person_id, 5) if e.status == "gathering"]
    if gathering:
        raise Conflict(f"an export for this person is already being gathered ({gathering[0].id}); it is usually "
                       "ready within minutes", code="export_in_progress", details={"export_id": gathering[0].id})
    export = DataExport(tenant_id=auth.tenant_id, person_id=person_id, requested_by=auth.actor, on_behalf=on_behalf,
                        created_at=now, next_try_at=now)
    export.record(DataExportRequested(export_id=export.id, person_id=person_id, on_behalf=on_behalf))
    exports.add(export)
    audit.record(repo, auth.tenant_id, now, auth.actor, "data_export_requested", export.id,
                 {"person_id": person_id, "on_behalf": on_behalf})
    return export


def export_for(exports: ExportRepository, auth: Principal, export_id: str, person_id: str | None = None) -> DataExport:
    export = exports.export(auth.tenant_id, export_id)
    if export is None or (person_id is not None and export.person_id != person_id) or \
            not (auth.is_coordinator or auth.person_id == export.person_id):
        raise NotFound(f"no data export {export_id} for you", code="export_not_found")
    return export


def view(export: DataExport) -> export_schemas.ExportView:
    return export_schemas.ExportView(
        id=export.id, person_id=export.person_id, status=export.status, on_behalf=export.on_behalf,
        services=list(SERVICES), services_done=[s for s in SERVICES if s in (export.done or [])], waiting_for=list(export.waiting_for or []),
        created_at=aware(export.created_at), ready_at=aware(export.ready_at), expires_at=aware(export.expires_at),
        problem=export.problem,
        download_url=f"/v1/people/{export.person_id}/data-exports/{export.id}/archive"
        if export.status == "ready" else None)


def gather_due(repo: SafeguardingRepository, exports: ExportRepository, ask: AskPart, now: datetime) -> bool:
    """Claim due exports and gather what is missing; True when more may be due (tick again)."""
    for _ in range(PER_TICK):
        export = exports.claim_due(now, LEASE)
        if export is None:
            return False
        gather(repo, exports, export, ask, now)
    return True


def gather(repo: SafeguardingRepository, exports: ExportRepository, export: DataExport, ask: AskPart,
           now: datetime) -> None:
    waiting = []
    for service in SERVICES:
        if service in (export.done or []):
            continue
        try:
            answer = own_part(repo, export.tenant_id, export.person_id) if service == "safeguarding" else \
                ask(service, export.tenant_id, export.person_id)
        except Exception as exc:  # noqa: BLE001 - the service is away: ask again later, never lose the request
            log.warning("data export %s: %s did not answer (%r); asking again later", export.id, service, exc)
            waiting.append(service)
            continue
        if answer is None and service == "profiles":
            if exports.finish(export, "refused", now, None, problem="the person no longer exists (erased)"):
                audit.record(repo, export.tenant_id, now, "system", "data_export_refused", export.id,
                             {"person_id": export.person_id})
            return
        exports.store_part(export, service, answer or part(service, {}, []), now)
    if waiting:
        delay = min(RETRY_CAP_SECONDS, backoff(export.attempts, base=2.0, cap=RETRY_CAP_SECONDS))
        exports.retry_later(export, waiting, now + timedelta(seconds=delay))
        return
    event = DataExportReady(export_id=export.id, person_id=export.person_id, services=list(SERVICES))
    if exports.finish(export, "ready", now, event):
        audit.record(repo, export.tenant_id, now, "system", "data_export_ready", export.id,
                     {"person_id": export.person_id, "services": len(SERVICES)})


def own_part(repo: SafeguardingRepository, tenant_id: str, person_id: str) -> dict:
    """Safeguarding's own part: concerns the person raised and blocks they made -- not concerns about them.

    UK GDPR practice (DPA 2018 Sch. 2 para 16, third parties; Sch. 3 parts 2-4, serious harm and child
    abuse data): what someone else reported about a person is withheld from an automatic export, because
    showing it could put the reporter or a child at risk; a safeguarding lead decides case by case.
    """
    raised = [pick(c, "id", "category", "match_id", "message_id", "details", "status", "created_at", "decision",
                   "resolved_at") for c in
              Concern.raw().find({"tenant_id": tenant_id, "raised_by": f"person:{person_id}"}).limit(EXPORT_LIMIT)]
    blocks = [pick(b, "id", "blocked_person_id", "match_id", "created_at") for b in
              Block.raw().find({"tenant_id": tenant_id, "person_id": person_id}).limit(EXPORT_LIMIT)]
    summary = [(f"Safeguarding: {plural(len(raised), 'concern')} you raised (what you wrote, and what was decided) "
               f"and {plural(len(blocks), 'person', 'people')} you blocked."), EXEMPTION]
    return part("safeguarding", {"concerns_you_raised": raised, "people_you_blocked": blocks}, summary)


def record_download(repo: SafeguardingRepository, auth: Principal, export: DataExport, now: datetime) -> None:
    audit.record(repo, auth.tenant_id, now, auth.actor, "data_export_downloaded", export.id,
                 {"person_id": export.person_id, "on_behalf": auth.person_id != export.person_id})
