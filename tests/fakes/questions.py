"""Fake of the questions port, as the MongoDB adapter behaves (tests/contract/test_questions_contract.py)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from core.questions import Question, QuestionReport, QuestionState
from events.envelope import Event
from tests.fakes.messaging import FakePendingEvents

KIND = "questions"


@dataclass
class FakeQuestions:
    """Questions by id; each guarded write changes one question and keeps its event beside it."""

    pending: FakePendingEvents = field(default_factory=FakePendingEvents)
    rows: dict[str, Question] = field(default_factory=dict)

    def add(self, question: Question, announcing: Event | None = None) -> None:
        """Store it with its event."""
        self.rows[question.id] = copy.deepcopy(question)
        self.pending.keep(KIND, question.id, announcing)

    def get(self, question_id: str) -> Question | None:
        """By id."""
        return copy.deepcopy(self.rows.get(question_id))

    def answer(self, question_id: str, text: str, at: datetime, announcing: Event | None = None) -> bool:
        """Once, while it waits."""
        question = self.rows.get(question_id)
        if question is None or question.state is not QuestionState.OPEN:
            return False
        question.answer, question.answered_at, question.state = text, at, QuestionState.ANSWERED
        self.pending.keep(KIND, question_id, announcing)
        return True

    def report(self, question_id: str, report: QuestionReport, announcing: Event | None = None) -> bool:
        """Once per person, unless hidden."""
        question = self.rows.get(question_id)
        if question is None or question.state is QuestionState.HIDDEN or question.reported_by(report.by):
            return False
        question.reports.append(copy.deepcopy(report))
        question.reported_at, question.under_review = report.at, True
        self.pending.keep(KIND, question_id, announcing)
        return True

    def hide(self, question_id: str, admin_id: str, reason: str, at: datetime, announcing: Event | None = None) -> bool:
        """Once; it leaves the desk."""
        question = self.rows.get(question_id)
        if question is None or question.state is QuestionState.HIDDEN:
            return False
        question.state, question.under_review = QuestionState.HIDDEN, False
        question.hidden_at, question.hidden_by, question.hidden_reason = at, admin_id, reason
        self.pending.keep(KIND, question_id, announcing)
        return True

    def of_training(
        self, training_id: str, state: QuestionState, limit: int, offset: int, asked_by: str | None = None
    ) -> tuple[list[Question], int]:
        """Answered: newest answer first; the others oldest first."""
        found = [q for q in self.rows.values() if q.training_id == training_id and q.state is state
                 and (asked_by is None or q.trainee_id == asked_by)]  # fmt: skip
        if state is QuestionState.ANSWERED:
            found.sort(key=lambda q: q.answered_at or q.created_at, reverse=True)
        else:
            found.sort(key=lambda q: q.created_at)
        return copy.deepcopy(found[offset : offset + limit]), len(found)

    def under_review(self, limit: int, offset: int) -> tuple[list[Question], int]:
        """The latest reported first."""
        found = sorted((q for q in self.rows.values() if q.under_review), key=lambda q: q.reported_at or q.created_at,
                       reverse=True)  # fmt: skip
        return copy.deepcopy(found[offset : offset + limit]), len(found)
