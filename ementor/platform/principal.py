"""Who is asking, and the one table of who may do what.

Principals: the platform `operator`; an organisation's staff (`admin`, `coordinator`,
`safeguarding_lead`, each a named member of staff); its people (`mentor`, `mentee`); and
`integration`, the organisation's API key acting for a machine. Every principal has an audit name,
`actor`, that says exactly who did something.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import Forbidden

Role = Literal["operator", "admin", "coordinator", "safeguarding_lead", "integration", "mentor", "mentee"]
PERSON_ROLES = ("mentor", "mentee")
STAFF_ROLES = ("admin", "coordinator", "safeguarding_lead")
TOKEN_ROLES = (*STAFF_ROLES, "integration", *PERSON_ROLES)

# Who may do what. An endpoint's `roles=(...)` names rows of this table; a role not in the table
# stands for itself. "coordinator" is the coordination permission (programmes, people, matching,
# moderation, settings), which admins and the API key hold too.
PERMISSIONS: dict[str, frozenset[str]] = {
    "coordinator": frozenset({"admin", "coordinator", "integration"}),
    "manage_staff": frozenset({"admin", "integration"}),
    "safeguarding": frozenset({"safeguarding_lead"}),
    "audit_log": frozenset({"safeguarding_lead", "admin"}),
    "mentor": frozenset({"mentor"}),
    "mentee": frozenset({"mentee"}),
}


def roles_holding(permissions: tuple[str, ...]) -> frozenset[str]:
    """Every role that holds at least one of the permissions."""
    return frozenset().union(*(PERMISSIONS.get(p, frozenset({p})) for p in permissions))


def permissions_of(role: str) -> list[str]:
    return sorted(name for name, roles in PERMISSIONS.items() if role in roles)


@dataclass(frozen=True)
class Principal:
    role: Role
    tenant_id: str | None = None
    person_id: str | None = None
    staff_id: str | None = None
    key_id: str | None = None
    session_id: str | None = None
    read_only: bool = False
    issued_at: float | None = None

    @property
    def is_coordinator(self) -> bool:
        """Holds the coordination permission (a coordinator, an admin or the API key)."""
        return self.role in PERMISSIONS["coordinator"]

    @property
    def is_person(self) -> bool:
        return self.role in PERSON_ROLES

    @property
    def actor(self) -> str:
        """The audit name: `staff:<id>`, `person:<id>`, `integration:<key id>` or `operator`."""
        if self.staff_id:
            return f"staff:{self.staff_id}"
        if self.person_id:
            return f"person:{self.person_id}"
        if self.key_id:
            return f"integration:{self.key_id}"
        return self.role

    def holds(self, permission: str) -> bool:
        return self.role in roles_holding((permission,))

    def require(self, permission: str) -> None:
        if not self.holds(permission):
            allowed = " or ".join(sorted(roles_holding((permission,))))
            raise Forbidden(f"a {self.role} may not do this; it needs {allowed}", code="role_not_allowed")

    def require_coordinator(self) -> None:
        if not self.is_coordinator:
            raise Forbidden("only a coordinator of the organisation may do this", code="coordinator_only")

    def may_act_for(self, person_id: str) -> bool:
        return self.is_coordinator or self.person_id == person_id
