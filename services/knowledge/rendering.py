"""Markdown as safe HTML: everything is escaped first, then the few Markdown forms articles use
(headings, paragraphs, lists, bold, https links) are turned into tags. Raw HTML and script in an
article therefore show as text, never run."""

from __future__ import annotations

import html
import re

LINK = re.compile(r"\[([^\]]+)\]\((https://[^\s)\"'<>]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=True)
    escaped = BOLD.sub(r"<strong>\1</strong>", escaped)
    return LINK.sub(lambda m: f'<a href="{m.group(2)}" rel="noopener nofollow">{m.group(1)}</a>', escaped)


def to_html(markdown: str) -> str:
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in markdown.splitlines():
        stripped = line.strip()
        heading = re.match(r"^(#{1,4})\s+(.*)$", stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            level = min(len(heading.group(1)) + 1, 6)
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif re.match(r"^[-*]\s+", stripped):
            if paragraph:
                flush()
            items.append(re.sub(r"^[-*]\s+", "", stripped))
        else:
            if items:
                flush()
            paragraph.append(stripped)
    flush()
    return "\n".join(out)
