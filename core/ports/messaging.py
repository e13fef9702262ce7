"""Ports: events in and out: publishing, and what each consumer group has applied."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.model import Booking
from events.envelope import Event


class EventPublisher(Protocol):
    def publish(self, event: Event) -> None:
        """Send ``event`` and wait for the broker's acknowledgement, or raise ``PublishFailed``."""

    def publish_many(self, events: list[Event]) -> None:
        """Send every event, then wait once for all the acknowledgements, or raise ``PublishFailed``
        (some may have been taken: each is published again on a retry, and consumers dedupe by id)."""


class PendingEvents(Protocol):
    """Events stored in the document whose change they announce, until the broker has them.

    ``kind`` names the aggregate (users, trainings, demos, sponsorships, reviews).
    """

    def of(self, kind: str, doc_id: str) -> list[Event]:
        """The document's events not yet acknowledged by the broker, oldest first."""

    def sent(self, kind: str, doc_id: str, event_ids: list[str]) -> None:
        """These events are on the broker: forget them."""

    def due(self, stored_before: datetime, limit: int) -> list[tuple[str, str]]:
        """Up to ``limit`` documents, as (kind, id), with an event waiting since before ``stored_before``."""

    def backlog(self) -> tuple[int, datetime | None]:
        """How many events wait for the broker, and when the oldest was stored (for operators)."""


class ProcessedEvents(Protocol):
    def seen(self, group: str, event_id: str) -> bool:
        """Whether ``group`` already applied this event."""

    def seen_many(self, group: str, event_ids: list[str]) -> set[str]:
        """Which of ``event_ids`` ``group`` already applied, in one read."""

    def mark_many(self, group: str, event_ids: list[str], at: datetime) -> None:
        """Remember that ``group`` applied all of these, in one write."""


class DeferredEvents(Protocol):
    """Events a consumer group set aside, to handle after what is urgent (a waitlist's notices)."""

    def defer(self, group: str, events: list[Event], at: datetime) -> None:
        """Keep these, in one write; an event deferred twice is kept once."""

    def due(self, group: str, limit: int) -> list[Event]:
        """Up to ``limit`` of the group's deferred events, oldest first."""

    def done(self, group: str, event_ids: list[str]) -> None:
        """These were handled: forget them."""


class Outcomes(Protocol):
    """The decisions of booking requests this process waits for (the API's ``Prefer: wait``)."""

    def start(self) -> None:
        """Begin reading decisions now, not at the first request (the API calls it when it starts)."""

    def expect(self, booking_id: str) -> None:
        """Start listening for the booking's decision (before its request is published)."""

    def wait(self, booking_id: str, timeout_s: float, accepted: Booking) -> bool:
        """Whether the decision came within ``timeout_s`` (0: whether it came already), after ``expect``;
        if not, ``undecided`` answers with ``accepted`` until it does."""

    def undecided(self, booking_id: str) -> Booking | None:
        """The booking as accepted while no decision about it has gone by (a status poll without a
        database read), else None: read it from the store."""
