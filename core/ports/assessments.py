"""Ports: after the day, the experts' assessments of their trainees and the private follow-up threads."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.assessments import Assessment, FollowUpMessage, MessageReport
from events.envelope import Event


class Assessments(Protocol):
    def get(self, booking_id: str) -> Assessment | None:
        """The assessment of this booking's day, if the expert gave one."""

    def put(self, assessment: Assessment, announcing: Event | None = None) -> bool:
        """Store revision ``assessment.revision``: the first (1) only if there is none, a later one only
        over the one before it; False if another revision got there first."""

    def of_trainee(self, trainee_id: str) -> list[Assessment]:
        """Every assessment of a trainee, the newest first."""


class FollowUps(Protocol):
    def add(self, message: FollowUpMessage, announcing: Event | None = None) -> None:
        """Store a message of a booking's thread, with the event telling the other side."""

    def of_booking(self, booking_id: str, limit: int, offset: int) -> tuple[list[FollowUpMessage], int]:
        """A thread's messages, oldest first, and how many there are."""

    def get(self, message_id: str) -> FollowUpMessage | None:
        """One message."""

    def report(self, message_id: str, report: MessageReport, announcing: Event | None = None) -> bool:
        """Add a report unless this person reported it, or it is hidden; False then."""

    def hide(self, message_id: str, reason: str, at: datetime, announcing: Event | None = None) -> bool:
        """Hide it unless it is hidden already; False then."""

    def under_review(self, limit: int, offset: int) -> tuple[list[FollowUpMessage], int]:
        """Reported messages not hidden, the latest report first, and how many."""
