"""Types shared by the event modules."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

Id = Annotated[str, StringConstraints(min_length=1)]
Role = Literal["mentor", "mentee"]
Channel = Literal["email", "sms"]

# Who acted: a person id, or this literal when a coordinator (an organisation token) acted.
COORDINATOR = "coordinator"


class ContractModel(BaseModel):
    """A value nested inside an event; tolerant of unknown fields like the events themselves."""

    model_config = ConfigDict(extra="ignore", frozen=True)
