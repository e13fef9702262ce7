"""Fake of the assessments port."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import datetime

from core.assessments import Assessment, FollowUpMessage, MessageReport
from events.envelope import Event
from tests.fakes.messaging import FakePendingEvents


@dataclass
class FakeAssessments:
    """One row per booking, revised by compare-and-set as the adapter does."""

    pending: FakePendingEvents = field(default_factory=FakePendingEvents)
    rows: dict[str, Assessment] = field(default_factory=dict)

    def get(self, booking_id: str) -> Assessment | None:
        """A copy, as a read would be."""
        found = self.rows.get(booking_id)
        return copy.deepcopy(found) if found else None

    def put(self, assessment: Assessment, announcing: Event | None = None) -> bool:
        """The first revision if none, else only over the previous one; ``created_at`` stays."""
        current = self.rows.get(assessment.booking_id)
        if (current is None) != (assessment.revision == 1):
            return False
        if current is not None and current.revision != assessment.revision - 1:
            return False
        stored = copy.deepcopy(assessment)
        if current is not None:
            stored.created_at = current.created_at
        self.rows[assessment.booking_id] = stored
        self.pending.keep("assessments", assessment.booking_id, announcing)
        return True

    def of_trainee(self, trainee_id: str) -> list[Assessment]:
        """The newest first."""
        mine = [copy.deepcopy(a) for a in self.rows.values() if a.trainee_id == trainee_id]
        return sorted(mine, key=lambda a: a.updated_at or a.created_at, reverse=True)  # type: ignore[arg-type, return-value]


@dataclass
class FakeFollowUps:
    """The messages in the order written."""

    pending: FakePendingEvents = field(default_factory=FakePendingEvents)
    rows: list[FollowUpMessage] = field(default_factory=list)

    def add(self, message: FollowUpMessage, announcing: Event | None = None) -> None:
        """Append, keeping the event."""
        self.rows.append(message)
        self.pending.keep("follow_ups", message.id, announcing)

    def of_booking(self, booking_id: str, limit: int, offset: int) -> tuple[list[FollowUpMessage], int]:
        """Oldest first."""
        thread = sorted((m for m in self.rows if m.booking_id == booking_id), key=lambda m: m.created_at)
        return thread[offset : offset + limit], len(thread)

    def get(self, message_id: str) -> FollowUpMessage | None:
        """By id."""
        return next((m for m in self.rows if m.id == message_id), None)

    def report(self, message_id: str, report: MessageReport, announcing: Event | None = None) -> bool:
        """Once per reporter, never on a hidden message."""
        found = self.get(message_id)
        if found is None or found.hidden_at is not None or found.reported_by(report.reporter_id):
            return False
        self._put(replace(found, reports=(*found.reports, report), reported_at=report.at))
        self.pending.keep("follow_ups", message_id, announcing)
        return True

    def hide(self, message_id: str, reason: str, at: datetime, announcing: Event | None = None) -> bool:
        """Once; off the desk."""
        found = self.get(message_id)
        if found is None or found.hidden_at is not None:
            return False
        self._put(replace(found, hidden_at=at, hidden_reason=reason, reported_at=None))
        self.pending.keep("follow_ups", message_id, announcing)
        return True

    def under_review(self, limit: int, offset: int) -> tuple[list[FollowUpMessage], int]:
        """Reported and not hidden, the latest report first."""
        waiting = sorted((m for m in self.rows if m.reported_at is not None), key=lambda m: m.reported_at, reverse=True)  # type: ignore[arg-type, return-value]
        return waiting[offset : offset + limit], len(waiting)

    def _put(self, message: FollowUpMessage) -> None:
        self.rows = [message if m.id == message.id else m for m in self.rows]
