"""The CloudEvents-like envelope every event travels in."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from events.base import DomainEvent, event_class

ENVELOPE_VERSION = 1

# Fixed namespace so that an event derived from the same cause always gets the same id,
# on every replay, in every process.
_DERIVED_NS = uuid.UUID("6f1c2a52-8a43-4c1e-9b8e-2d7f0f4b6a10")

E = TypeVar("E", bound=DomainEvent)

# The correlation of whatever this thread is doing now: the HTTP request the API is answering
# (its X-Request-ID), or the event a worker is applying. An event made without a cause to react
# to takes it, so the chain a request starts keeps one id through every process.
_CORRELATION: ContextVar[str] = ContextVar("correlation_id", default="")


@contextmanager
def correlated(correlation_id: str) -> Iterator[None]:
    """Events made inside, without a correlation of their own, carry ``correlation_id``."""
    token = _CORRELATION.set(correlation_id)
    try:
        yield
    finally:
        _CORRELATION.reset(token)


def adopt(correlation_id: str) -> None:
    """Inside a request or an event already correlated, carry ``correlation_id`` instead from here
    to its end: a request about a booking joins the chain of the request that made the booking.
    Outside any (a sweep, a script), nothing changes."""
    if correlation_id and _CORRELATION.get():
        _CORRELATION.set(correlation_id)  # reset with the enclosing ``correlated``


def current_correlation() -> str:
    """The correlation events made now would carry ("" outside any request or event)."""
    return _CORRELATION.get()


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
    """The envelope of ``payload``: its type, subject, key and wire data; a fresh id unless given.

    Its correlation is ``correlation_id``, else the current one (``correlated``), else its own id.
    """
    return Event(
        type=payload.TYPE,
        subject=payload.subject(),
        key=payload.key(),
        data=payload.to_data(),
        id=id or str(uuid.uuid4()),
        source=source,
        correlation_id=correlation_id or _CORRELATION.get(),
    )


def reaction(cause: Event, payload: DomainEvent, source: str, what: str | None = None) -> Event:
    """An event emitted in reaction to ``cause``: deterministic id, same correlation."""
    return new_event(
        payload, source, id=derived_id(cause.id, what or payload.TYPE), correlation_id=cause.correlation_id
    )
