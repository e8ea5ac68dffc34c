"""Shared pydantic string types for request bodies.

`SingleLine` is for names, titles, tags and anything that may end up in an email header, a
calendar line or a log line: a line break there injects a header or breaks every message built
from it, so it is refused where the value comes in (the API also refuses control characters
everywhere: ementor/platform/http/inputs.py).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, GetJsonSchemaHandler

LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]")
# Also in the OpenAPI document, so clients (and a schema-driven fuzzer) know it up front.
SINGLE_LINE_PATTERN = r"^[^\t\n\r\x0b\x0c\x85\u2028\u2029]*$"


def _single_line(value: str) -> str:
    found = LINE_BREAKS.search(value)
    if found:
        raise ValueError(f"must be a single line: remove the tab or line break (U+{ord(found.group()):04X})")
    return value


class _Pattern:
    def __get_pydantic_json_schema__(self, core_schema, handler: GetJsonSchemaHandler) -> dict:
        schema = handler(core_schema)
        schema["pattern"] = SINGLE_LINE_PATTERN
        return schema


SingleLine = Annotated[str, AfterValidator(_single_line), _Pattern()]
