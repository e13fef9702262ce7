"""The capacity worker's use cases: the single writer of seats.

Every handler is safe to run twice on the same event: seat changes are atomic and
keyed by booking, status changes are guarded transitions, and the events emitted in
reaction carry ids derived from the cause, so a replay re-emits the same ids.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.errors import NeedsReconciliation
from core.model import DECIDED_STATUSES, Booking, BookingStatus, SeatOutcome, TrainingStatus
from core.services import releases
from core.services.bookings import booking_from_request, booking_payload, load_booking
from core.services.deps import Deps
from core.services.seating import refresh_seats_left
from events.envelope import Event, reaction
from events.types import EventType

SOURCE = "capacity-worker"


def on_training_published(deps: Deps, event: Event) -> None:
    """Open the seat counter of a newly published training."""
    capacity = event.data.get("capacity")
    if capacity is not None:
        deps.seats.ensure(event.data["training_id"], int(capacity))
        refresh_seats_left(deps, event.data["training_id"])


def on_training_updated(deps: Deps, event: Event) -> None:
    """Apply a capacity change to the seat counter, never below the seats taken; new seats go to
    the waitlist first, in its order, before any request that comes after this change."""
    if "capacity" not in event.data.get("changes", []) or event.data.get("status") != "published":
        return
    training_id = event.data["training_id"]
    deps.seats.ensure(training_id, int(event.data["capacity"]))
    deps.seats.set_capacity(training_id, int(event.data["capacity"]))
    releases.promote_waitlist(deps, event, training_id)


def on_booking_requested(deps: Deps, event: Event) -> None:
    """Hold a seat for the booking, or put it on the waitlist when the training is full."""
    data = event.data
    now = deps.clock()
    training = deps.trainings.get(data["training_id"])
    if training is None or training.capacity is None:
        raise NeedsReconciliation(f"Booking {data['booking_id']} for unknown training {data['training_id']}.")
    # The API writes the booking after the broker's ack; if it died in between, the
    # booking is created here from the event, which carries all of it, so no accepted
    # request is ever lost nor changed (its service fee, its refund terms).
    requested = booking_from_request(data)
    requested.history = [{"step": "requested", "at": now, "event_id": event.id}]
    booking = deps.bookings.add_requested(requested)
    if booking.status not in (BookingStatus.REQUESTED,):
        # Applied before: re-emit the reaction of the state it reached, same id.
        _announce(deps, event, booking)
        return
    if training.status is not TrainingStatus.PUBLISHED:
        _reject(deps, event, booking, f"Bookings are closed: the training is {training.status}.")
        return
    earlier = deps.bookings.active_for(booking.trainee_id, training.id, exclude=booking.id, statuses=DECIDED_STATUSES)
    if earlier is not None and not deps.seats.holds(training.id, booking.id):
        # Two requests of one trainee raced past the API's check: one seat each is the
        # rule, and this worker sees a training's events in order, so it decides.
        _reject(deps, event, booking, "You already have a booking for this training.")
        return
    sponsored = _redeem_voucher(deps, booking, data.get("voucher_code"))
    if sponsored is None:
        _reject(deps, event, booking, "This voucher code is unknown, for another training, or already used.")
        return
    seat = deps.seats.hold(training.id, booking.id, training.capacity)
    if seat.outcome is SeatOutcome.FULL:
        position = deps.seats.enqueue(training.id, booking.id)
        fields: dict[str, Any] = {"waitlist_position": position, **sponsored}
        deps.bookings.transition(booking.id, BookingStatus.WAITLISTED, event.id, now, fields)
    elif training.requires_approval:
        # The seat waits for the expert's decision, in its own, longer window.
        fields = {"expires_at": now + timedelta(hours=training.approval_hours), **sponsored}
        deps.bookings.transition(booking.id, BookingStatus.PENDING_APPROVAL, event.id, now, fields)
    else:
        fields = {"expires_at": now + timedelta(minutes=training.hold_minutes), **sponsored}
        deps.bookings.transition(booking.id, BookingStatus.HELD, event.id, now, fields)
    if seat.outcome is not SeatOutcome.FULL:  # a waitlisted request leaves the free seats as they were
        # The counter's answer is the free-seat count: no second read of it.
        deps.trainings.set_seats_left(training.id, seat.free)
    _announce(deps, event, load_booking(deps, booking.id))


def _redeem_voucher(deps: Deps, booking: Booking, code: str | None) -> dict[str, Any] | None:
    """The booking's sponsorship fields if its voucher is now its own, {} without one, None if refused."""
    if not code:
        return {}
    voucher = deps.vouchers.get(code)
    if voucher is None or voucher.training_id != booking.training_id:
        return None
    # Atomic and idempotent for this booking: two trainees racing for one code, one wins.
    if not deps.vouchers.redeem(code, booking.id, deps.clock()):
        return None
    sponsor = deps.users.get(voucher.sponsor_id)
    return {
        "voucher_code": code,
        "sponsored_by": {
            "sponsor_id": voucher.sponsor_id,
            "company": (sponsor.company or sponsor.name) if sponsor else None,
            "sponsorship_id": voucher.sponsorship_id,
        },
    }


def _reject(deps: Deps, event: Event, booking: Booking, reason: str) -> None:
    fields = {"rejection_reason": reason}
    deps.bookings.transition(booking.id, BookingStatus.REJECTED, event.id, deps.clock(), fields)
    _announce(deps, event, load_booking(deps, booking.id))


def on_payment_succeeded(deps: Deps, event: Event) -> None:
    """Confirm the held booking whose payment went through."""
    booking = load_booking(deps, event.data["booking_id"])
    now = deps.clock()
    if booking.status is BookingStatus.HELD:
        fields = {"payment.status": "succeeded", "payment.succeeded_at": now}
        deps.bookings.transition(booking.id, BookingStatus.CONFIRMED, event.id, now, fields)
        booking = load_booking(deps, booking.id)
    if booking.status is not BookingStatus.CONFIRMED:
        # Money arrived for a booking that holds no seat: seat it again or give it back.
        releases.on_late_or_orphan_payment(deps, event, booking)
        booking = load_booking(deps, booking.id)
        if booking.status is not BookingStatus.CONFIRMED:
            return
    deps.publisher.publish(
        reaction(
            event,
            EventType.BOOKING_CONFIRMED,
            {
                **booking_payload(booking),
                "payment_intent_id": event.data["payment_intent_id"],
            },
            source=SOURCE,
            subject=booking.id,
            key=booking.training_id,
        )
    )


def _announce(deps: Deps, cause: Event, booking: Booking) -> None:
    data: dict[str, Any]
    if booking.status is BookingStatus.PENDING_APPROVAL:
        assert booking.expires_at is not None
        data = {
            "booking_id": booking.id,
            "training_id": booking.training_id,
            "trainee_id": booking.trainee_id,
            "expires_at": booking.expires_at.isoformat(),
        }
        event_type = EventType.BOOKING_AWAITING_APPROVAL
    elif booking.status is BookingStatus.HELD:
        assert booking.expires_at is not None
        data = {**booking_payload(booking), "expires_at": booking.expires_at.isoformat()}
        event_type = EventType.BOOKING_HELD
    elif booking.status is BookingStatus.WAITLISTED:
        data = {
            "booking_id": booking.id,
            "training_id": booking.training_id,
            "trainee_id": booking.trainee_id,
            "position": booking.waitlist_position or 1,
        }
        event_type = EventType.BOOKING_WAITLISTED
    elif booking.status is BookingStatus.REJECTED:
        data = {
            "booking_id": booking.id,
            "training_id": booking.training_id,
            "trainee_id": booking.trainee_id,
            "reason": booking.rejection_reason or "The booking was refused.",
        }
        event_type = EventType.BOOKING_REJECTED
    else:
        return  # later states were announced by the events that caused them
    deps.publisher.publish(
        reaction(cause, event_type, data, source=SOURCE, subject=booking.id, key=booking.training_id)
    )


HANDLERS = {
    **releases.HANDLERS,
    EventType.TRAINING_PUBLISHED: [on_training_published],
    EventType.TRAINING_UPDATED: [on_training_updated],
    EventType.BOOKING_REQUESTED: [on_booking_requested],
    EventType.PAYMENT_SUCCEEDED: [on_payment_succeeded],
}
