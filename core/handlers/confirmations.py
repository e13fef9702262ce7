"""The capacity worker's payment side: a paid hold confirmed, a late payment seated again or refunded."""

from __future__ import annotations

from datetime import datetime

from core import ports
from core.errors import NeedsReconciliation
from core.handlers.common import SOURCE, load_booking, request_refund, return_voucher, training_of
from core.model import Booking, BookingStatus, SeatOutcome, Training, TrainingStatus
from core.services import seating
from core.services.deps import Clock
from core.words import N_
from events import BookingConfirmed, PaymentSucceeded
from events.envelope import Event, reaction


def on_payment_succeeded(
    event: Event,
    bookings: ports.Bookings,
    trainings: ports.Trainings,
    seats: ports.Seats,
    vouchers: ports.Vouchers,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> None:
    """Confirm the held booking whose payment went through."""
    paid = event.payload
    assert isinstance(paid, PaymentSucceeded)
    now = clock()
    booking = load_booking(bookings, paid.booking_id)
    if booking.status is BookingStatus.HELD:
        # Only a held seat is confirmed here: expired -> confirmed is a late payment, which must
        # take a seat from the ledger first (below).
        fields = {"payment.status": "succeeded", "payment.succeeded_at": now}
        booking = bookings.transition(booking.id, BookingStatus.CONFIRMED, event.id, now, fields) or booking
    if booking.status is not BookingStatus.CONFIRMED:
        # Money arrived for a booking that holds no seat: seat it again or give it back.
        seated = on_late_or_orphan_payment(event, booking, bookings, trainings, seats, vouchers, publisher, clock)
        if seated is None:
            return
        booking = seated
    confirmed = BookingConfirmed(
        booking_id=booking.id, training_id=booking.training_id, trainee_id=booking.trainee_id,
        amount=booking.amount, currency=booking.currency, payment_intent_id=paid.payment_intent_id,
    )  # fmt: skip
    publisher.publish(reaction(event, confirmed, source=SOURCE))


def on_late_or_orphan_payment(
    event: Event,
    booking: Booking,
    bookings: ports.Bookings,
    trainings: ports.Trainings,
    seats: ports.Seats,
    vouchers: ports.Vouchers,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> Booking | None:
    """A payment for a booking that holds no seat: seat it again if one is free (the confirmed booking),
    else give the money back (None)."""
    paid = event.payload
    assert isinstance(paid, PaymentSucceeded)
    training = training_of(trainings, booking)
    if booking.status is BookingStatus.EXPIRED and may_still_seat(vouchers, training, booking, clock()):
        ledger, decision = seating.decide(
            seats, training.id, training.capacity or 0, lambda current: current.hold(booking.id)
        )
        if decision.outcome is not SeatOutcome.FULL:
            fields = {"payment.status": "succeeded", "payment.succeeded_at": clock()}
            confirmed = bookings.transition(booking.id, BookingStatus.CONFIRMED, event.id, clock(), fields)
            seating.copy_free_seats(trainings, ledger)
            return confirmed or load_booking(bookings, booking.id)
        return_voucher(vouchers, booking)  # no seat after all: the code it took back goes back again
    counted = booking.payment.get("status") == "succeeded"  # this payment once paid for a seat
    released = (BookingStatus.EXPIRED, BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.CLOSED)
    if booking.status in released and not counted:
        if paid.amount:  # a free seat (a voucher's) brought no money in: none goes back
            # Never money kept for no seat: the whole payment goes back.
            request_refund(publisher, event, booking, paid.amount, N_("Paid after the seat was released."),
                            paid.payment_intent_id)  # fmt: skip
        return None
    if not counted:
        raise NeedsReconciliation(f"Payment for booking {booking.id} in status {booking.status}.")
    return None


def may_still_seat(vouchers: ports.Vouchers, training: Training, booking: Booking, now: datetime) -> bool:
    """Whether a late payment may seat an expired booking again: the training is still to come, and a
    voucher booking gets its code back (someone else may have taken it meanwhile)."""
    if training.status is not TrainingStatus.PUBLISHED or training.starts_at is None or training.starts_at <= now:
        return False
    return not booking.voucher_code or vouchers.redeem(booking.voucher_code, booking.id, now)


HANDLERS = {PaymentSucceeded: [on_payment_succeeded]}
