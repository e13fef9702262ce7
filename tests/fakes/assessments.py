"""Fake of the assessments port."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from core.assessments import Assessment, FollowUpMessage
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
