"""The tamper-evident audit trail."""

from .log import ActorKind, record_event

__all__ = ["ActorKind", "record_event"]
