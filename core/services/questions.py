"""Questions to the expert before booking: trainees ask, the training's expert answers once (then it is
public), anyone who can read a question reports it, admins hide it. Every change carries its event."""

from __future__ import annotations

import uuid
from typing import Any

from core.errors import Conflict, NotFound, Unauthorized
from core.model import Role, Training, TrainingStatus, User
from core.questions import (
    ANSWER_LENGTH,
    QUESTION_LENGTH,
    REASON_LENGTH,
    Question,
    QuestionReport,
    QuestionState,
    plain_text,
)
from core.services import limits
from core.services.accounts import require_role
from core.services.announce import announce
from core.services.deps import Deps
from core.services.reviews import shown_name
from core.services.trainings import get_training
from core.words import N_, Worded
from events import QuestionAnswered, QuestionAsked, QuestionChanged, QuestionHidden, QuestionReported
from events.envelope import Event, new_event

KIND = "questions"  # the collection whose documents carry their events (the outbox)


def ask(deps: Deps, trainee: User, training_id: str, text: str) -> Question:
    """Ask a published training's expert a question, as typed (trimmed); rate-limited per trainee."""
    require_role(trainee, Role.TRAINEE)
    training = get_training(deps, training_id, viewer=trainee)
    if training.status is not TrainingStatus.PUBLISHED:
        raise Conflict("Questions are open while the training takes bookings.")
    words = plain_text("text", text, QUESTION_LENGTH)
    now = deps.clock()
    # Counted once the question is well formed: a typo refused does not use up the allowance.
    limits.throttle(deps.rate_limits, f"question:{trainee.id}", deps.policy.questions_per_trainee, now, "questions")
    question = Question(
        id=f"q_{uuid.uuid4().hex[:16]}", training_id=training.id, expert_id=training.expert_id,
        trainee_id=trainee.id, author_name=shown_name(trainee), text=words, created_at=now,
    )  # fmt: skip
    deps.questions.add(question, announcing=_event(deps, QuestionAsked, question))
    announce(deps, KIND, question.id)
    return question


def questions_of(
    deps: Deps, viewer: User | None, training_id: str, state: QuestionState, limit: int, offset: int
) -> tuple[Training, list[Question], int]:
    """A training's questions in one state, as far as the viewer may see them.

    Answered ones are public (newest answer first). Waiting ones: the training's expert and
    admins see all of them, a trainee their own (oldest first). Hidden ones: admins only.
    """
    training = get_training(deps, training_id, viewer=viewer)
    if state is QuestionState.ANSWERED:
        found, total = deps.questions.of_training(training.id, state, limit, offset)
        return training, found, total
    if viewer is None:
        raise Unauthorized("Sign in to see questions that are not answered yet.")
    if state is QuestionState.HIDDEN:
        require_role(viewer, Role.ADMIN)
    everyone = viewer.role is Role.ADMIN or viewer.id == training.expert_id
    found, total = deps.questions.of_training(training.id, state, limit, offset, None if everyone else viewer.id)
    return training, found, total


def answer(deps: Deps, expert: User, question_id: str, text: str) -> Question:
    """The training's expert answers a question, once: from then on anyone reads both.

    No edit afterwards: the asker was told of this answer, and a report names what it reported.
    """
    require_role(expert, Role.EXPERT)
    question = _visible(deps, expert, question_id)
    if question.expert_id != expert.id:
        raise NotFound(Worded(N_("No question %(id)s on your trainings."), id=question_id))
    words = plain_text("text", text, ANSWER_LENGTH)
    if question.state is QuestionState.ANSWERED:
        raise Conflict("You have answered this question already.")
    if not deps.questions.answer(question.id, words, deps.clock(), announcing=_event(deps, QuestionAnswered, question)):
        _refused(deps, question_id, "You have answered this question already.")
    announce(deps, KIND, question.id)
    return _stored(deps, question.id)


def report(deps: Deps, user: User, question_id: str, reason: str) -> Question:
    """Report a question I can read (or its answer) as inappropriate, once; the admins are told."""
    question = _visible(deps, user, question_id)
    if question.state is QuestionState.HIDDEN:
        raise Conflict("This question is hidden already.")
    why = plain_text("reason", reason, REASON_LENGTH)
    if question.reported_by(user.id):
        raise Conflict("You have reported this question already.")
    reported = _event(deps, QuestionReported, question, reporter_id=user.id, reason=why)
    if not deps.questions.report(question.id, QuestionReport(user.id, why, deps.clock()), announcing=reported):
        _refused(deps, question_id, "You have reported this question already.")
    announce(deps, KIND, question.id)
    return _stored(deps, question.id)


def hide(deps: Deps, admin: User, question_id: str, reason: str) -> Question:
    """Hide a question from everyone but admins, with the reason its author reads (admins)."""
    require_role(admin, Role.ADMIN)
    question = _visible(deps, admin, question_id)
    why = plain_text("reason", reason, REASON_LENGTH)
    hidden = _event(deps, QuestionHidden, question, admin_id=admin.id, reason=why)
    if not deps.questions.hide(question.id, admin.id, why, deps.clock(), announcing=hidden):
        raise Conflict("This question is hidden already.")
    announce(deps, KIND, question.id)
    return _stored(deps, question.id)


def under_review(deps: Deps, admin: User, limit: int, offset: int) -> tuple[list[Question], int]:
    """The moderation desk: reported questions not hidden yet, the latest reported first (admins)."""
    require_role(admin, Role.ADMIN)
    return deps.questions.under_review(limit, offset)


def _visible(deps: Deps, viewer: User, question_id: str) -> Question:
    """The question, if the viewer may read it; else ``NotFound``, which does not say it exists."""
    question = deps.questions.get(question_id)
    if question is None or not question.visible_to(viewer):
        raise NotFound(Worded(N_("No question %(id)s."), id=question_id))
    return question


def _refused(deps: Deps, question_id: str, otherwise: str) -> None:
    """A guarded write matched nothing: an admin hid the question meanwhile, or ``otherwise``."""
    current = deps.questions.get(question_id)
    if current is None or current.state is QuestionState.HIDDEN:
        raise Conflict("This question is hidden already.")
    raise Conflict(otherwise)


def _stored(deps: Deps, question_id: str) -> Question:
    stored = deps.questions.get(question_id)
    assert stored is not None
    return stored


def _event(deps: Deps, kind: type[QuestionChanged], question: Question, **facts: Any) -> Event:
    changed = kind(
        question_id=question.id, training_id=question.training_id, expert_id=question.expert_id,
        trainee_id=question.trainee_id, **facts,
    )  # fmt: skip
    return new_event(changed, deps.policy.source)
