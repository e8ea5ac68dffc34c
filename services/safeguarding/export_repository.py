"""Storage of subject-access exports: the only module that queries their collections."""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timedelta

from ementor_contracts import Event
from pymongo import ReturnDocument

from ementor.platform.outbox import Pending

from .export_documents import KEEP_DAYS, DataExport, DataExportPart


class ExportRepository:
    def add(self, export: DataExport) -> None:
        export.save(force_insert=True)

    def export(self, tenant_id: str, export_id: str) -> DataExport | None:
        return DataExport.scoped(tenant_id, id=export_id).first()

    def exports_of(self, tenant_id: str, person_id: str, limit: int) -> list[DataExport]:
        return list(DataExport.scoped(tenant_id, person_id=person_id).order_by("-id").limit(limit))

    def claim_due(self, now: datetime, lease: timedelta) -> DataExport | None:
        """Take the most overdue export for `lease` (any replica may; the claim is one conditional update)."""
        found = DataExport.raw().across_tenants().find_one_and_update(
            {"next_try_at": {"$lte": now}}, {"$set": {"next_try_at": now + lease}, "$inc": {"attempts": 1}},
            sort=[("next_try_at", 1)], return_document=ReturnDocument.AFTER)
        return None if found is None else DataExport._from_son(found)

    def store_part(self, export: DataExport, service: str, part: dict, now: datetime) -> None:
        data = zlib.compress(json.dumps(part, ensure_ascii=False, sort_keys=True).encode(), 6)
        DataExportPart.raw().replace_one(
            {"_id": f"{export.id}:{service}", "tenant_id": export.tenant_id},
            {"_id": f"{export.id}:{service}", "tenant_id": export.tenant_id, "export_id": export.id,
             "service": service, "data": data, "created_at": now},
            upsert=True)
        DataExport.raw().update_one({"_id": export.id, "tenant_id": export.tenant_id},
                                    {"$addToSet": {"done": service}})

    def parts(self, tenant_id: str, export_id: str) -> dict[str, dict]:
        return {p["service"]: json.loads(zlib.decompress(p["data"]))
                for p in DataExportPart.raw().find({"tenant_id": tenant_id, "export_id": export_id})}

    def retry_later(self, export: DataExport, waiting_for: list[str], at: datetime) -> None:
        DataExport.raw().update_one({"_id": export.id, "tenant_id": export.tenant_id, "status": "gathering"},
                                    {"$set": {"next_try_at": at, "waiting_for": waiting_for}})

    def finish(self, export: DataExport, status: str, now: datetime, event: Event | None,
               problem: str | None = None) -> bool:
        """Ready (or refused) once: only a gathering export moves; its event goes in the same write."""
        expires = now + timedelta(days=KEEP_DAYS)
        update: dict = {"$set": {"status": status, "ready_at": now, "expires_at": expires, "waiting_for": [],
                                 "problem": problem}, "$unset": {"next_try_at": ""}}
        if event is not None:
            update["$push"] = {"outbox": Pending.of(event, export.tenant_id).stored()}
        result = DataExport.raw().update_one({"_id": export.id, "tenant_id": export.tenant_id,
                                              "status": "gathering"}, update)
        if result.modified_count == 1:
            DataExportPart.raw().update_many({"tenant_id": export.tenant_id, "export_id": export.id},
                                             {"$set": {"expires_at": expires}})
        return result.modified_count == 1
