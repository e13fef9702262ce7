"""Questions to the expert before booking: asked by trainees, answered once by the training's expert,
shown publicly once answered, reported by anyone who can read them, hidden by admins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.errors import ValidationError
from core.model import Role, User

# Characters, after trimming: a question says something, an answer may be one word ("Yes.").
QUESTION_LENGTH = (10, 2000)
ANSWER_LENGTH = (1, 4000)
REASON_LENGTH = (5, 1000)


class QuestionState(StrEnum):
    """Where a question stands: waiting for the expert, answered (public), or hidden by an admin."""

    OPEN = "open"
    ANSWERED = "answered"
    HIDDEN = "hidden"


@dataclass
class QuestionReport:
    """Someone flagged a question (or its answer) as inappropriate, once per person."""

    by: str
    reason: str
    at: datetime


@dataclass
class Question:
    """One trainee's question about one training, and the expert's one answer."""

    id: str
    training_id: str
    expert_id: str
    trainee_id: str
    author_name: str  # as shown beside the question: first name and initial
    text: str
    created_at: datetime
    state: QuestionState = QuestionState.OPEN
    answer: str | None = None
    answered_at: datetime | None = None
    reports: list[QuestionReport] = field(default_factory=list)
    reported_at: datetime | None = None  # the latest report
    under_review: bool = False  # reported and not hidden yet: on the moderation desk
    hidden_at: datetime | None = None
    hidden_by: str | None = None
    hidden_reason: str | None = None

    def visible_to(self, viewer: User | None) -> bool:
        """Answered ones to anyone; waiting ones to their author and the training's expert; admins see all."""
        if viewer is not None and viewer.role is Role.ADMIN:
            return True
        if self.state is QuestionState.ANSWERED:
            return True
        if self.state is QuestionState.HIDDEN or viewer is None:
            return False
        return viewer.id in (self.trainee_id, self.expert_id)

    def reported_by(self, user_id: str) -> bool:
        """Whether this person reported it already."""
        return any(r.by == user_id for r in self.reports)


def plain_text(name: str, text: str, bounds: tuple[int, int]) -> str:
    """The text as typed, trimmed; ``ValidationError`` naming the field when it is too short or too long."""
    trimmed = text.strip()
    low, high = bounds
    if not low <= len(trimmed) <= high:
        raise ValidationError(
            f"The {name} must be {low} to {high} characters long.",
            {name: [f"Must be between {low} and {high} characters (spaces at either end do not count)."]},
        )
    return trimmed
