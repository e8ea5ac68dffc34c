"""`/v1/docs`: the OpenAPI document as one browsable HTML page, rendered here from
docs/openapi.json. No script and nothing fetched from elsewhere: it works offline and behind a
strict Content-Security-Policy."""

from __future__ import annotations

import functools
import json
from html import escape
from pathlib import Path

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1rem 2rem;color:#1d2330}
nav a{margin-right:.8rem} h2{border-bottom:2px solid #dde;margin-top:2.5rem}
details{border:1px solid #dde;border-radius:6px;margin:.4rem 0;padding:.3rem .8rem}
summary{cursor:pointer} code,pre{font:13px ui-monospace,monospace} pre{background:#f5f6fa;padding:.6rem;overflow:auto}
.m{display:inline-block;min-width:4.2rem;font-weight:700;font-family:ui-monospace,monospace}
.get{color:#1565c0}.post{color:#2e7d32}.patch{color:#ef6c00}.put{color:#6a1b9a}.delete{color:#c62828}
table{border-collapse:collapse;margin:.4rem 0} td,th{border:1px solid #dde;padding:.2rem .5rem;text-align:left;vertical-align:top}
"""


def render(document: dict) -> str:
    info = document.get("info", {})
    by_tag: dict[str, list] = {}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            by_tag.setdefault((operation.get("tags") or ["other"])[0], []).append((path, method, operation))
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{escape(info.get('title', 'API'))}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(info.get('title', 'API'))} <small>{escape(str(info.get('version', '')))}</small></h1>",
        (f"<p>{escape(info.get('description', ''))} The machine-readable document: "
         "<a href=/v1/openapi.json>/v1/openapi.json</a>. Send <code>Authorization: Bearer &lt;token&gt;</code>.</p>"),
        "<nav>" + "".join(f"<a href='#{escape(t)}'>{escape(t)}</a>" for t in by_tag) + "<a href=#schemas>schemas</a></nav>",
    ]
    for tag, operations in by_tag.items():
        parts.append(f"<h2 id='{escape(tag)}'>{escape(tag)}</h2>")
        parts += [_operation(path, method, op) for path, method, op in operations]
    parts.append("<h2 id=schemas>Schemas</h2>")
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        parts.append(f"<details id='schema-{escape(name)}'><summary><code>{escape(name)}</code></summary>"
                     f"{_properties(schema)}</details>")
    parts.append("</body></html>")
    return "".join(parts)


def _operation(path: str, method: str, op: dict) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
        f"<td>{'required' if p.get('required') else ''}</td><td>{_type(p.get('schema', {}))}</td></tr>"
        for p in op.get("parameters", [])
    )
    body = op.get("requestBody", {}).get("content", {})
    responses = "".join(
        f"<tr><td>{escape(code)}</td><td>{escape(r.get('description', ''))}</td>"
        f"<td>{_type(next(iter(r.get('content', {}).values()), {}).get('schema', {}))}</td></tr>"
        for code, r in op.get("responses", {}).items()
    )
    return "".join([
        (f"<details><summary><span class='m {escape(method)}'>{escape(method.upper())}</span> "
         f"<code>{escape(path)}</code> {escape(op.get('summary', ''))}</summary>"),
        f"<p>{escape(op.get('description', ''))}</p>" if op.get("description") else "",
        f"<table><tr><th>parameter</th><th>in</th><th></th><th>type</th></tr>{rows}</table>" if rows else "",
        "".join(f"<p>Body ({escape(kind)}): {_type(c.get('schema', {}))}</p>" for kind, c in body.items()),
        f"<table><tr><th>status</th><th>meaning</th><th>body</th></tr>{responses}</table></details>",
    ])


def _properties(schema: dict) -> str:
    if "properties" not in schema:
        return f"<pre>{escape(json.dumps(schema, indent=2))}</pre>"
    required = set(schema.get("required", []))
    rows = "".join(
        f"<tr><td><code>{escape(name)}</code></td><td>{'required' if name in required else ''}</td>"
        f"<td>{_type(prop)}</td><td>{escape(prop.get('description', ''))}</td></tr>"
        for name, prop in schema["properties"].items()
    )
    return f"<p>{escape(schema.get('description', ''))}</p><table>{rows}</table>"


def _type(schema: dict) -> str:
    """A short, linked description of a schema: `Person`, `array of Goal`, `string | null`."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"<a href='#schema-{escape(name)}'><code>{escape(name)}</code></a>"
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return " | ".join(_type(s) for s in schema[key])
    if schema.get("type") == "array":
        return f"array of {_type(schema.get('items', {}))}"
    if "enum" in schema:
        return " | ".join(f"<code>{escape(json.dumps(v))}</code>" for v in schema["enum"])
    return f"<code>{escape(str(schema.get('type', schema.get('format', 'any'))))}</code>"


@functools.cache
def page(openapi_path: Path) -> bytes:
    return render(json.loads(openapi_path.read_text())).encode()
