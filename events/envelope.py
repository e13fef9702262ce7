"""The CloudEvents-like envelope every event travels in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from events.types import EventType

ENVELOPE_VERSION = 1

# Fixed namespace so that an event derived from the same cause always gets the same id,
# on every replay, in every process.
_DERIVED_NS = uuid.UUID("6f1c2a52-8a43-4c1e-9b8e-2d7f0f4b6a10")


@dataclass(frozen=True)
class Event:
    """One fact that happened, with the aggregate it is about (``subject``)."""

    type: EventType
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


def utc_now_iso() -> str:
    """The current UTC time as ISO-8601 with a ``Z`` suffix."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def derived_id(cause_id: str, what: str) -> str:
    """A deterministic event id for the reaction ``what`` to the cause ``cause_id``.

    A consumer that replays the same cause emits the same id, so downstream dedupes it.
    """
    return str(uuid.uuid5(_DERIVED_NS, f"{cause_id}/{what}"))


def reaction(
    cause: Event,
    type: EventType,
    data: dict[str, Any],
    source: str,
    subject: str | None = None,
    key: str | None = None,
    what: str | None = None,
) -> Event:
    """An event emitted in reaction to ``cause``: deterministic id, same correlation."""
    return Event(
        type=type,
        subject=subject or cause.subject,
        key=key or cause.key,
        data=data,
        id=derived_id(cause.id, what or str(type)),
        source=source,
        correlation_id=cause.correlation_id,
    )
