"""Ports: the experts' assessments of their trainees' days."""

from __future__ import annotations

from typing import Protocol

from core.assessments import Assessment
from events.envelope import Event


class Assessments(Protocol):
    def get(self, booking_id: str) -> Assessment | None:
        """The assessment of this booking's day, if the expert gave one."""

    def put(self, assessment: Assessment, announcing: Event | None = None) -> bool:
        """Store revision ``assessment.revision``: the first (1) only if there is none, a later one only
        over the one before it; False if another revision got there first."""

    def of_trainee(self, trainee_id: str) -> list[Assessment]:
        """Every assessment of a trainee, the newest first."""
