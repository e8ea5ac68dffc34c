"""The archive a person downloads: one JSON file per service and a summary in plain words (text and HTML)."""

from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import datetime

from .export_documents import DataExport

TITLE = "Everything ementor holds about you"


def build(export: DataExport, parts: dict[str, dict], services: tuple[str, ...], organisation: str | None) -> bytes:
    ordered = [(s, parts[s]) for s in services if s in parts]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for service, part in ordered:
            archive.writestr(f"{service}.json", json.dumps(part, ensure_ascii=False, indent=2, sort_keys=True))
        archive.writestr("summary.txt", summary_text(export, ordered, organisation))
        archive.writestr("summary.html", summary_html(export, ordered, organisation))
    return buffer.getvalue()


def _intro(export: DataExport, organisation: str | None) -> list[str]:
    asked = "Staff of your organisation asked for it on your behalf" if export.on_behalf else "You asked for it"
    at = export.created_at.strftime("%d %B %Y at %H:%M UTC") if isinstance(export.created_at, datetime) else ""
    return [
        f"This is a copy of the personal data ementor holds about you{' for ' + organisation if organisation else ''}.",
        f"{asked} on {at}. Your reference is {export.id}.",
        ("Each part below comes from one part of ementor; the matching .json file in this archive holds the "
        "records themselves. Times are in UTC."),
    ]


def summary_text(export: DataExport, parts: list[tuple[str, dict]], organisation: str | None) -> str:
    lines = [TITLE, "=" * len(TITLE), "", *_intro(export, organisation), ""]
    for service, part in parts:
        lines += [f"{service} ({service}.json)", *[f"  - {s}" for s in part.get("summary", [])], ""]
    return "\n".join(lines)


def summary_html(export: DataExport, parts: list[tuple[str, dict]], organisation: str | None) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in _intro(export, organisation))
    for service, part in parts:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in part.get("summary", []))
        body += f"<h2>{html.escape(service)} <small>({html.escape(service)}.json)</small></h2><ul>{items}</ul>"
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title></head>'
            f"<body><h1>{TITLE}</h1>{body}</body></html>")
