"""Events of questions to a training's expert before booking, keyed by the training.

They carry ids (and the reasons of reports and of hiding), never the question's words: what an
admin hides leaves the pages and the inboxes, and no copy of it waits on the broker.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.base import DomainEvent
from events.types import Topic


@dataclass(frozen=True, kw_only=True)
class QuestionChanged(DomainEvent):
    """A question as it stands (shared by the four ``question.*`` types)."""

    TOPIC = Topic.TRAININGS

    question_id: str
    training_id: str
    expert_id: str
    trainee_id: str  # who asked

    def subject(self) -> str:
        """The question."""
        return self.question_id


@dataclass(frozen=True, kw_only=True)
class QuestionAsked(QuestionChanged):
    """A trainee asked the training's expert a question before booking."""

    TYPE = "question.asked"


@dataclass(frozen=True, kw_only=True)
class QuestionAnswered(QuestionChanged):
    """The training's expert answered a question: it is public from now on."""

    TYPE = "question.answered"


@dataclass(frozen=True, kw_only=True)
class QuestionReported(QuestionChanged):
    """Someone reported a question, or its answer, as inappropriate."""

    TYPE = "question.reported"

    reporter_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class QuestionHidden(QuestionChanged):
    """An admin hid a question: only admins see it now."""

    TYPE = "question.hidden"

    admin_id: str
    reason: str
