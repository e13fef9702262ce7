"""After the day: the training's expert assesses each trainee who was there; the two of them see it."""

from __future__ import annotations

from typing import Any

from core.assessments import Assessment, Competency
from core.booking_rules import was_present
from core.errors import Conflict, NotFound
from core.model import Booking, Role, Training, User
from core.services.accounts import require_role
from core.services.announce import announce
from core.services.deps import Deps
from core.words import N_, Worded
from events import AssessmentRecorded
from events.envelope import new_event


def booking_on_my_training(deps: Deps, expert: User, booking_id: str) -> tuple[Booking, Training]:
    """A booking on one of the expert's trainings, and the training; 404 for anyone else's."""
    require_role(expert, Role.EXPERT)
    booking, training = booking_and_training(deps, booking_id)
    if training.expert_id != expert.id:
        raise NotFound(Worded(N_("No booking %(id)s."), id=booking_id))
    return booking, training


def assess(deps: Deps, expert: User, booking_id: str, values: dict[str, Any]) -> Assessment:
    """Give (or revise) the assessment of a present trainee's day; the trainee is told."""
    booking, training = booking_on_my_training(deps, expert, booking_id)
    if not was_present(booking):
        raise Conflict("Only a trainee you marked present can be assessed: record the attendance first.")
    now = deps.clock()
    earlier = deps.assessments.get(booking.id)
    assessment = Assessment(
        booking_id=booking.id, training_id=training.id, trainee_id=booking.trainee_id, expert_id=expert.id,
        competencies=[Competency(c["name"].strip(), c["level"]) for c in values["competencies"]],
        comment=values["comment"].strip(), next_step=(values.get("next_step") or "").strip() or None,
        created_at=earlier.created_at if earlier else now, updated_at=now,
        revision=earlier.revision + 1 if earlier else 1, training_title=training.title, expert_name=expert.name,
    )  # fmt: skip
    event = AssessmentRecorded(
        booking_id=booking.id, training_id=training.id, trainee_id=booking.trainee_id, expert_id=expert.id,
        revision=assessment.revision,
    )  # fmt: skip
    if not deps.assessments.put(assessment, announcing=new_event(event, deps.policy.source)):
        raise Conflict("The assessment was changed at the same moment; reload it and try again.")
    announce(deps, "assessments", booking.id)
    return assessment


def assessment_of(deps: Deps, viewer: User, booking_id: str) -> Assessment:
    """The assessment of a booking's day, for its trainee and the training's expert only."""
    booking, _ = between_its_parties(deps, viewer, booking_id)
    found = deps.assessments.get(booking.id)
    if found is None:
        raise NotFound("No assessment yet: the expert gives one after the day.")
    return found


def booking_and_training(deps: Deps, booking_id: str) -> tuple[Booking, Training]:
    """A booking and its training; 404 if either is missing."""
    booking = deps.bookings.get(booking_id)
    training = deps.trainings.get(booking.training_id) if booking else None
    if booking is None or training is None:
        raise NotFound(Worded(N_("No booking %(id)s."), id=booking_id))
    return booking, training


def between_its_parties(deps: Deps, viewer: User, booking_id: str) -> tuple[Booking, Training]:
    """A booking and its training, for the booking's trainee and the training's expert; 404 for anyone else
    (which does not say that it exists)."""
    booking, training = booking_and_training(deps, booking_id)
    if viewer.id not in (booking.trainee_id, training.expert_id):
        raise NotFound(Worded(N_("No booking %(id)s."), id=booking_id))
    return booking, training
