"""What a trainee does with bookings over HTTP: request, look, pay."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from core import booking_rules
from core.cancellation import RefundTerms, cancellation
from core.errors import Conflict, NotFound
from core.model import Booking, BookingStatus, Role, TrainingStatus, User
from core.services import limits
from core.services.accounts import require_role, require_trainee_history
from core.services.deps import Deps
from core.services.trainings import get_training
from core.words import N_, Worded
from events import (
    BookingAwaitingApproval,
    BookingCancellationRequested,
    BookingHeld,
    BookingRequested,
    PaymentSubmitted,
)
from events.envelope import adopt, current_correlation, new_event

# A stable namespace so that a retried request with the same Idempotency-Key maps to
# the same booking id, and so to the same event id downstream.
_REQUEST_NS = uuid.UUID("0b7d7f8e-3c1a-4c55-a3f1-94e4c2d6b8a1")


def request_booking(
    deps: Deps,
    trainee: User,
    training_id: str,
    idempotency_key: str | None = None,
    voucher_code: str | None = None,
    wait_s: float = 0.0,
) -> tuple[Booking, bool]:
    """Ask for a seat: publish ``booking.requested``; the capacity worker decides.

    With ``wait_s``, wait that long at most for the decision and return the booking as decided,
    so the client needs no poll. Returns the booking and whether it is new (False: the same
    request seen before).
    """
    require_role(trainee, Role.TRAINEE)
    booking_id = (
        str(uuid.uuid5(_REQUEST_NS, f"{trainee.id}/{idempotency_key}")) if idempotency_key else str(uuid.uuid4())
    )
    # Only a keyed request can have been seen before: a fresh uuid4 needs no read.
    earlier = deps.bookings.get(booking_id) if idempotency_key else None
    if earlier is not None:
        if earlier.training_id != training_id:
            raise Conflict("This Idempotency-Key was used for another training.")
        return earlier, False
    now = deps.clock()
    # Counted after the replay check: a retry of an accepted request is always answered.
    limits.throttle(
        deps.rate_limits, f"booking:{trainee.id}", deps.policy.bookings_per_trainee, now, "booking requests"
    )
    # The catalogue in memory holds every published training, current within the change stream's
    # latency: the request needs no read. What it says is checked again by the capacity worker,
    # which reads the training itself (a training closed a moment ago rejects the request there).
    training = (deps.catalogue.current(training_id) if deps.catalogue else None) or get_training(
        deps, training_id, viewer=trainee
    )
    if training.status is not TrainingStatus.PUBLISHED:
        raise Conflict(Worded(N_("Bookings are closed: the training is %(status)s."), status=training.status))
    if training.starts_at is None or training.starts_at <= now:
        raise Conflict("Bookings are closed: the training has started.")
    if deps.bookings.active_for(trainee.id, training_id) is not None:
        raise Conflict("You already have a booking for this training.")
    assert training.price is not None and training.currency is not None  # published
    fee = deps.policy.fees.service_fee(training.price)
    amount = training.price + fee
    if voucher_code:
        voucher = deps.vouchers.get(voucher_code)
        if voucher is None or voucher.training_id != training_id:
            raise NotFound("No such voucher for this training.", {"voucher_code": ["Unknown for this training."]})
        if voucher.voided_at is not None:
            withdrawn = ["Withdrawn: the training was cancelled and its sponsor refunded."]
            raise Conflict("This voucher was withdrawn.", {"voucher_code": withdrawn})
        if voucher.redeemed_by_booking is not None:
            raise Conflict("This voucher was already used.", {"voucher_code": ["Already used."]})
        amount = fee = 0  # the sponsor paid for this seat; the capacity worker claims the code
    booking = Booking(
        id=booking_id,
        training_id=training_id,
        trainee_id=trainee.id,
        voucher_code=voucher_code,
        amount=amount,
        service_fee=fee,
        currency=training.currency,
        status=BookingStatus.REQUESTED,
        requested_at=now,
        refund_terms=RefundTerms.of(training),  # the terms of the sale stay with the seat
        correlation_id=current_correlation() or booking_id,
    )
    # Keyed by the training: every seat event of a training on one partition, in order. One
    # request, one event id: a retried publish dedupes downstream.
    event = new_event(booking_requested(booking), deps.policy.source, id=booking.id,
                      correlation_id=booking.correlation_id)  # fmt: skip
    deps.outcomes.expect(booking.id)  # before the publish: a fast decision is not missed
    # Publish first: if the broker does not take it, nothing was accepted or written.
    deps.publisher.publish(event)
    booking.history.append({"step": "requested", "at": now, "event_id": event.id})
    deps.bookings.add_requested(booking)
    # Decided within ``wait_s``: the booking as decided. Else its status polls are answered
    # from memory until its decision goes by.
    if deps.outcomes.wait(booking.id, wait_s, booking) and wait_s > 0:
        return deps.bookings.get(booking.id) or booking, True
    return booking, True


def booking_requested(booking: Booking) -> BookingRequested:
    """Everything ``booking.requested`` carries: the capacity worker rebuilds the booking from it
    if the API died between the broker's acknowledgement and its own write."""
    assert booking.refund_terms is not None
    return BookingRequested(
        booking_id=booking.id,
        training_id=booking.training_id,
        trainee_id=booking.trainee_id,
        amount=booking.amount,
        currency=booking.currency,
        service_fee=booking.service_fee,
        voucher_code=booking.voucher_code,
        requested_at=booking.requested_at.isoformat(),
        refund_terms=booking.refund_terms.as_dict(),
    )


def requested_payload(booking: Booking) -> dict[str, Any]:
    """The wire payload of ``booking_requested`` (for tests that publish requests themselves)."""
    return booking_requested(booking).to_data()


def booking_from_request(request: BookingRequested) -> Booking:
    """The booking ``booking.requested`` describes, as the API stored it (or would have)."""
    return Booking(
        id=request.booking_id,
        training_id=request.training_id,
        trainee_id=request.trainee_id,
        amount=request.amount,
        service_fee=request.service_fee,
        currency=request.currency,
        voucher_code=request.voucher_code,
        status=BookingStatus.REQUESTED,
        requested_at=datetime.fromisoformat(request.requested_at),
        refund_terms=RefundTerms.from_dict(request.refund_terms),
    )


def get_booking(deps: Deps, viewer: User, booking_id: str) -> Booking:
    """A booking, visible to its trainee and to the training's expert only."""
    booking = deps.outcomes.undecided(booking_id) or deps.bookings.get(booking_id)
    if booking is None:
        raise NotFound(Worded(N_("No booking %(id)s."), id=booking_id))
    if booking.trainee_id != viewer.id:
        training = deps.trainings.get(booking.training_id)
        if training is None or training.expert_id != viewer.id:
            # 404, not 403: do not reveal that someone else's booking exists.
            raise NotFound(Worded(N_("No booking %(id)s."), id=booking_id))
    adopt(booking.correlation_id)  # what this request publishes about it joins its chain
    booking.waitlist_position = waitlist_position(deps, booking) or booking.waitlist_position
    return booking


def cancel_booking(deps: Deps, trainee: User, booking_id: str) -> Booking:
    """Ask to cancel (until the training starts); the capacity worker applies the booking's refund terms
    as they stood at the moment of this request."""
    require_role(trainee, Role.TRAINEE)
    booking = get_booking(deps, trainee, booking_id)
    if booking.trainee_id != trainee.id:
        raise NotFound(Worded(N_("No booking %(id)s."), id=booking_id))
    now = deps.clock()
    decision = cancellation(booking, deps.trainings.get(booking.training_id), now)
    if not decision.allowed:
        raise Conflict(decision.reason or "This booking cannot be cancelled.")
    asked = BookingCancellationRequested(
        booking_id=booking.id, training_id=booking.training_id, trainee_id=trainee.id, requested_at=now.isoformat()
    )
    deps.publisher.publish(new_event(asked, deps.policy.source))
    return booking


def waitlist_position(deps: Deps, booking: Booking) -> int | None:
    """The booking's place in line now (others leave the waitlist, so it moves up)."""
    if booking.status is not BookingStatus.WAITLISTED:
        return None
    ledger = deps.seats.load(booking.training_id)
    position = ledger.position(booking.id) if ledger else None
    return position or booking.waitlist_position


def my_bookings(deps: Deps, trainee: User) -> list[Booking]:
    """The trainee's bookings, newest first."""
    require_trainee_history(trainee)
    return deps.bookings.for_trainee(trainee.id)


def pay_booking(deps: Deps, trainee: User, booking_id: str, payment_method: str | None) -> dict[str, Any]:
    """The PaymentIntent to pay a held booking.

    Without ``payment_method`` it returns the client secret for Stripe.js to confirm in
    the browser. With one (a PaymentMethod id made by Stripe.js, or a Stripe test id
    such as ``pm_card_visa``) it asks the payments worker to confirm on the server
    (``payment.submitted``) and the outcome arrives through the webhook.
    """
    require_role(trainee, Role.TRAINEE)
    booking = get_booking(deps, trainee, booking_id)
    if booking.trainee_id != trainee.id:
        raise NotFound(Worded(N_("No booking %(id)s."), id=booking_id))
    refusal = booking_rules.payment_refusal(booking)
    if refusal is not None:
        raise Conflict(refusal)
    intent_id = booking.payment["intent_id"]
    answer: dict[str, Any] = {
        "booking_id": booking.id,
        "payment_intent_id": intent_id,
        "client_secret": booking.payment.get("client_secret"),
        "amount": booking.amount,
        "currency": booking.currency,
        "status": booking.payment.get("status"),
        "submitted": False,
    }
    if payment_method:
        if booking_rules.payment_under_way(booking):
            raise Conflict("A payment for this booking is already under way.")
        submitted = PaymentSubmitted(
            booking_id=booking.id,
            training_id=booking.training_id,
            trainee_id=trainee.id,
            payment_intent_id=intent_id,
            payment_method=payment_method,
        )
        deps.publisher.publish(new_event(submitted, deps.policy.source))
        answer["submitted"] = True
    return answer


def load_booking(deps: Deps, booking_id: str) -> Booking:
    """The booking a worker's event is about, or ``NotFound``."""
    booking = deps.bookings.get(booking_id)
    if booking is None:
        raise NotFound(Worded(N_("No booking %(id)s."), id=booking_id))
    return booking


def booking_held(booking: Booking, promoted: bool = False) -> BookingHeld:
    """``booking.held`` for a booking that holds its seat now (``promoted``: off the waitlist)."""
    assert booking.expires_at is not None
    return BookingHeld(
        booking_id=booking.id,
        training_id=booking.training_id,
        trainee_id=booking.trainee_id,
        amount=booking.amount,
        currency=booking.currency,
        expires_at=booking.expires_at.isoformat(),
        promoted=promoted,
    )


def booking_awaiting_approval(booking: Booking) -> BookingAwaitingApproval:
    """``booking.awaiting_approval`` for a booking whose seat waits for the expert's decision."""
    assert booking.expires_at is not None
    return BookingAwaitingApproval(
        booking_id=booking.id,
        training_id=booking.training_id,
        trainee_id=booking.trainee_id,
        expires_at=booking.expires_at.isoformat(),
    )
