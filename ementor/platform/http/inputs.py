"""What every request value must be before a model sees it: JSON a browser can read, bounded, valid text.

`parse_json` refuses what Python's json module would let through and the rest of the system
cannot carry: NaN and Infinity (not JSON, and stored they break every later read), nesting deeper
than any API body needs (RecursionError), and strings that are not valid Unicode (a lone
surrogate cannot be encoded to UTF-8 for MongoDB, an email or the response).
`check_values` applies the same checks, and refuses control characters and whole numbers MongoDB
cannot store, in any parsed value, so query strings get them too.
"""

from __future__ import annotations

import json
import math
import re

MAX_DEPTH = 32
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # what MongoDB stores
# C0 controls other than tab, LF and CR, DEL, and the C1 controls: never meaningful in API text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class InvalidInput(ValueError):
    """A value no field may hold; `field` is a dotted path into the body or query, or None."""

    def __init__(self, message: str, field: str | None = None, *, malformed: bool = False):
        super().__init__(message)
        self.message = message
        self.field = field
        self.malformed = malformed  # not JSON at all (400), rather than JSON with a refused value (422)


def parse_json(raw: bytes):
    """The JSON document in `raw`, or InvalidInput."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except InvalidInput:
        raise
    except RecursionError:
        raise InvalidInput(f"the JSON is nested too deeply; at most {MAX_DEPTH} levels are accepted",
                           malformed=True) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the request body is not valid JSON: {exc}", malformed=True) from None
    check_values(value)
    return value


def check_values(value, path: tuple = ()) -> None:
    """Raise InvalidInput for a non-finite number, invalid or control-character text, or deep nesting."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if len(where) > MAX_DEPTH:
            raise InvalidInput(f"the JSON is nested too deeply; at most {MAX_DEPTH} levels are accepted",
                               malformed=True)
        if isinstance(item, dict):
            for key, child in item.items():
                _check_text(key, where + (key,))
                stack.append((child, where + (key,)))
        elif isinstance(item, list):
            stack.extend((child, where + (index,)) for index, child in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, where)
        elif isinstance(item, float) and not math.isfinite(item):
            raise InvalidInput("must be a finite number (NaN, Infinity and numbers beyond ±1.8e308 are refused)",
                               _dotted(where))
        elif isinstance(item, int) and not isinstance(item, bool) and not INT64_MIN <= item <= INT64_MAX:
            raise InvalidInput("is too large: whole numbers must fit in 64 bits", _dotted(where))


def _check_text(text: str, where: tuple) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("is not valid Unicode text (it holds a lone surrogate such as \\ud800)",
                           _dotted(where)) from None
    found = CONTROL_CHARACTERS.search(text)
    if found:
        raise InvalidInput(f"holds the control character U+{ord(found.group()):04X}; remove it", _dotted(where))


def _refuse_constant(name: str):
    raise InvalidInput(f"the request body is not valid JSON: {name} is not a JSON number; send a finite number",
                       malformed=True)


def _dotted(where: tuple) -> str | None:
    return ".".join(str(part) for part in where) or None
