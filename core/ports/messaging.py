"""Ports: events in and out: publishing, and what each consumer group has applied."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from events.envelope import Event


class EventPublisher(Protocol):
    def publish(self, event: Event) -> None:
        """Send ``event`` and wait for the broker's acknowledgement, or raise ``PublishFailed``."""


class ProcessedEvents(Protocol):
    def seen(self, group: str, event_id: str) -> bool:
        """Whether ``group`` already applied this event."""

    def seen_many(self, group: str, event_ids: list[str]) -> set[str]:
        """Which of ``event_ids`` ``group`` already applied, in one read."""

    def mark_many(self, group: str, event_ids: list[str], at: datetime) -> None:
        """Remember that ``group`` applied all of these, in one write."""
