"""Experts who approve each trainee: the pending requests, and the decision."""

from __future__ import annotations

from core.errors import Conflict, Forbidden, NotFound
from core.model import Booking, BookingStatus, Role, User
from core.services.accounts import require_role
from core.services.deps import Deps
from core.words import N_, Worded
from events import BookingApprovalDecided
from events.envelope import adopt, new_event


def pending_requests(deps: Deps, expert: User) -> list[tuple[Booking, User | None]]:
    """Requests waiting for this expert's decision, oldest first, each with the trainee's profile."""
    require_role(expert, Role.EXPERT)
    trainings, _ = deps.trainings.by_expert(expert.id, 200, 0)
    waiting = deps.bookings.pending_approval_for([t.id for t in trainings])
    trainees = deps.users.many([b.trainee_id for b in waiting])
    return [(b, trainees.get(b.trainee_id)) for b in waiting]


def decide(deps: Deps, expert: User, booking_id: str, approved: bool, reason: str | None = None) -> Booking:
    """Approve (the trainee may then pay) or reject with a reason; applied by the capacity worker."""
    require_role(expert, Role.EXPERT)
    booking = deps.bookings.get(booking_id)
    training = deps.trainings.get(booking.training_id) if booking else None
    if booking is None or training is None:
        raise NotFound(Worded(N_("No booking %(id)s."), id=booking_id))
    if training.expert_id != expert.id:
        raise Forbidden(N_("Only the training's expert decides on its requests."))
    adopt(booking.correlation_id)  # the decision joins the booking's chain
    if booking.status is not BookingStatus.PENDING_APPROVAL:
        raise Conflict(Worded(N_("This request is %(status)s, not waiting for a decision."), status=booking.status))
    decided = BookingApprovalDecided(
        booking_id=booking.id, training_id=booking.training_id, trainee_id=booking.trainee_id,
        approved=approved, reason=reason, expert_id=expert.id,
    )  # fmt: skip
    deps.publisher.publish(new_event(decided, deps.policy.source))
    return booking
