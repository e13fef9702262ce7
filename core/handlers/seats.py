"""The capacity worker's seat side: requests decided, capacity changes applied, promotions settled.

The capacity worker is the only writer of seats. Each handler reads the training's seat ledger,
lets it decide (core/seats.py), stores the outcome with a compare-and-set, then moves the
bookings and announces what happened. Every step is safe to run twice on the same event: the
ledger's decisions are idempotent, a booking's transitions are guarded, and every reaction's id
is derived from its cause, so a replay re-announces the same ids.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from core import ports
from core.errors import NeedsReconciliation
from core.handlers.common import CLOSED_REASONS, SOURCE, caused_by, load_booking, ref
from core.model import DECIDED_STATUSES, Booking, BookingStatus, SeatOutcome, Training, TrainingStatus
from core.seats import Promotion, SeatLedger
from core.services import seating
from core.services.bookings import booking_awaiting_approval, booking_from_request, booking_held
from core.services.deps import Clock
from core.words import N_
from events import (
    BookingRejected,
    BookingRequested,
    BookingWaitlisted,
    DomainEvent,
    TrainingPublished,
    TrainingUpdated,
)
from events.envelope import Event, derived_id, new_event, reaction


def on_training_published(event: Event, seats: ports.Seats, trainings: ports.Trainings) -> None:
    """Open the seat ledger of a newly published training."""
    published = event.payload
    assert isinstance(published, TrainingPublished)
    if published.capacity is not None:
        ledger = seats.load(published.training_id)
        if ledger is None:
            opened = SeatLedger.open(published.training_id, published.capacity)
            ledger = seats.save(opened) or seats.load(published.training_id) or opened
        seating.copy_free_seats(trainings, ledger)


def on_training_updated(
    event: Event,
    seats: ports.Seats,
    trainings: ports.Trainings,
    bookings: ports.Bookings,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> None:
    """A new capacity, never below the seats held; new seats go to the waitlist first, in its order,
    before any request that comes after this change."""
    updated = event.payload
    assert isinstance(updated, TrainingUpdated)
    if "capacity" not in (updated.changes or []) or updated.status != "published" or updated.capacity is None:
        return
    capacity = updated.capacity
    ledger = seating.change(seats, updated.training_id, capacity, lambda current: current.resize(capacity, event.id))
    training = trainings.get(updated.training_id)
    if training is not None:
        settle_promotions(event, ledger, training, seats, trainings, bookings, publisher, clock)


def on_booking_requested(
    event: Event,
    bookings: ports.Bookings,
    trainings: ports.Trainings,
    seats: ports.Seats,
    vouchers: ports.Vouchers,
    users: ports.Users,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> None:
    """Hold a seat for the booking, or put it on the waitlist when the training is full."""
    request = event.payload
    assert isinstance(request, BookingRequested)
    now = clock()
    training = trainings.get(request.training_id)
    if training is None or training.capacity is None:
        raise NeedsReconciliation(f"Booking {request.booking_id} for unknown training {request.training_id}.")
    # The API writes the booking after the broker's ack; if it died in between, the
    # booking is created here from the event, which carries all of it, so no accepted
    # request is ever lost nor changed (its service fee, its refund terms).
    requested = booking_from_request(request)
    requested.history = [{"step": "requested", "at": now, "event_id": event.id}]
    booking = bookings.add_requested(requested)
    if booking.status is not BookingStatus.REQUESTED:
        announce_state(publisher, event, booking)  # applied before: the same reaction, the same id
        return

    def reject(reason: str) -> None:
        rejected = bookings.transition(booking.id, BookingStatus.REJECTED, event.id, now, {"rejection_reason": reason})
        announce_state(publisher, event, rejected or load_booking(bookings, booking.id))

    if training.status is not TrainingStatus.PUBLISHED:
        return reject(CLOSED_REASONS[training.status])
    earlier = bookings.active_for(booking.trainee_id, training.id, exclude=booking.id, statuses=DECIDED_STATUSES)
    if earlier is not None and not _holds(seats, training.id, booking.id):
        # Two requests of one trainee raced past the API's check: one seat each is the
        # rule, and this worker sees a training's events in order, so it decides.
        return reject(N_("You already have a booking for this training."))
    sponsored = redeem_voucher(vouchers, users, booking, request.voucher_code, now)
    if sponsored is None:
        return reject(N_("This voucher code is unknown, for another training, or already used."))
    ledger, decision = seating.decide(seats, training.id, training.capacity, lambda now_: now_.request(booking.id))
    if decision.outcome is SeatOutcome.FULL:
        fields = {"waitlist_position": decision.position, **sponsored}
        moved = bookings.transition(booking.id, BookingStatus.WAITLISTED, event.id, now, fields)
    else:
        target, window = seat_window(training)
        moved = bookings.transition(booking.id, target, event.id, now, {"expires_at": now + window, **sponsored})
        seating.copy_free_seats(trainings, ledger)  # a waitlisted request leaves the free seats as they were
    announce_state(publisher, event, moved or load_booking(bookings, booking.id))


def settle_promotions(
    event: Event,
    ledger: SeatLedger,
    training: Training,
    seats: ports.Seats,
    trainings: ports.Trainings,
    bookings: ports.Bookings,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> SeatLedger:
    """Move every booking the ledger promoted to its seat (each with a fresh window) and announce it;
    a stale entry (cancelled meanwhile) gives the seat on to the next in line. Then copy the free seats.

    The ledger keeps a promotion until this is done, so after a crash the next event of the
    training (its replay first) finishes the job, under the promotion's own cause: same ids.
    """
    while ledger.promotions:
        promotion = ledger.promotions[0]
        target, window = seat_window(training)
        now = clock()
        moved = bookings.transition(promotion.booking_id, target, promotion.cause_id, now, {"expires_at": now + window})
        current = moved or bookings.get(promotion.booking_id)
        seated = current is not None and current.status is target and caused_by(current, promotion.cause_id)
        if seated:
            assert current is not None and current.expires_at is not None
            publisher.publish(_promotion_event(event, promotion.cause_id, current))

        ledger = seating.change(seats, training.id, training.capacity or 0, _settled(promotion, seated))
    seating.copy_free_seats(trainings, ledger)
    return ledger


def _settled(promotion: Promotion, seated: bool) -> Callable[[SeatLedger], SeatLedger]:
    """The ledger change once a promotion is done: settled, or its seat given on (a stale entry)."""

    def step(ledger: SeatLedger) -> SeatLedger:
        settled = ledger.settle(promotion.booking_id)
        return settled if seated else settled.release(promotion.booking_id, promotion.cause_id)

    return step


def _promotion_event(event: Event, cause_id: str, booking: Booking) -> Event:
    payload: DomainEvent
    if booking.status is BookingStatus.PENDING_APPROVAL:
        payload = booking_awaiting_approval(booking)
    else:
        payload = booking_held(booking, promoted=True)
    # A promotion left over by a crash is announced under the id its own cause would have given it
    # (that cause's correlation is not kept: this event's stands in).
    announced = derived_id(cause_id, f"promoted/{booking.id}")
    return new_event(payload, SOURCE, id=announced, correlation_id=event.correlation_id)


def announce_state(publisher: ports.EventPublisher, cause: Event, booking: Booking) -> None:
    """Announce the state the request reached (held, awaiting approval, waitlisted, rejected)."""
    announced = state_reaction(cause, booking)
    if announced is not None:
        publisher.publish(announced)


def state_reaction(cause: Event, booking: Booking) -> Event | None:
    """The announcement of the state a request reached; None for later states (their own events said them)."""
    payload: DomainEvent
    if booking.status is BookingStatus.PENDING_APPROVAL:
        payload = booking_awaiting_approval(booking)
    elif booking.status is BookingStatus.HELD:
        payload = booking_held(booking)
    elif booking.status is BookingStatus.WAITLISTED:
        payload = BookingWaitlisted(**ref(booking), position=booking.waitlist_position or 1)
    elif booking.status is BookingStatus.REJECTED:
        payload = BookingRejected(**ref(booking), reason=booking.rejection_reason or N_("The booking was refused."))
    else:
        return None
    return reaction(cause, payload, source=SOURCE)


def seat_window(training: Training) -> tuple[BookingStatus, timedelta]:
    """Where a seated booking goes and for how long: the expert's decision window, or the payment's."""
    if training.requires_approval:
        return BookingStatus.PENDING_APPROVAL, timedelta(hours=training.approval_hours)
    return BookingStatus.HELD, timedelta(minutes=training.hold_minutes)


def redeem_voucher(
    vouchers: ports.Vouchers, users: ports.Users, booking: Booking, code: str | None, now: datetime
) -> dict[str, object] | None:
    """The booking's sponsorship fields if its voucher is now its own, {} without one, None if refused."""
    if not code:
        return {}
    voucher = vouchers.get(code)
    if voucher is None or voucher.training_id != booking.training_id:
        return None
    # Atomic and idempotent for this booking: two trainees racing for one code, one wins.
    if not vouchers.redeem(code, booking.id, now):
        return None
    sponsor = users.get(voucher.sponsor_id)
    return {
        "voucher_code": code,
        "sponsored_by": {
            "sponsor_id": voucher.sponsor_id,
            "company": (sponsor.company or sponsor.name) if sponsor else None,
            "sponsorship_id": voucher.sponsorship_id,
        },
    }


def _holds(seats: ports.Seats, training_id: str, booking_id: str) -> bool:
    ledger = seats.load(training_id)
    return ledger is not None and ledger.holds(booking_id)


HANDLERS = {
    TrainingPublished: [on_training_published],
    TrainingUpdated: [on_training_updated],
    BookingRequested: [on_booking_requested],
}
