"""The payments worker's use cases: one PaymentIntent per held booking, confirmed once."""

from __future__ import annotations

from core.errors import PaymentDeclined
from core.model import Booking, BookingStatus
from core.ports import PaymentIntent
from core.services import ledger
from core.services.bookings import booking_payload, load_booking
from core.services.deps import Deps
from core.services.webhooks import payment_succeeded
from events.envelope import Event, reaction
from events.types import EventType

SOURCE = "payments-worker"
FREE = "free"  # the "intent id" of a seat that costs nothing: no money moves


def on_booking_held(deps: Deps, event: Event) -> None:
    """Create the PaymentIntent the trainee will pay, once per booking attempt."""
    booking = load_booking(deps, event.data["booking_id"])
    if booking.amount == 0:
        deps.publisher.publish(_succeeded(event, booking, FREE))
        return
    intent_id = booking.payment.get("intent_id")
    intent = deps.payments.retrieve_intent(intent_id) if intent_id else _new_attempt(deps, event, booking, 1)
    deps.publisher.publish(
        reaction(
            event,
            EventType.PAYMENT_INTENT_CREATED,
            {**booking_payload(booking), "payment_intent_id": intent.id},
            source=SOURCE,
            subject=booking.id,
            key=booking.training_id,
        )
    )


def _new_attempt(deps: Deps, cause: Event, booking: Booking, attempt: int) -> PaymentIntent:
    """The PaymentIntent of payment attempt ``attempt``, made once, recorded on the booking."""
    intent = ensure_intent(
        deps,
        reference=booking.id if attempt == 1 else f"{booking.id}#{attempt}",
        claimed_first=deps.bookings.claim_payment_intent(booking.id, attempt, deps.clock()),
        amount=booking.amount,
        currency=booking.currency,
        metadata={"booking_id": booking.id, "training_id": booking.training_id, "trainee_id": booking.trainee_id,
                  "attempt": str(attempt)},
    )  # fmt: skip
    deps.bookings.update_payment(
        booking.id,
        {
            "intent_id": intent.id,
            "client_secret": intent.client_secret,
            "status": intent.status,
            "amount": intent.amount,
            "currency": intent.currency,
            "attempt": attempt,
        },
        cause.id,
        deps.clock(),
        step="payment_pending" if attempt == 1 else f"payment_attempt_{attempt}",
    )
    return intent


def prepare_next_attempt(deps: Deps, cause: Event, booking: Booking) -> PaymentIntent | None:
    """After a declined charge: cancel that PaymentIntent and make the next one, if the seat is still held.

    Stripe lets a failed PaymentIntent be confirmed again, localstripe does not; a fresh
    one per attempt works with both. The failed one is cancelled first, so it can never be
    paid as well; if cancelling finds it paid meanwhile, there is no next attempt.
    """
    failed_id = booking.payment.get("intent_id")
    if booking.status is not BookingStatus.HELD or not failed_id:
        return None
    failed = deps.payments.retrieve_intent(failed_id)
    if failed.status != "canceled":
        if failed.status != "requires_payment_method" or not failed.last_error:
            return None  # not a failed attempt: waiting for payment, paying, or paid
        deps.payments.cancel_intent(failed_id)
        if deps.payments.retrieve_intent(failed_id).status != "canceled":
            return None  # it moved on (paid by a retry in the browser): the webhook tells the rest
    attempt = int(booking.payment.get("attempt") or 1) + 1
    return _new_attempt(deps, cause, booking, attempt)


def on_payment_failed(deps: Deps, event: Event) -> None:
    """A charge was declined: the trainee may pay again with another card until the hold ends."""
    booking = load_booking(deps, event.data["booking_id"])
    if booking.payment.get("intent_id") == event.data["payment_intent_id"]:
        deps.bookings.update_payment(
            booking.id, {"status": "failed", "failure": event.data["reason"]}, event.id, deps.clock(),
            step="payment_failed",
        )  # fmt: skip
        prepare_next_attempt(deps, event, load_booking(deps, booking.id))


def ensure_intent(
    deps: Deps, reference: str, claimed_first: bool, amount: int, currency: str, metadata: dict[str, str]
) -> PaymentIntent:
    """The one PaymentIntent for ``reference`` (a booking or a sponsorship), created at most once.

    The caller claims the right to create it in MongoDB first. A claim made before, with no
    intent recorded, means a worker died between Stripe and MongoDB: Stripe is searched
    before anything is created, so no one ever gets a second PaymentIntent. The
    idempotency key makes real Stripe dedupe a retried create as well.
    """
    found = None if claimed_first else deps.payments.find_intent(reference)
    return found or deps.payments.create_intent(
        amount=amount,
        currency=currency,
        metadata={**metadata, "reference": reference},
        idempotency_key=f"{reference}-intent",
    )


def confirm_once(deps: Deps, intent: PaymentIntent, payment_method: str) -> PaymentIntent | None:
    """Confirm an intent that still waits for payment; None if it was confirmed before."""
    if intent.status not in ("requires_payment_method", "requires_confirmation"):
        return None  # a redelivery, or a second click: charging again must never happen
    return deps.payments.confirm_intent(intent.id, payment_method)


def on_payment_submitted(deps: Deps, event: Event) -> None:
    """Confirm the booking's current PaymentIntent with the trainee's payment method, at most once."""
    booking = load_booking(deps, event.data["booking_id"])
    if booking.status is not BookingStatus.HELD:
        return  # the seat is no longer held for this booking: do not take money for it
    intent = deps.payments.retrieve_intent(booking.payment.get("intent_id") or event.data["payment_intent_id"])
    if intent.metadata.get("booking_id") != booking.id:
        raise PaymentDeclined("This PaymentIntent does not belong to this booking.")
    if intent.status == "requires_payment_method" and intent.last_error:
        # Submitted against an attempt that failed, before its successor was ready.
        intent = prepare_next_attempt(deps, event, booking) or intent
    now = deps.clock()
    try:
        confirmed = confirm_once(deps, intent, event.data["payment_method"])
    except PaymentDeclined as declined:
        deps.bookings.update_payment(
            booking.id,
            {"status": "failed", "failure": declined.message, "failure_code": declined.decline_code},
            event.id,
            now,
            step="payment_failed",
        )
        # The trainee hears of it through Stripe's payment_failed webhook, the one
        # source of payment.failed, so a decline is announced once, not twice.
        return
    if confirmed is None:
        # Confirmed before (a redelivery, or a second click): never charge twice. If this
        # worker died between Stripe's answer and its own announcement, announce it now.
        if intent.status == "succeeded":
            deps.publisher.publish(payment_succeeded(intent, booking.id, booking.training_id, SOURCE))
        return
    deps.bookings.update_payment(
        booking.id, {"status": _our_status(confirmed), "failure": None}, event.id, now, step="payment_submitted"
    )
    if confirmed.status == "succeeded":
        # Stripe said so in its answer: the webhook need not be the only messenger (the
        # API may be down when it comes; Stripe retries it, localstripe does not).
        deps.publisher.publish(payment_succeeded(confirmed, booking.id, booking.training_id, SOURCE))


def _our_status(intent: PaymentIntent) -> str:
    # requires_action: the bank wants the cardholder (3-D Secure); the page hands it to Stripe.js.
    return intent.status if intent.status in ("succeeded", "requires_action") else "processing"


def _succeeded(cause: Event, booking: Booking, intent_id: str) -> Event:
    return reaction(
        cause,
        EventType.PAYMENT_SUCCEEDED,
        {
            "booking_id": booking.id,
            "training_id": booking.training_id,
            "payment_intent_id": intent_id,
            "amount": booking.amount,
            "currency": booking.currency,
        },
        source=SOURCE,
        subject=booking.id,
        key=booking.training_id,
    )


def on_seat_released(deps: Deps, event: Event) -> None:
    """A hold expired, a booking was cancelled or closed: an unpaid PaymentIntent can no longer be paid."""
    booking = load_booking(deps, event.data["booking_id"])
    intent_id = booking.payment.get("intent_id")
    if intent_id and booking.payment.get("status") != "succeeded":
        deps.payments.cancel_intent(intent_id)
        deps.bookings.update_payment(
            booking.id, {"status": "canceled"}, event.id, deps.clock(), step="payment_canceled"
        )


def on_refund_requested(deps: Deps, event: Event) -> None:
    """Give money back, once per booking whatever the redeliveries (``payment.refunded``)."""
    booking = load_booking(deps, event.data["booking_id"])
    intent_id, amount = event.data["payment_intent_id"], event.data["amount"]
    refund_id = booking.payment.get("refund_id")
    if not refund_id:
        first = deps.bookings.claim_refund(booking.id, deps.clock())
        # Claimed before without a refund id: we may have died right after Stripe refunded.
        existing = [] if first else deps.payments.refunds_of(intent_id)
        refund_id = existing[0] if existing else deps.payments.refund(intent_id, amount, f"{booking.id}-refund")
        deps.bookings.update_payment(
            booking.id, {"refund_id": refund_id, "refunded_amount": amount}, event.id, deps.clock(), step="refunded"
        )
    ledger.record_refund(deps, booking.id, intent_id, refund_id, amount)
    deps.publisher.publish(
        reaction(event, EventType.PAYMENT_REFUNDED, {**event.data, "refund_id": refund_id}, source=SOURCE)
    )


HANDLERS = {
    EventType.BOOKING_HELD: [on_booking_held],
    EventType.PAYMENT_SUBMITTED: [on_payment_submitted],
    EventType.PAYMENT_FAILED: [on_payment_failed],
    EventType.BOOKING_EXPIRED: [on_seat_released],
    EventType.BOOKING_CANCELLED: [on_seat_released],
    EventType.BOOKING_CLOSED: [on_seat_released],
    EventType.REFUND_REQUESTED: [on_refund_requested],
}
