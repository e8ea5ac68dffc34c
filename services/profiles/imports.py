"""Reading a people CSV: the file as a whole (encoding, columns) and each row as a `POST /v1/people` body.

Pure code: no database, no nameko. A whole-file problem raises a domain error before anything is
stored; a row problem is a list of messages for that row, naming the column, so a coordinator can
fix the spreadsheet. Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ementor.platform.errors import BadInput, Invalid

from .domain import FieldDefinition

MAX_FILE_BYTES = 10 * 1024 * 1024
REQUIRED_COLUMNS = ("role", "name", "email", "timezone")
OPTIONAL_COLUMNS = (
    "phone", "languages", "interests", "bio", "capacity", "is_minor", "vetted", "programme_id", "channels",
    "quiet_hours.start", "quiet_hours.end", "guardian.name", "guardian.email",
)
CUSTOM_PREFIX = "custom."
LIST_SEPARATOR = re.compile(r"\s*[;,]\s*")
# OWASP "CSV injection": a cell starting with one of these runs as a formula when the data is later
# opened in a spreadsheet. Numbers ("-1", "+44 7700 900123") are not formulas and pass.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?[\d\s().-]+$")
TRUE, FALSE = ("true", "yes", "1", "y"), ("false", "no", "0", "n")

TEMPLATE_EXAMPLE = {
    "role": "mentee", "name": "Jamie Rivera", "email": "jamie.rivera@example.org", "phone": "+447700900123",
    "timezone": "Europe/London", "languages": "en;es", "interests": "robotics;music",
    "bio": "Year 12, keen on engineering", "capacity": "", "is_minor": "true", "vetted": "false",
    "programme_id": "", "channels": "email;sms", "quiet_hours.start": "21:00", "quiet_hours.end": "08:00",
    "guardian.name": "Helen Rivera", "guardian.email": "helen.rivera@example.org",
}


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: dict[str, str]


@dataclass
class PeopleFile:
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)

    def has(self, column: str) -> bool:
        return column in self.columns

    @property
    def custom_columns(self) -> list[str]:
        return [c for c in self.columns if c.startswith(CUSTOM_PREFIX)]


def template_csv(custom_keys: Iterable[str] = ()) -> str:
    """The header a file may use (the organisation's custom fields as `custom.<key>`) and one example row."""
    columns = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *(CUSTOM_PREFIX + k for k in custom_keys)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow([TEMPLATE_EXAMPLE.get(c, "") for c in columns])
    return out.getvalue()


def decode(raw: bytes) -> str:
    """UTF-8, with or without a byte-order mark. Windows-1252 is not guessed: see docs/accounts.md."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BadInput(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); in your spreadsheet "
            "choose 'Save as' > 'CSV UTF-8' and upload that file", code="bad_encoding",
        ) from None
    if "\x00" in text:
        raise BadInput("the file contains NUL characters: it is not a CSV text file (UTF-16 or binary?); "
                       "save it as 'CSV UTF-8'", code="bad_encoding")
    return text


def read(raw: bytes) -> PeopleFile:
    """The whole file checked and split into rows, or a domain error naming what is wrong with it."""
    text = decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise Invalid("the file is empty: the first row must name the columns, e.g. "
                          f"{','.join(REQUIRED_COLUMNS)}", code="missing_columns",
                          details=[{"field": c, "message": "missing column"} for c in REQUIRED_COLUMNS])
        columns = _check_header([c.strip().lower() for c in header])
        people = PeopleFile(columns)
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            people.rows.append(_row(number, columns, cells))
    except csv.Error as exc:
        raise BadInput(f"the file is not valid CSV near line {reader.line_num}: {exc}", code="malformed_csv") from None
    if not people.rows:
        raise Invalid("the file has a header but no people in it", code="no_rows")
    return people


def _check_header(columns: list[str]) -> tuple[str, ...]:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise Invalid(f"the file is missing the required column(s): {', '.join(missing)}; nothing was imported",
                      code="missing_columns", details=[{"field": c, "message": "missing column"} for c in missing])
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    unknown = [c for c in columns if c not in known and not _is_custom_column(c)]
    if unknown:
        raise Invalid(
            f"unknown column(s): {', '.join(repr(c) for c in unknown)}; the columns are those of POST /v1/people "
            "(see GET /v1/people/imports/template.csv), custom fields as custom.<key>",
            code="unknown_columns", details=[{"field": c, "message": "unknown column"} for c in unknown],
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise Invalid(f"column(s) named twice: {', '.join(repeated)}", code="repeated_columns",
                      details=[{"field": c, "message": "named twice"} for c in repeated])
    return tuple(columns)


def _is_custom_column(column: str) -> bool:
    return column.startswith(CUSTOM_PREFIX) and len(column) > len(CUSTOM_PREFIX)


def _row(number: int, columns: tuple[str, ...], cells: list[str]) -> Row:
    if len(cells) > len(columns):
        # Kept as a row refusal: the extra cells are reported when the row is processed.
        extra = {f"#{i + 1}": cell for i, cell in enumerate(cells[len(columns):]) if cell.strip()}
        return Row(number, {**dict(zip(columns, cells, strict=False)), **extra})
    # Some tools drop trailing empty cells: a short row is padded with empty ones.
    return Row(number, {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns)})


def duplicate_emails(rows: list[Row]) -> dict[int, str]:
    """Row number -> refusal, for every row whose email another row of the file also has."""
    by_email: dict[str, list[int]] = {}
    for row in rows:
        email = row.cells.get("email", "").strip().lower()
        if email:
            by_email.setdefault(email, []).append(row.number)
    refused = {}
    for email, numbers in by_email.items():
        if len(numbers) > 1:
            listed = ", ".join(str(n) for n in numbers)
            for number in numbers:
                refused[number] = f"email: {email} is in rows {listed}; keep one row per person"
    return refused


def row_payload(row: Row, definitions: list[FieldDefinition]) -> tuple[dict, list[str]]:
    """The row as a `POST /v1/people` body, or the messages that say why it cannot be one."""
    errors = [f"cell {key} after the last column: the row has more cells than the header has columns"
              for key in row.cells if key.startswith("#")]
    payload: dict = {}
    types = {d.key: d.type for d in definitions}
    for column, raw in row.cells.items():
        if column.startswith("#"):
            continue
        value = raw.strip()
        if value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
            errors.append(f"{column}: starts with {value[0]!r}, which a spreadsheet runs as a formula; "
                          "formulas are refused (CSV injection) - remove the leading character")
            continue
        if not value:
            continue  # an empty cell: the field's default, as when it is left out of POST /v1/people
        try:
            _put(payload, column, value, types)
        except ValueError as exc:
            errors.append(f"{column}: {exc}")
    return payload, errors


def _put(payload: dict, column: str, value: str, types: dict[str, str]) -> None:
    if column in ("languages", "interests"):
        payload[column] = _items(value)
    elif column == "capacity":
        payload[column] = _whole_number(value)
    elif column in ("is_minor", "vetted"):
        payload[column] = _boolean(value)
    elif column == "channels":
        payload[column] = _channels(value)
    elif column.startswith(("quiet_hours.", "guardian.")):
        group, _, key = column.partition(".")
        payload.setdefault(group, {})[key] = value
    elif column.startswith(CUSTOM_PREFIX):
        key = column[len(CUSTOM_PREFIX):]
        payload.setdefault("custom_fields", {})[key] = _custom(value, types.get(key))
    else:
        payload[column] = value


def _items(value: str) -> list[str]:
    return [item for item in LIST_SEPARATOR.split(value) if item]


def _whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number, e.g. 2") from None


def _boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValueError(f"{value!r} is not true or false (yes/no, 1/0 also work)")


def _channels(value: str) -> dict:
    chosen = {item.lower() for item in _items(value)}
    if chosen == {"none"}:
        return {"email": False, "sms": False}
    unknown = sorted(chosen - {"email", "sms"})
    if unknown:
        raise ValueError(f"unknown channel(s) {', '.join(unknown)}; list email and/or sms separated by ';', or none")
    return {"email": "email" in chosen, "sms": "sms" in chosen}


def _custom(value: str, kind: str | None):
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if kind == "multiple_choice":
        return _items(value)
    return value


def pydantic_messages(errors: list[dict]) -> list[str]:
    """pydantic errors of a row as '<column>: <message>', with the CSV's column names."""
    messages = []
    for error in errors:
        parts = [str(p) for p in error.get("loc", ())]
        if parts[:1] == ["custom_fields"]:
            parts = [CUSTOM_PREFIX + ".".join(parts[1:2])]
        column = ".".join(parts) or "row"
        kind = error.get("type")
        if kind == "missing":
            message = "required, but the cell is empty"
        elif kind == "extra_forbidden":
            message = "unknown column"
        else:
            message = error.get("msg", "invalid value").removeprefix("Value error, ")
        messages.append(f"{column}: {message}")
    return messages
