"""Fake of the goals port."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from core.goals import LearningGoals
from events.envelope import Event
from tests.fakes.messaging import FakePendingEvents


@dataclass
class FakeGoals:
    """One row per trainee; the event waits in the shared pending events, as the adapter's does."""

    pending: FakePendingEvents = field(default_factory=FakePendingEvents)
    rows: dict[str, LearningGoals] = field(default_factory=dict)

    def get(self, trainee_id: str) -> LearningGoals | None:
        """A copy, as a read from the store would be."""
        goals = self.rows.get(trainee_id)
        return copy.deepcopy(goals) if goals is not None else None

    def put(self, goals: LearningGoals, announcing: Event | None = None) -> None:
        """Replace the row and keep the event."""
        self.rows[goals.trainee_id] = copy.deepcopy(goals)
        self.pending.keep("goals", goals.trainee_id, announcing)
