"""The web app's words: both languages have every message with the same placeholders, every
count has a plural form for each number, and a new organisation's "1 person registered" reads
right. The formatter (web/src/i18n/format.ts) runs in Node, transpiled by the app's TypeScript."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

I18N = Path(__file__).resolve().parents[3] / "web" / "src" / "i18n"
TYPESCRIPT = I18N.parents[1] / "node_modules" / "typescript"
ENTRY = re.compile(r'^  "([^"]+)": ("(?:[^"\\]|\\.)*"),$')
FORMS = {"zero", "one", "two", "few", "many", "other"}  # CLDR's plural categories; "=N" is one number

RUN_FORMAT = """
const ts = require(process.argv[1]);
const fs = require("fs");
const js = ts.transpileModule(fs.readFileSync(process.argv[2], "utf8"),
  { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
const module_ = { exports: {} };
new Function("module", "exports", js)(module_, module_.exports);
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
console.log(JSON.stringify(cases.map(([text, vars, locale]) => module_.exports.formatMessage(text, vars, locale))));
"""


def catalogue(name: str) -> dict[str, str]:
    """The messages of en.ts or es.ts: one `"key": "text",` line each, between `{` and `};`, with
    blank lines and `//` comments between groups."""
    lines = (I18N / f"{name}.ts").read_text().split("\n")
    body = lines[lines.index(next(line for line in lines if line.endswith("= {"))) + 1:lines.index("};")]
    body = [line for line in body if line.strip() and not line.lstrip().startswith("//")]
    entries = [ENTRY.match(line) for line in body]
    unread = [line for line, entry in zip(body, entries, strict=True) if not entry]
    assert not unread, f"{name}.ts lines this test cannot read: {unread[:3]}"
    return {entry[1]: json.loads(entry[2]) for entry in entries}


def placeholders(text: str) -> set[str]:
    """The variables a message reads: "{name}", and a plural's own and those inside its forms."""
    found: set[str] = set()
    for _, body in _braced(text):
        plural = _plural(body)
        found |= {plural[0]}.union(*(placeholders(form) for _, form in plural[1])) if plural else {body.strip()}
    return found


def _plural(body: str) -> tuple[str, list[tuple[str, str]]] | None:
    """"n, plural, one {…} other {…}" as ("n", [("one", "…"), ("other", "…")])."""
    found = re.match(r"\s*(\w+)\s*,\s*plural\s*,(.*)$", body, re.DOTALL)
    return (found[1], [(selector.strip(), form) for selector, form in _braced(found[2])]) if found else None


def _braced(text: str) -> list[tuple[str, str]]:
    """Each top-level pair of braces: the text before it (since the last pair) and what it holds."""
    held, depth, start, after = [], 0, 0, 0
    for at, char in enumerate(text):
        if char == "{":
            depth += 1
            start = at + 1 if depth == 1 else start
        elif char == "}":
            depth -= 1
            if depth == 0:
                held.append((text[after:start - 1], text[start:at]))
                after = at + 1
    return held


def format_messages(cases: list[tuple[str, dict, str]]) -> list[str]:
    node = shutil.which("node")
    assert node and TYPESCRIPT.exists(), "Node.js and web/node_modules are needed: run scripts/setup.sh"
    done = subprocess.run([node, "-e", RUN_FORMAT, str(TYPESCRIPT), str(I18N / "format.ts")],
                          input=json.dumps(cases), capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_spanish_has_every_english_message_with_the_same_placeholders():
    en, es = catalogue("en"), catalogue("es")
    assert en.keys() == es.keys(), {"only in en": en.keys() - es.keys(), "only in es": es.keys() - en.keys()}
    differing = {key: (placeholders(en[key]), placeholders(es[key]))
                 for key in en if placeholders(en[key]) != placeholders(es[key])}
    assert not differing


@pytest.mark.parametrize("name", ["en", "es"])
def test_every_count_has_its_other_form_and_every_brace_is_closed(name):
    for key, text in catalogue(name).items():
        assert text.count("{") == text.count("}"), f"{name} {key}: unbalanced braces"
        for _, body in _braced(text):
            plural = _plural(body)
            selectors = {selector for selector, _ in plural[1]} if plural else {"other"}
            assert "other" in selectors, f"{name} {key}: a plural needs an `other` form"
            assert all(s in FORMS or re.fullmatch(r"=\d+", s) for s in selectors), f"{name} {key}: {selectors}"


def test_a_count_takes_the_form_its_language_uses():
    en, es = catalogue("en"), catalogue("es")
    funnel = {"matched": 0, "active": 0, "ended": 0}
    cases = [
        (en["insights.funnelSummary"], {**funnel, "registered": 1}, "en"),
        (en["insights.funnelSummary"], {"registered": 6, "matched": 1, "active": 2, "ended": 0}, "en"),
        (es["insights.funnelSummary"], {**funnel, "registered": 1}, "es"),
        (en["insights.messagesTotal"], {"n": 1234}, "en"),
        (es["insights.messagesTotal"], {"n": 1234}, "es"),
        (en["kstaff.timesShown"], {"n": 1}, "en"),
        (en["kstaff.timesShown"], {"n": 3}, "en"),
        (en["concerns.escalation.sent"], {"n": 1, "who": "Ada"}, "en"),
        (en["concerns.escalation.sent"], {"n": 2, "who": "Ada"}, "en"),
        (en["reason.hoursApart"], {"hours": 1}, "en"),
        (en["reason.hoursApart"], {"hours": 1.5}, "en"),
        (en["reason.slowReplies"], {"n": 3.4}, "en"),
        (en["insights.stage.registered.people"], {"n": 1}, "en"),
        ("{n, plural, one {# thing} other {# things}}", {"n": "many"}, "en"),  # not a number: shown as given
        ("{n, plural, one {# thing} other {# things}", {"n": 1}, "en"),  # unclosed: shown as written
        ("Hello {name}, {missing}!", {"name": "Noor"}, "en"),
    ]
    assert format_messages(cases) == [
        "1 person registered, 0 were matched, 0 reached an active match and 0 saw their match end.",
        "6 people registered, 1 was matched, 2 reached an active match and 0 saw their match end.",
        "1 persona se registró, 0 fueron emparejadas, 0 llegaron a una mentoría activa y en 0 casos la mentoría terminó.",
        "1,234 messages in all",
        "1234 mensajes en total",  # Spanish groups digits only from five
        "once",
        "3 times",
        "1 alert sent, to Ada.",
        "2 alerts sent; the last to Ada.",
        "You are 1 hour apart.",
        "You are 1.5 hours apart.",
        "Replies take 3.4 days on average",
        "person registered",
        "many things",
        "{n, plural, one {# thing} other {# things}",
        "Hello Noor, !",
    ]
