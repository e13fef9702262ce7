"""Ports: a trainee's learning goals."""

from __future__ import annotations

from typing import Protocol

from core.goals import LearningGoals
from events.envelope import Event


class Goals(Protocol):
    def get(self, trainee_id: str) -> LearningGoals | None:
        """The trainee's goals, if they set any."""

    def put(self, goals: LearningGoals, announcing: Event | None = None) -> None:
        """Set the trainee's goals (replacing any earlier ones), with the event announcing them."""
