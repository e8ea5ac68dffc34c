"""What every service's `export_person` RPC shares: a JSON-safe copy of stored values, and the part's shape.

Each service answers `export_person(tenant_id, person_id) -> dict` for a subject-access request
(docs/decisions.md, "Subject access"): `{"service", "summary": [plain sentences], "data": {...}}`.
The orchestrating service (safeguarding) stores each part and builds the archive from them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

EXPORT_LIMIT = 20_000  # rows per collection in one part; more is said in the summary, never silently cut


def jsonable(value):
    """A stored value as JSON: datetimes as ISO 8601 UTC text, ids as text, nested values alike."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return None  # no stored secret or binary is ever part of an export
    return value


def pick(document: dict, *fields: str) -> dict:
    """The named fields of a raw document (`id` for `_id`), JSON-safe; absent fields are left out."""
    out = {}
    for name in fields:
        key = "_id" if name == "id" else name
        if key in document and document[key] is not None:
            out[name] = jsonable(document[key])
    return out


def part(service: str, data: dict, summary: list[str]) -> dict:
    return {"service": service, "summary": summary, "data": jsonable(data)}


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
