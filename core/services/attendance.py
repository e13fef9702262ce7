"""The roll call: on the training day its expert marks each confirmed trainee present or absent;
after the day the training is completed, and the certificates follow from the attendance."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum

from core.errors import Conflict, NotFound
from core.model import Booking, BookingStatus, Role, Training, TrainingStatus, User, zone_of
from core.services.accounts import require_role
from core.services.deps import Deps
from core.services.trainings import complete, get_training
from core.words import N_, Worded
from events import AttendanceRecorded
from events.envelope import adopt, new_event

# After the day ends, this long is left for the expert to correct the roll call before
# the training is completed automatically.
GRACE = timedelta(hours=12)


def opens_at(training: Training) -> datetime:
    """The start of the training's day at the venue: the roll call opens then."""
    assert training.starts_at is not None
    zone = zone_of(training.timezone)
    local = training.starts_at.astimezone(zone) if zone else training.starts_at
    return datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)


class RollCallState(StrEnum):
    """Whether the expert may mark attendance: not yet (before the day), open, or closed (the
    training is no longer published: completed or cancelled)."""

    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


def roll_call_state(training: Training, at: datetime) -> RollCallState:
    """The rule: the roll call is open from the start of the training's day while it is published."""
    if training.status is not TrainingStatus.PUBLISHED:
        return RollCallState.CLOSED
    if at < opens_at(training):
        return RollCallState.NOT_YET
    return RollCallState.OPEN


def roll_call(deps: Deps, expert: User, training_id: str) -> tuple[Training, list[tuple[Booking, User | None]]]:
    """The confirmed trainees of one of my trainings, with their attendance so far."""
    require_role(expert, Role.EXPERT)
    training = get_training(deps, training_id, viewer=expert)
    if training.expert_id != expert.id:
        raise NotFound(Worded(N_("No training %(id)s."), id=training_id))
    confirmed = [b for b in deps.bookings.live_on_training(training.id) if b.status is BookingStatus.CONFIRMED]
    people = deps.users.many([b.trainee_id for b in confirmed])
    return training, [(b, people.get(b.trainee_id)) for b in confirmed]


def record_attendance(deps: Deps, expert: User, booking_id: str, present: bool) -> Booking:
    """Mark a trainee present or absent, from the day's start until the training is completed."""
    require_role(expert, Role.EXPERT)
    booking = deps.bookings.get(booking_id)
    training = deps.trainings.get(booking.training_id) if booking else None
    if booking is None or training is None or training.expert_id != expert.id:
        raise NotFound(Worded(N_("No booking %(id)s."), id=booking_id))  # not revealing others' bookings
    adopt(booking.correlation_id)
    now = deps.clock()
    state = roll_call_state(training, now)
    if state is RollCallState.CLOSED:
        raise Conflict(Worded(N_("The roll call is closed: the training is %(status)s."), status=training.status))
    if state is RollCallState.NOT_YET:
        raise Conflict(N_("The roll call opens on the day of the training."))
    if not deps.bookings.set_attendance(booking.id, present, now):
        raise Conflict(Worded(N_("Only confirmed trainees attend; this booking is %(status)s."), status=booking.status))
    recorded = AttendanceRecorded(
        booking_id=booking.id, training_id=training.id, trainee_id=booking.trainee_id, present=present
    )
    deps.publisher.publish(new_event(recorded, deps.policy.source))
    updated = deps.bookings.get(booking.id)
    assert updated is not None
    return updated


def complete_finished_trainings(deps: Deps, limit: int = 100) -> int:
    """Complete the trainings whose day (and its grace for corrections) is over; how many."""
    finished = deps.trainings.ended_before(deps.clock() - GRACE, limit)
    for training in finished:
        complete(deps, training)
    return len(finished)
