"""Who is asking: the operator, an organisation's coordinator, or a person (mentor or mentee)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import Forbidden

Role = Literal["operator", "coordinator", "mentor", "mentee"]
PERSON_ROLES = ("mentor", "mentee")


@dataclass(frozen=True)
class Principal:
    role: Role
    tenant_id: str | None = None
    person_id: str | None = None

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"

    @property
    def is_person(self) -> bool:
        return self.role in PERSON_ROLES

    def require_coordinator(self) -> None:
        if not self.is_coordinator:
            raise Forbidden("only a coordinator of the organisation may do this", code="coordinator_only")

    def may_act_for(self, person_id: str) -> bool:
        return self.is_coordinator or self.person_id == person_id
