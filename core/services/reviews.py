"""Reviews: trainees who attended rate the training once, may correct it for 14 days; the expert answers once."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from core.booking_rules import was_present
from core.errors import Conflict, Forbidden, NotFound
from core.model import Booking, BookingStatus, Role, Training, TrainingStatus, User
from core.reviews import Review
from core.services.accounts import require_role
from core.services.announce import announce
from core.services.deps import Deps
from core.services.trainings import get_training
from core.words import N_, Worded
from events import ReviewAnswered, ReviewChanged, ReviewEdited, ReviewPosted
from events.envelope import Event, new_event


def reviews_of(deps: Deps, training_id: str, limit: int, offset: int) -> tuple[Training, list[Review], int]:
    """The reviews of a training's series (every session of the programme), newest first."""
    training = get_training(deps, training_id)
    reviews, total = deps.reviews.of_series(training.series_id or training.id, limit, offset)
    return training, reviews, total


def post_review(deps: Deps, trainee: User, training_id: str, rating: int, text: str) -> Review:
    """Review a completed training the caller attended; once per trainee and training."""
    require_role(trainee, Role.TRAINEE)
    training = get_training(deps, training_id, viewer=trainee)
    attended = _attended(deps, trainee, training)
    if attended is None:
        raise Forbidden("Only trainees marked present at this training may review it.")
    if training.status is not TrainingStatus.COMPLETED:
        raise Conflict("Reviews open once the training is completed.")
    if deps.reviews.by_trainee(trainee.id, training.id) is not None:
        raise Conflict("You have reviewed this training already; edit your review instead.")
    now = deps.clock()
    review = Review(
        id=f"rev_{uuid.uuid4().hex[:16]}", training_id=training.id, series_id=training.series_id or training.id,
        expert_id=training.expert_id,
        trainee_id=trainee.id, booking_id=attended.id, rating=rating, text=text.strip(), created_at=now,
        updated_at=now, author_name=shown_name(trainee),
    )  # fmt: skip
    # The unique index refuses a concurrent second review.
    deps.reviews.add(review, announcing=_event(deps, ReviewPosted, review))
    deps.reviews.refresh_ratings(review.series_id, training.expert_id)
    announce(deps, "reviews", review.id)
    return review


def edit_review(deps: Deps, trainee: User, review_id: str, changes: dict[str, Any]) -> Review:
    """Change my review's rating or text, within 14 days of posting it."""
    require_role(trainee, Role.TRAINEE)
    review = deps.reviews.get(review_id)
    if review is None or review.trainee_id != trainee.id:
        raise NotFound(Worded(N_("No review %(id)s."), id=review_id))
    now = deps.clock()
    rating = changes.get("rating", review.rating)
    text = changes.get("text", review.text).strip()
    edited = _event(deps, ReviewEdited, replace(review, rating=rating))
    if not review.editable(now) or not deps.reviews.edit(review.id, rating, text, now, announcing=edited):
        raise Conflict(
            Worded(N_("Reviews can be changed for 14 days; this one closed on %(day)s."), day=review.editable_until)
        )
    deps.reviews.refresh_ratings(review.series_id, review.expert_id)
    announce(deps, "reviews", review.id)
    updated = deps.reviews.get(review.id)
    assert updated is not None
    return updated


def answer_review(deps: Deps, expert: User, review_id: str, text: str) -> Review:
    """The training's expert answers a review, once."""
    require_role(expert, Role.EXPERT)
    review = deps.reviews.get(review_id)
    if review is None or review.expert_id != expert.id:
        raise NotFound(Worded(N_("No review %(id)s."), id=review_id))
    answered_event = _event(deps, ReviewAnswered, review)
    if not deps.reviews.answer(review.id, text.strip(), deps.clock(), announcing=answered_event):
        raise Conflict("You have answered this review already.")
    announce(deps, "reviews", review.id)
    answered = deps.reviews.get(review.id)
    assert answered is not None
    return answered


def review_status(deps: Deps, trainee: User, training: Training) -> tuple[bool, Review | None]:
    """Whether the trainee may review this training now, and their review if they wrote one."""
    mine = deps.reviews.by_trainee(trainee.id, training.id)
    if mine is not None or training.status is not TrainingStatus.COMPLETED:
        return False, mine
    return _attended(deps, trainee, training) is not None, None


def _attended(deps: Deps, trainee: User, training: Training) -> Booking | None:
    """The trainee's confirmed booking on the training if the expert marked them present."""
    booking = deps.bookings.active_for(trainee.id, training.id, statuses=frozenset({BookingStatus.CONFIRMED}))
    return booking if booking is not None and was_present(booking) else None


# Titles before a name, not part of it: "Dr Sam Taylor" signs "Sam T.".
_HONORIFICS = frozenset({"dr", "dr.", "prof", "prof.", "pr", "pr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms."})


def shown_name(trainee: User) -> str:
    """First name and initial, as review sites show them: "Anna K."."""
    parts = trainee.name.split()
    while len(parts) > 2 and parts[0].lower() in _HONORIFICS:
        parts = parts[1:]
    if len(parts) < 2:
        return trainee.name
    return f"{parts[0]} {parts[-1][0]}."


def _event(deps: Deps, kind: type[ReviewChanged], review: Review) -> Event:
    changed = kind(
        review_id=review.id, training_id=review.training_id, expert_id=review.expert_id,
        trainee_id=review.trainee_id, rating=review.rating,
    )  # fmt: skip
    return new_event(changed, deps.policy.source)
