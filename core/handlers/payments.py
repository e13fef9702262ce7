"""The payments worker's booking side: one PaymentIntent per held booking and attempt, confirmed once,
cancelled when the seat goes, refunded once.

Every call to Stripe is guarded: a PaymentIntent is claimed in MongoDB before it is made (and
searched for after a crash), confirmed only while it still waits for payment, refunded under a
claim too, so a redelivered event never charges or refunds twice.
"""

from __future__ import annotations

from dataclasses import asdict

from core import ports
from core.errors import PaymentDeclined
from core.handlers.common import load_booking
from core.handlers.ledger import FREE, record_refund
from core.model import Booking, BookingStatus
from core.ports import PaymentIntent
from core.services.deps import Clock, Policy
from core.services.webhooks import payment_succeeded
from events import (
    BookingCancelled,
    BookingClosed,
    BookingExpired,
    BookingHeld,
    PaymentFailed,
    PaymentIntentCreated,
    PaymentRefunded,
    PaymentSubmitted,
    PaymentSucceeded,
    RefundRequested,
)
from events.bookings import BookingEvent
from events.envelope import Event, reaction

SOURCE = "payments-worker"


def on_booking_held(
    event: Event, bookings: ports.Bookings, payments: ports.PaymentGateway, publisher: ports.EventPublisher,
    clock: Clock,
) -> None:  # fmt: skip
    """Create the PaymentIntent the trainee will pay, once per booking attempt."""
    booking = load_booking(bookings, event.payload_as(BookingHeld).booking_id)
    if booking.amount == 0:
        publisher.publish(_succeeded(event, booking, FREE))
        return
    intent_id = booking.payment.get("intent_id")
    if intent_id:
        intent = payments.retrieve_intent(intent_id)
    else:
        intent = _new_attempt(bookings, payments, clock, event, booking, 1)
    created = PaymentIntentCreated(
        booking_id=booking.id,
        training_id=booking.training_id,
        trainee_id=booking.trainee_id,
        amount=booking.amount,
        currency=booking.currency,
        payment_intent_id=intent.id,
    )
    publisher.publish(reaction(event, created, source=SOURCE))


def on_payment_failed(event: Event, bookings: ports.Bookings, payments: ports.PaymentGateway, clock: Clock) -> None:
    """A charge was declined: the trainee may pay again with another card until the hold ends."""
    failed = event.payload_as(PaymentFailed)
    booking = load_booking(bookings, failed.booking_id)
    if booking.payment.get("intent_id") == failed.payment_intent_id:
        bookings.update_payment(
            booking.id, {"status": "failed", "failure": failed.reason}, event.id, clock(), step="payment_failed"
        )
        prepare_next_attempt(bookings, payments, clock, event, load_booking(bookings, booking.id))


def on_payment_submitted(
    event: Event, bookings: ports.Bookings, payments: ports.PaymentGateway, publisher: ports.EventPublisher,
    clock: Clock,
) -> None:  # fmt: skip
    """Confirm the booking's current PaymentIntent with the trainee's payment method, at most once."""
    submitted = event.payload_as(PaymentSubmitted)
    booking = load_booking(bookings, submitted.booking_id)
    if booking.status is not BookingStatus.HELD:
        return  # the seat is no longer held for this booking: do not take money for it
    intent = payments.retrieve_intent(booking.payment.get("intent_id") or submitted.payment_intent_id)
    if intent.metadata.get("booking_id") != booking.id:
        raise PaymentDeclined("This PaymentIntent does not belong to this booking.")
    if intent.status == "requires_payment_method" and intent.last_error:
        # Submitted against an attempt that failed, before its successor was ready.
        intent = prepare_next_attempt(bookings, payments, clock, event, booking) or intent
    now = clock()
    try:
        confirmed = confirm_once(payments, intent, submitted.payment_method)
    except PaymentDeclined as declined:
        bookings.update_payment(
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
            publisher.publish(payment_succeeded(intent, booking.id, booking.training_id, SOURCE))
        return
    bookings.update_payment(
        booking.id, {"status": _our_status(confirmed), "failure": None}, event.id, now, step="payment_submitted"
    )
    if confirmed.status == "succeeded":
        # Stripe said so in its answer: the webhook need not be the only messenger (the
        # API may be down when it comes; Stripe retries it, localstripe does not).
        publisher.publish(payment_succeeded(confirmed, booking.id, booking.training_id, SOURCE))


def on_seat_released(event: Event, bookings: ports.Bookings, payments: ports.PaymentGateway, clock: Clock) -> None:
    """A hold expired, a booking was cancelled or closed: an unpaid PaymentIntent can no longer be paid."""
    booking = load_booking(bookings, event.payload_as(BookingEvent).booking_id)
    intent_id = booking.payment.get("intent_id")
    if intent_id and booking.payment.get("status") != "succeeded":
        payments.cancel_intent(intent_id)
        bookings.update_payment(booking.id, {"status": "canceled"}, event.id, clock(), step="payment_canceled")


def on_refund_requested(
    event: Event, bookings: ports.Bookings, payments: ports.PaymentGateway, ledger: ports.Ledger,
    trainings: ports.Trainings, publisher: ports.EventPublisher, policy: Policy, clock: Clock,
) -> None:  # fmt: skip
    """Give money back, once per booking whatever the redeliveries (``payment.refunded``)."""
    request = event.payload_as(RefundRequested)
    booking = load_booking(bookings, request.booking_id)
    intent_id, amount = request.payment_intent_id, request.amount
    refund_id = booking.payment.get("refund_id")
    if not refund_id:
        first = bookings.claim_refund(booking.id, clock())
        # Claimed before without a refund id: we may have died right after Stripe refunded.
        existing = [] if first else payments.refunds_of(intent_id)
        refund_id = existing[0] if existing else payments.refund(intent_id, amount, f"{booking.id}-refund")
        bookings.update_payment(
            booking.id, {"refund_id": refund_id, "refunded_amount": amount}, event.id, clock(), step="refunded"
        )
    record_refund(ledger, bookings, trainings, payments, policy, clock, booking.id, intent_id, refund_id, amount)
    refunded = PaymentRefunded(**asdict(request), refund_id=refund_id)
    publisher.publish(reaction(event, refunded, source=SOURCE))


def prepare_next_attempt(
    bookings: ports.Bookings, payments: ports.PaymentGateway, clock: Clock, cause: Event, booking: Booking
) -> PaymentIntent | None:
    """After a declined charge: cancel that PaymentIntent and make the next one, if the seat is still held.

    Stripe lets a failed PaymentIntent be confirmed again, localstripe does not; a fresh
    one per attempt works with both. The failed one is cancelled first, so it can never be
    paid as well; if cancelling finds it paid meanwhile, there is no next attempt.
    """
    failed_id = booking.payment.get("intent_id")
    if booking.status is not BookingStatus.HELD or not failed_id:
        return None
    failed = payments.retrieve_intent(failed_id)
    if failed.status != "canceled":
        if failed.status != "requires_payment_method" or not failed.last_error:
            return None  # not a failed attempt: waiting for payment, paying, or paid
        payments.cancel_intent(failed_id)
        if payments.retrieve_intent(failed_id).status != "canceled":
            return None  # it moved on (paid by a retry in the browser): the webhook tells the rest
    attempt = int(booking.payment.get("attempt") or 1) + 1
    return _new_attempt(bookings, payments, clock, cause, booking, attempt)


def ensure_intent(
    payments: ports.PaymentGateway, reference: str, claimed_first: bool, amount: int, currency: str,
    metadata: dict[str, str],
) -> PaymentIntent:  # fmt: skip
    """The one PaymentIntent for ``reference`` (a booking or a sponsorship), created at most once.

    The caller claims the right to create it in MongoDB first. A claim made before, with no
    intent recorded, means a worker died between Stripe and MongoDB: Stripe is searched
    before anything is created, so no one ever gets a second PaymentIntent. The
    idempotency key makes real Stripe dedupe a retried create as well.
    """
    found = None if claimed_first else payments.find_intent(reference)
    return found or payments.create_intent(
        amount=amount,
        currency=currency,
        metadata={**metadata, "reference": reference},
        idempotency_key=f"{reference}-intent",
    )


def confirm_once(payments: ports.PaymentGateway, intent: PaymentIntent, payment_method: str) -> PaymentIntent | None:
    """Confirm an intent that still waits for payment; None if it was confirmed before."""
    if intent.status not in ("requires_payment_method", "requires_confirmation"):
        return None  # a redelivery, or a second click: charging again must never happen
    return payments.confirm_intent(intent.id, payment_method)


def _new_attempt(
    bookings: ports.Bookings, payments: ports.PaymentGateway, clock: Clock, cause: Event, booking: Booking,
    attempt: int,
) -> PaymentIntent:  # fmt: skip
    """The PaymentIntent of payment attempt ``attempt``, made once, recorded on the booking."""
    intent = ensure_intent(
        payments,
        reference=booking.id if attempt == 1 else f"{booking.id}#{attempt}",
        claimed_first=bookings.claim_payment_intent(booking.id, attempt, clock()),
        amount=booking.amount,
        currency=booking.currency,
        # The correlation rides along to Stripe and back in its webhook: the payment's events keep
        # the chain of the request that made the booking (docs/operations.md, "Logs").
        metadata={"booking_id": booking.id, "training_id": booking.training_id, "trainee_id": booking.trainee_id,
                  "attempt": str(attempt), "correlation_id": cause.correlation_id},
    )  # fmt: skip
    bookings.update_payment(
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
        clock(),
        step="payment_pending" if attempt == 1 else f"payment_attempt_{attempt}",
    )
    return intent


def _our_status(intent: PaymentIntent) -> str:
    # requires_action: the bank wants the cardholder (3-D Secure); the page hands it to Stripe.js.
    return intent.status if intent.status in ("succeeded", "requires_action") else "processing"


def _succeeded(cause: Event, booking: Booking, intent_id: str) -> Event:
    succeeded = PaymentSucceeded(
        booking_id=booking.id,
        training_id=booking.training_id,
        payment_intent_id=intent_id,
        amount=booking.amount,
        currency=booking.currency,
    )
    return reaction(cause, succeeded, source=SOURCE)


HANDLERS = {
    BookingHeld: [on_booking_held],
    PaymentSubmitted: [on_payment_submitted],
    PaymentFailed: [on_payment_failed],
    BookingExpired: [on_seat_released],
    BookingCancelled: [on_seat_released],
    BookingClosed: [on_seat_released],
    RefundRequested: [on_refund_requested],
}
