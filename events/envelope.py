"""The CloudEvents-like envelope every event travels in."""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from events.base import DomainEvent, event_class

ENVELOPE_VERSION = 1

# Fixed namespace so that an event derived from the same cause always gets the same id,
# on every replay, in every process.
_DERIVED_NS = uuid.UUID("6f1c2a52-8a43-4c1e-9b8e-2d7f0f4b6a10")

E = TypeVar("E", bound=DomainEvent)


@dataclass(frozen=True)
class Event:
    """One fact that happened, with the aggregate it is about (``subject``).

    ``type`` and ``data`` are the wire form; ``payload`` is the typed event they describe.
    Producers build envelopes with ``new_event`` or ``reaction`` from a ``DomainEvent``.
    """

    type: str
    subject: str
    data: dict[str, Any]
    key: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    version: int = ENVELOPE_VERSION
    time: str = field(default_factory=lambda: utc_now_iso())
    source: str = "marketplace"
    correlation_id: str = ""

    def __post_init__(self) -> None:
        if not self.correlation_id:
            # The first event of a chain correlates with itself.
            object.__setattr__(self, "correlation_id", self.id)

    @property
    def payload(self) -> DomainEvent:
        """The typed event ``data`` describes (``KeyError`` for an unknown type)."""
        return event_class(self.type).from_data(self.data)

    def payload_as(self, kind: builtins.type[E]) -> E:
        """The typed event, checked to be a ``kind`` (for handlers registered for that class)."""
        payload = self.payload
        if not isinstance(payload, kind):
            raise TypeError(f"{self.type} is not a {kind.__name__}.")
        return payload


def utc_now_iso() -> str:
    """The current UTC time as ISO-8601 with a ``Z`` suffix."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def derived_id(cause_id: str, what: str) -> str:
    """A deterministic event id for the reaction ``what`` to the cause ``cause_id``.

    A consumer that replays the same cause emits the same id, so downstream dedupes it.
    """
    return str(uuid.uuid5(_DERIVED_NS, f"{cause_id}/{what}"))


def new_event(payload: DomainEvent, source: str, id: str | None = None, correlation_id: str = "") -> Event:
    """The envelope of ``payload``: its type, subject, key and wire data; a fresh id unless given."""
    return Event(
        type=payload.TYPE,
        subject=payload.subject(),
        key=payload.key(),
        data=payload.to_data(),
        id=id or str(uuid.uuid4()),
        source=source,
        correlation_id=correlation_id,
    )


def reaction(cause: Event, payload: DomainEvent, source: str, what: str | None = None) -> Event:
    """An event emitted in reaction to ``cause``: deterministic id, same correlation."""
    return new_event(
        payload, source, id=derived_id(cause.id, what or payload.TYPE), correlation_id=cause.correlation_id
    )
