"""The base every event model derives from, and the registry of all event types."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

SCHEMA_BASE_URI = "https://schemas.ementor.org/events"

REGISTRY: dict[str, type[Event]] = {}


class Event(BaseModel):
    """A past-tense fact published by one service.

    Subclasses set `source_service` (the publishing service) and `subject_field` (the field
    holding the main entity id, copied to the CloudEvents `subject`). The wire type is the
    class name. Consumers ignore fields they do not know, so events can only grow.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    source_service: ClassVar[str]
    subject_field: ClassVar[str]
    version: ClassVar[int] = 1

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs):
        super().__pydantic_init_subclass__(**kwargs)
        if "source_service" in cls.__dict__:
            if cls.__name__ in REGISTRY:
                raise TypeError(f"event type {cls.__name__} is defined twice")
            REGISTRY[cls.__name__] = cls

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__

    @classmethod
    def source(cls) -> str:
        return f"/ementor/{cls.source_service}"

    @classmethod
    def dataschema(cls) -> str:
        return f"{SCHEMA_BASE_URI}/{cls.__name__}/v{cls.version}"

    def subject(self) -> str:
        return str(getattr(self, self.subject_field))


def event_class(type_name: str) -> type[Event]:
    try:
        return REGISTRY[type_name]
    except KeyError:
        raise UnknownEventType(type_name) from None


class UnknownEventType(LookupError):
    pass
