"""The capacity worker's release side: holds that expire, cancellations, waitlist promotion,
late payments. Every step is a guarded transition or an idempotent seat update, applied in
the training's partition order, so a replay changes nothing and no seat is counted twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.cancellation import cancellation
from core.errors import NeedsReconciliation
from core.model import Booking, BookingStatus, SeatOutcome, Training, TrainingStatus
from core.services.bookings import booking_payload, load_booking
from core.services.deps import Deps
from core.services.seating import refresh_seats_left
from events.envelope import Event, derived_id, reaction
from events.types import EventType

SOURCE = "capacity-worker"


def sweep_expired_holds(deps: Deps, limit: int = 500) -> int:
    """Announce every hold whose time is up (``booking.expiry_due``); returns how many.

    The sweep decides nothing itself: the announcement is applied by the capacity handler
    in the training's partition order, after any payment that arrived before it.
    """
    due = deps.bookings.due_for_expiry(deps.clock(), limit)
    for booking in due:
        assert booking.expires_at is not None
        deps.publisher.publish(
            Event(
                type=EventType.BOOKING_EXPIRY_DUE, subject=booking.id, key=booking.training_id, source=SOURCE,
                # One id per hold: sweeping twice announces it once downstream.
                id=derived_id(booking.id, f"expiry/{booking.expires_at.isoformat()}"),
                data={**_ref(booking), "expires_at": booking.expires_at.isoformat()},
            )
        )  # fmt: skip
    return len(due)


def on_expiry_due(deps: Deps, event: Event) -> None:
    """Expire the hold if it is still the same unpaid hold, and give the seat to the waitlist."""
    booking = load_booking(deps, event.data["booking_id"])
    same_hold = booking.expires_at is not None and booking.expires_at.isoformat() == event.data["expires_at"]
    if booking.status in (BookingStatus.HELD, BookingStatus.PENDING_APPROVAL) and same_hold:
        deps.bookings.transition(booking.id, BookingStatus.EXPIRED, event.id, deps.clock())
    if load_booking(deps, booking.id).status is not BookingStatus.EXPIRED:
        return  # paid, cancelled or re-held meanwhile: nothing expires
    _return_voucher(deps, booking)
    _free_seat(deps, event, booking.training_id, booking.id)
    deps.publisher.publish(reaction(event, EventType.BOOKING_EXPIRED, dict(event.data), source=SOURCE))


def on_cancellation_requested(deps: Deps, event: Event) -> None:
    """The trainee cancels: the seat goes back (to the waitlist), money back per the booking's terms,
    judged at the moment the trainee asked, so what the page said is what they get."""
    booking = load_booking(deps, event.data["booking_id"])
    training = _training(deps, booking)
    asked_at = _asked_at(event)
    decision = cancellation(booking, training, asked_at)
    if decision.allowed:
        deps.bookings.transition(
            booking.id, BookingStatus.CANCELLED, event.id, deps.clock(),
            {"cancellation_reason": "Cancelled by the trainee.", "refund_amount": decision.refund,
             "cancelled_from": str(booking.status)},
        )  # fmt: skip
    cancelled = load_booking(deps, booking.id)
    if cancelled.status is not BookingStatus.CANCELLED or not _caused_by(cancelled, event):
        # Nothing to cancel (expired, rejected), or cancelled by an earlier request, which
        # announced it: a second click must not refund or tell anyone twice.
        return
    _return_voucher(deps, cancelled)  # cancelled before the day: the sponsor's code is free again
    _after_cancel(deps, event, cancelled, by="trainee")


def _asked_at(event: Event) -> datetime:
    """When the trainee asked to cancel (the API's clock; the envelope's time for older events)."""
    return datetime.fromisoformat(event.data.get("requested_at") or event.time.replace("Z", "+00:00"))


def _return_voucher(deps: Deps, booking: Booking) -> None:
    """A booking that ends before the day without its seat gives its voucher back to the sponsor's pool."""
    if booking.voucher_code:
        deps.vouchers.release(booking.voucher_code, booking.id)


def _caused_by(booking: Booking, event: Event) -> bool:
    """Whether ``event`` made the booking's current status (a redelivery of it re-announces)."""
    return any(step.get("event_id") == event.id and step.get("step") == str(booking.status) for step in booking.history)


def on_training_cancelled(deps: Deps, event: Event) -> None:
    """The expert cancels the training: every booking cancelled, every payment refunded in full."""
    reason = event.data.get("reason") or "The training was cancelled by its expert."
    for booking in deps.bookings.live_on_training(event.data["training_id"]):
        paid = booking.status is BookingStatus.CONFIRMED
        deps.bookings.transition(
            booking.id, BookingStatus.CANCELLED, event.id, deps.clock(),
            {"cancellation_reason": reason, "refund_amount": booking.amount if paid else 0,
             "cancelled_from": str(booking.status)},
        )  # fmt: skip
        cancelled = load_booking(deps, booking.id)
        if cancelled.status is BookingStatus.CANCELLED:
            _after_cancel(deps, event, cancelled, by="expert", promote=False)


def on_late_or_orphan_payment(deps: Deps, event: Event, booking: Booking) -> None:
    """A payment for a booking that holds no seat: seat it again if one is free, else refund."""
    training = _training(deps, booking)
    if booking.status is BookingStatus.EXPIRED and _may_still_seat(deps, training, booking):
        seat = deps.seats.hold(training.id, booking.id, training.capacity or 0)
        if seat.outcome is not SeatOutcome.FULL:
            deps.seats.leave_waitlist(training.id, booking.id)
            deps.bookings.transition(
                booking.id, BookingStatus.CONFIRMED, event.id, deps.clock(),
                {"payment.status": "succeeded", "payment.succeeded_at": deps.clock()},
            )  # fmt: skip
            deps.trainings.set_seats_left(training.id, seat.free)  # the hold's own count: no re-read
            return
        _return_voucher(deps, booking)  # no seat after all: the code it took back goes back again
    counted = booking.payment.get("status") == "succeeded"  # this payment once paid for a seat
    released = (BookingStatus.EXPIRED, BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.CLOSED)
    if booking.status in released and not counted:
        if not event.data["amount"]:
            return  # a free seat (a voucher's): no money came in, none goes back
        # Never money kept for no seat: the whole payment goes back.
        _request_refund(deps, event, booking, event.data["amount"], "Paid after the seat was released.",
                        event.data["payment_intent_id"])  # fmt: skip
        return
    if not counted:
        raise NeedsReconciliation(f"Payment for booking {booking.id} in status {booking.status}.")


def _may_still_seat(deps: Deps, training: Training, booking: Booking) -> bool:
    """Whether a late payment may seat an expired booking again: the training is still to come, and a
    voucher booking gets its code back (someone else may have taken it meanwhile)."""
    if training.status is not TrainingStatus.PUBLISHED or training.starts_at is None:
        return False
    if training.starts_at <= deps.clock():
        return False
    return not booking.voucher_code or deps.vouchers.redeem(booking.voucher_code, booking.id, deps.clock())


def on_training_completed(deps: Deps, event: Event) -> None:
    """The day is over: requests still waiting (for a seat, the expert or a payment) are closed and
    their trainees told; an unpaid PaymentIntent is cancelled by the payments worker."""
    training_id = event.data["training_id"]
    for booking in deps.bookings.live_on_training(training_id):
        if booking.status is BookingStatus.CONFIRMED:
            continue
        reason = "The training took place before this request got a confirmed seat."
        deps.bookings.transition(booking.id, BookingStatus.CLOSED, event.id, deps.clock(),
                                 {"closing_reason": reason})  # fmt: skip
        closed = load_booking(deps, booking.id)
        if closed.status is not BookingStatus.CLOSED:
            continue
        deps.seats.leave_waitlist(training_id, booking.id)
        deps.seats.release(training_id, booking.id)
        deps.publisher.publish(
            reaction(event, EventType.BOOKING_CLOSED, {**_ref(closed), "reason": reason}, source=SOURCE,
                     subject=closed.id, key=training_id, what=f"closed/{closed.id}")
        )  # fmt: skip
    refresh_seats_left(deps, training_id)


def _after_cancel(deps: Deps, cause: Event, booking: Booking, by: str, promote: bool = True) -> None:
    deps.seats.leave_waitlist(booking.training_id, booking.id)  # a no-op unless it was waiting
    if promote:
        _free_seat(deps, cause, booking.training_id, booking.id)
    else:
        deps.seats.release(booking.training_id, booking.id)
        refresh_seats_left(deps, booking.training_id)
    refund = booking.refund_amount or 0
    deps.publisher.publish(
        reaction(
            cause, EventType.BOOKING_CANCELLED,
            {**_ref(booking), "reason": booking.cancellation_reason or "Cancelled.", "refund_amount": refund,
             "currency": booking.currency, "by": by,
             "was": str(booking.cancelled_from) if booking.cancelled_from else None},
            source=SOURCE, subject=booking.id, key=booking.training_id, what=f"cancelled/{booking.id}",
        )
    )  # fmt: skip
    intent_id = booking.payment.get("intent_id")
    if refund > 0 and intent_id:
        _request_refund(deps, cause, booking, refund, booking.cancellation_reason or "Cancelled.", intent_id,
                        announced=True)  # fmt: skip


def _free_seat(deps: Deps, cause: Event, training_id: str, booking_id: str) -> None:
    """Give back the booking's seat, then hold it for the head of the waitlist, FIFO."""
    deps.seats.release(training_id, booking_id)
    promote_waitlist(deps, cause, training_id)


def promote_waitlist(deps: Deps, cause: Event, training_id: str) -> None:
    """Hold every free seat for the head of the waitlist, FIFO, each with a fresh window (after a
    release, or a capacity raise), then copy the free seats left onto the training."""
    training = deps.trainings.get(training_id)
    while training is not None and (head := deps.seats.first_waitlisted(training_id)):
        waiting = deps.bookings.get(head)
        if waiting is not None and waiting.status is BookingStatus.WAITLISTED:
            # Seat first, then status, then off the list: each step idempotent, and a crash
            # between two of them leaves the head first in line, so a replay finishes the job.
            deps.seats.hold(training_id, head, training.capacity or 0)
            if training.requires_approval:
                target, window = BookingStatus.PENDING_APPROVAL, timedelta(hours=training.approval_hours)
            else:
                target, window = BookingStatus.HELD, timedelta(minutes=training.hold_minutes)
            deps.bookings.transition(head, target, cause.id, deps.clock(), {"expires_at": deps.clock() + window})
            waiting = load_booking(deps, head)
        seated = waiting is not None and deps.seats.holds(training_id, head)
        if seated and waiting is not None and waiting.status in (BookingStatus.HELD, BookingStatus.PENDING_APPROVAL):
            _announce_promotion(deps, cause, waiting)
        deps.seats.leave_waitlist(training_id, head)  # a stale entry (cancelled meanwhile) just leaves
    refresh_seats_left(deps, training_id)


def _announce_promotion(deps: Deps, cause: Event, booking: Booking) -> None:
    assert booking.expires_at is not None
    if booking.status is BookingStatus.PENDING_APPROVAL:
        event_type, data = EventType.BOOKING_AWAITING_APPROVAL, {**_ref(booking)}
    else:
        event_type, data = EventType.BOOKING_HELD, {**booking_payload(booking), "promoted": True}
    data["expires_at"] = booking.expires_at.isoformat()
    deps.publisher.publish(
        reaction(cause, event_type, data, source=SOURCE, subject=booking.id, key=booking.training_id,
                 what=f"promoted/{booking.id}")
    )  # fmt: skip


def on_approval_decided(deps: Deps, event: Event) -> None:
    """The expert approved (the payment window opens) or rejected (the seat goes back)."""
    booking = load_booking(deps, event.data["booking_id"])
    training = _training(deps, booking)
    now = deps.clock()
    if event.data["approved"]:
        expires_at = now + timedelta(minutes=training.hold_minutes)
        deps.bookings.transition(booking.id, BookingStatus.HELD, event.id, now, {"expires_at": expires_at})
        booking = load_booking(deps, booking.id)
        if booking.status is BookingStatus.HELD and _caused_by(booking, event):
            assert booking.expires_at is not None
            deps.publisher.publish(reaction(event, EventType.BOOKING_APPROVED, _ref(booking), source=SOURCE))
            deps.publisher.publish(
                reaction(event, EventType.BOOKING_HELD,
                         {**booking_payload(booking), "expires_at": booking.expires_at.isoformat()}, source=SOURCE)
            )  # fmt: skip
        return
    reason = event.data.get("reason") or "The expert did not accept this request."
    deps.bookings.transition(booking.id, BookingStatus.REJECTED, event.id, now, {"rejection_reason": reason})
    booking = load_booking(deps, booking.id)
    if booking.status is BookingStatus.REJECTED and _caused_by(booking, event):
        _return_voucher(deps, booking)
        _free_seat(deps, event, booking.training_id, booking.id)
        deps.publisher.publish(
            reaction(event, EventType.BOOKING_REJECTED, {**_ref(booking), "reason": reason}, source=SOURCE)
        )


def _request_refund(
    deps: Deps, cause: Event, booking: Booking, amount: int, reason: str, intent_id: str, announced: bool = False
) -> None:
    deps.publisher.publish(
        reaction(
            cause, EventType.REFUND_REQUESTED,
            {**_ref(booking), "payment_intent_id": intent_id, "amount": amount, "currency": booking.currency,
             "reason": reason, "announced": announced},
            source=SOURCE, subject=booking.id, key=booking.training_id, what=f"refund/{booking.id}",
        )
    )  # fmt: skip


def _training(deps: Deps, booking: Booking) -> Training:
    training = deps.trainings.get(booking.training_id)
    if training is None:
        raise NeedsReconciliation(f"Booking {booking.id} of unknown training {booking.training_id}.")
    return training


def _ref(booking: Booking) -> dict[str, Any]:
    return {"booking_id": booking.id, "training_id": booking.training_id, "trainee_id": booking.trainee_id}


HANDLERS = {
    EventType.BOOKING_APPROVAL_DECIDED: [on_approval_decided],
    EventType.BOOKING_EXPIRY_DUE: [on_expiry_due],
    EventType.BOOKING_CANCELLATION_REQUESTED: [on_cancellation_requested],
    EventType.TRAINING_CANCELLED: [on_training_cancelled],
    EventType.TRAINING_COMPLETED: [on_training_completed],
}
