"""The capacity worker's release side: holds that expire, cancellations, approvals, the end of a
training, late payments. Every step is a guarded transition or a ledger decision, applied in the
training's partition order, so a replay changes nothing and no seat is counted twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from core import ports
from core.cancellation import cancellation
from core.handlers.common import SOURCE, load_booking, ref, request_refund, return_voucher, training_of
from core.handlers.seats import announce_state, settle_promotions
from core.model import Booking, BookingStatus, Training
from core.seats import SeatLedger
from core.services import seating
from core.services.deps import Clock, Deps
from core.words import N_
from events import (
    BookingApprovalDecided,
    BookingApproved,
    BookingCancellationRequested,
    BookingCancelled,
    BookingClosed,
    BookingExpired,
    BookingExpiryDue,
    BookingRejected,
    TrainingCancelled,
    TrainingCompleted,
)
from events.envelope import Event, derived_id, new_event, reaction


def sweep_expired_holds(deps: Deps, limit: int = 500) -> int:
    """Announce every hold whose time is up (``booking.expiry_due``); returns how many.

    The sweep decides nothing itself: the announcement is applied by the capacity handler
    in the training's partition order, after any payment that arrived before it.
    """
    due = deps.bookings.due_for_expiry(deps.clock(), limit)
    for booking in due:
        assert booking.expires_at is not None
        expires_at = booking.expires_at.isoformat()
        # One id per hold: sweeping twice announces it once downstream.
        announcement = BookingExpiryDue(**ref(booking), expires_at=expires_at)
        deps.publisher.publish(new_event(announcement, SOURCE, id=derived_id(booking.id, f"expiry/{expires_at}"),
                                         correlation_id=booking.correlation_id))  # fmt: skip
    return len(due)


def on_expiry_due(
    event: Event,
    bookings: ports.Bookings,
    trainings: ports.Trainings,
    seats: ports.Seats,
    vouchers: ports.Vouchers,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> None:
    """Expire the hold if it is still the same unpaid hold, and give the seat to the waitlist."""
    due = event.payload
    assert isinstance(due, BookingExpiryDue)
    booking = load_booking(bookings, due.booking_id)
    same_hold = booking.expires_at is not None and booking.expires_at.isoformat() == due.expires_at
    if not same_hold:
        return  # paid, cancelled or re-held meanwhile: nothing expires
    expired = bookings.transition(booking.id, BookingStatus.EXPIRED, event.id, clock())
    if expired is None:
        return
    return_voucher(vouchers, expired)
    _free_seat(event, expired, training_of(trainings, expired), seats, trainings, bookings, publisher, clock)
    publisher.publish(reaction(event, BookingExpired(**ref(expired), expires_at=due.expires_at), source=SOURCE))


def on_cancellation_requested(
    event: Event,
    bookings: ports.Bookings,
    trainings: ports.Trainings,
    seats: ports.Seats,
    vouchers: ports.Vouchers,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> None:
    """The trainee cancels: the seat goes back (to the waitlist), money back per the booking's terms,
    judged at the moment the trainee asked, so what the page said is what they get."""
    asked = event.payload
    assert isinstance(asked, BookingCancellationRequested)
    booking = load_booking(bookings, asked.booking_id)
    training = training_of(trainings, booking)
    decision = cancellation(booking, training, _asked_at(event, asked))
    cancelled = None
    if decision.allowed or booking.status is BookingStatus.CANCELLED:
        # A redelivery finds the booking cancelled, and gets it back only if this request did it.
        cancelled = bookings.transition(
            booking.id, BookingStatus.CANCELLED, event.id, clock(),
            {"cancellation_reason": N_("Cancelled by the trainee."), "refund_amount": decision.refund,
             "cancelled_from": str(booking.status)},
        )  # fmt: skip
    if cancelled is None:
        # Nothing to cancel (expired, rejected), or cancelled by an earlier request, which
        # announced it: a second click must not refund or tell anyone twice.
        return
    return_voucher(vouchers, cancelled)  # cancelled before the day: the sponsor's code is free again
    _after_cancel(event, cancelled, training, "trainee", True, seats, trainings, bookings, publisher, clock)


def on_training_cancelled(
    event: Event,
    bookings: ports.Bookings,
    trainings: ports.Trainings,
    seats: ports.Seats,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> None:
    """The expert cancels the training: every booking cancelled, every payment refunded in full."""
    called_off = event.payload
    assert isinstance(called_off, TrainingCancelled)
    reason = called_off.reason or N_("The training was cancelled by its expert.")
    training = trainings.get(called_off.training_id)
    for booking in bookings.live_on_training(called_off.training_id):
        paid = booking.status is BookingStatus.CONFIRMED
        cancelled = bookings.transition(
            booking.id, BookingStatus.CANCELLED, event.id, clock(),
            {"cancellation_reason": reason, "refund_amount": booking.amount if paid else 0,
             "cancelled_from": str(booking.status)},
        )  # fmt: skip
        if cancelled is not None and training is not None:
            _after_cancel(event, cancelled, training, "expert", False, seats, trainings, bookings, publisher, clock)


def on_training_completed(
    event: Event,
    bookings: ports.Bookings,
    trainings: ports.Trainings,
    seats: ports.Seats,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> None:
    """The day is over: requests still waiting (for a seat, the expert or a payment) are closed and
    their trainees told; an unpaid PaymentIntent is cancelled by the payments worker."""
    done = event.payload
    assert isinstance(done, TrainingCompleted)
    reason = N_("The training took place before this request got a confirmed seat.")
    gone: list[str] = []
    for booking in bookings.live_on_training(done.training_id):
        if booking.status is BookingStatus.CONFIRMED:
            continue
        closed = bookings.transition(booking.id, BookingStatus.CLOSED, event.id, clock(), {"closing_reason": reason})
        if closed is None:
            continue
        gone.append(closed.id)
        publisher.publish(
            reaction(event, BookingClosed(**ref(closed), reason=reason), source=SOURCE, what=f"closed/{closed.id}")
        )

    def leave_all(ledger: SeatLedger) -> SeatLedger:
        for booking_id in gone:
            ledger = ledger.leave(booking_id)
        return ledger

    if seats.load(done.training_id) is not None:
        seating.copy_free_seats(trainings, seating.change(seats, done.training_id, 0, leave_all))


def on_approval_decided(
    event: Event,
    bookings: ports.Bookings,
    trainings: ports.Trainings,
    seats: ports.Seats,
    vouchers: ports.Vouchers,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> None:
    """The expert approved (the payment window opens) or rejected (the seat goes back)."""
    decided = event.payload
    assert isinstance(decided, BookingApprovalDecided)
    booking = load_booking(bookings, decided.booking_id)
    training = training_of(trainings, booking)
    now = clock()
    if decided.approved:
        expires_at = now + timedelta(minutes=training.hold_minutes)  # the payment window opens now
        held = bookings.transition(booking.id, BookingStatus.HELD, event.id, now, {"expires_at": expires_at})
        if held is not None:
            assert held.expires_at is not None
            publisher.publish(reaction(event, BookingApproved(**ref(held)), source=SOURCE))
            announce_state(publisher, event, held)
        return
    reason = decided.reason or N_("The expert did not accept this request.")
    rejected = bookings.transition(booking.id, BookingStatus.REJECTED, event.id, now, {"rejection_reason": reason})
    if rejected is not None:
        return_voucher(vouchers, rejected)
        _free_seat(event, rejected, training, seats, trainings, bookings, publisher, clock)
        publisher.publish(reaction(event, BookingRejected(**ref(rejected), reason=reason), source=SOURCE))


def _after_cancel(
    event: Event,
    booking: Booking,
    training: Training,
    by: str,
    promote: bool,
    seats: ports.Seats,
    trainings: ports.Trainings,
    bookings: ports.Bookings,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> None:
    if promote:
        _free_seat(event, booking, training, seats, trainings, bookings, publisher, clock)
    else:
        capacity = training.capacity or 0
        seating.copy_free_seats(trainings, seating.change(seats, training.id, capacity, lambda c: c.leave(booking.id)))
    refund = booking.refund_amount or 0
    reason = booking.cancellation_reason or N_("Cancelled.")
    was = str(booking.cancelled_from) if booking.cancelled_from else None
    cancelled = BookingCancelled(**ref(booking), reason=reason, refund_amount=refund, currency=booking.currency,
                                 by=by, was=was)  # fmt: skip
    publisher.publish(reaction(event, cancelled, source=SOURCE, what=f"cancelled/{booking.id}"))
    intent_id = booking.payment.get("intent_id")
    if refund > 0 and intent_id:
        request_refund(publisher, event, booking, refund, reason, intent_id, announced=True)


def _free_seat(
    event: Event,
    booking: Booking,
    training: Training,
    seats: ports.Seats,
    trainings: ports.Trainings,
    bookings: ports.Bookings,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> None:
    """Give back the booking's seat (or its place in line); free seats go to the waitlist, FIFO."""
    capacity = training.capacity or 0
    ledger = seating.change(seats, training.id, capacity, lambda current: current.release(booking.id, event.id))
    settle_promotions(event, ledger, training, seats, trainings, bookings, publisher, clock)


def _asked_at(event: Event, asked: BookingCancellationRequested) -> datetime:
    """When the trainee asked to cancel (the API's clock; the envelope's time for older events)."""
    return datetime.fromisoformat(asked.requested_at or event.time.replace("Z", "+00:00"))


HANDLERS = {
    BookingApprovalDecided: [on_approval_decided],
    BookingExpiryDue: [on_expiry_due],
    BookingCancellationRequested: [on_cancellation_requested],
    TrainingCancelled: [on_training_cancelled],
    TrainingCompleted: [on_training_completed],
}
