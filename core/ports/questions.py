"""Port: questions to a training's expert, their answers, reports and moderation."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.questions import Question, QuestionReport, QuestionState
from events.envelope import Event


class Questions(Protocol):
    def add(self, question: Question, announcing: Event | None = None) -> None:
        """Store a new question with the event announcing it, in one write."""

    def get(self, question_id: str) -> Question | None:
        """The question with this id."""

    def answer(self, question_id: str, text: str, at: datetime, announcing: Event | None = None) -> bool:
        """Set the answer of a waiting question, once; False if it is answered or hidden."""

    def report(self, question_id: str, report: QuestionReport, announcing: Event | None = None) -> bool:
        """Add a report unless its author reported it before or it is hidden; puts it on the desk."""

    def hide(self, question_id: str, admin_id: str, reason: str, at: datetime, announcing: Event | None = None) -> bool:
        """Hide a question (it leaves the desk); False if it was hidden already."""

    def of_training(
        self, training_id: str, state: QuestionState, limit: int, offset: int, asked_by: str | None = None
    ) -> tuple[list[Question], int]:
        """A training's questions in one state, and their total: answered ones newest answer first,
        the others oldest first (the expert answers in the order they were asked); ``asked_by``: one
        trainee's only."""

    def under_review(self, limit: int, offset: int) -> tuple[list[Question], int]:
        """Reported questions not hidden yet, the latest reported first, and their total."""
