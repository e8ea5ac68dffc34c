"""Request and response bodies of the people CSV import (they also generate its OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from .schemas import Strict


class ImportQuery(Strict):
    invitations_per_hour: int = Field(
        default=100, ge=0, le=10_000,
        description="The organisation's pace for inviting the people this import creates; 0 invites nobody.",
    )
    programme_id: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="The programme of each row that names none (no `programme_id` column, or an empty cell), "
                    "as if written in it: people already here change programme only if the file has that "
                    "column. Unknown: 422.",
    )


class ImportAccepted(BaseModel):
    id: str
    status: Literal["queued", "running", "completed"]
    total: int = Field(description="Rows in the file (blank rows left out).")


class RowRefusal(BaseModel):
    row: int = Field(description="The row as a spreadsheet numbers it: the header is row 1.")
    errors: list[str] = Field(description="One message per problem, naming the column, e.g. 'email: ...'.")


class ImportStatus(BaseModel):
    id: str
    status: Literal["queued", "running", "completed"]
    total: int
    processed: int
    created: int
    updated: int
    unchanged: int
    refused: list[RowRefusal] = Field(description="Refused rows in row order (the first 5,000).")
    refused_count: int = Field(description="Every refused row, listed or not.")
    invitations_per_hour: int
    invitations_scheduled: int = Field(description="Invitations due for the people this import created.")
    created_at: datetime
    finished_at: datetime | None
