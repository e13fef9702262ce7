"""Turn a signed payment-provider webhook into our own events."""

from __future__ import annotations

from core.ports import PaymentIntent
from core.services.deps import Deps
from core.words import N_
from events import PaymentFailed, PaymentSucceeded, SponsorshipPaid
from events.envelope import Event, adopt, derived_id, new_event

HANDLED = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed"})


def handle_stripe_webhook(deps: Deps, payload: bytes, signature: str) -> str:
    """Verify, dedupe, re-fetch and publish; returns what happened, for the response.

    Outcomes: ``ignored`` (a type we do not handle), ``duplicate`` (seen before),
    ``unknown`` (not one of our bookings), ``published``.
    """
    notice = deps.payments.verify_webhook(payload, signature)
    if notice.type not in HANDLED:
        return "ignored"
    if deps.provider_events.seen(notice.id):
        return "duplicate"
    # Trust the provider's current state, not the payload we were sent.
    intent = deps.payments.retrieve_intent(notice.object_id)
    if intent.metadata.get("kind") == "sponsorship":
        return _sponsorship_notice(deps, notice.id, notice.type, intent)
    booking_id = intent.metadata.get("booking_id")
    training_id = intent.metadata.get("training_id")
    if not booking_id or not training_id or deps.bookings.get(booking_id) is None:
        deps.provider_events.record(notice.id, deps.clock())
        return "unknown"
    adopt(intent.metadata.get("correlation_id", ""))  # the webhook's lines join the booking's chain
    if notice.type == "payment_intent.succeeded" and intent.status == "succeeded":
        event = payment_succeeded(intent, booking_id, training_id, source="stripe-webhook")
    elif notice.type == "payment_intent.payment_failed":
        failed = PaymentFailed(
            booking_id=booking_id,
            training_id=training_id,
            payment_intent_id=intent.id,
            code=None,
            reason=intent.last_error or N_("The payment was declined."),
        )
        # One id per failed charge, whichever notice of it arrives.
        event = new_event(
            failed,
            "stripe-webhook",
            id=derived_id(f"{intent.id}/{intent.charge_id or notice.id}", PaymentFailed.TYPE),
            correlation_id=intent.metadata.get("correlation_id", ""),
        )
    else:
        deps.provider_events.record(notice.id, deps.clock())
        return "ignored"
    # Publish before recording: a crash in between makes the provider retry, and the
    # deterministic id makes the second publication a no-op downstream.
    deps.publisher.publish(event)
    deps.provider_events.record(notice.id, deps.clock())
    return "published"


def payment_succeeded(intent: PaymentIntent, booking_id: str, training_id: str, source: str) -> Event:
    """``payment.succeeded`` for a booking's PaymentIntent, the same whoever saw it first.

    The webhook and the payments worker (when its server-side confirmation succeeded at
    once) both publish it: one id per PaymentIntent, so whichever comes second is a no-op
    downstream, and a webhook lost while the API was down loses nothing.
    """
    succeeded = PaymentSucceeded(
        booking_id=booking_id,
        training_id=training_id,
        payment_intent_id=intent.id,
        amount=intent.amount,
        currency=intent.currency,
    )
    # The booking's chain, carried in the PaymentIntent's metadata (else the current request's).
    correlation = intent.metadata.get("correlation_id", "")
    return new_event(succeeded, source, id=derived_id(intent.id, PaymentSucceeded.TYPE), correlation_id=correlation)


def _sponsorship_notice(deps: Deps, notice_id: str, notice_type: str, intent: PaymentIntent) -> str:
    sponsorship = deps.sponsorships.get(intent.metadata.get("sponsorship_id", ""))
    if sponsorship is None:
        deps.provider_events.record(notice_id, deps.clock())
        return "unknown"
    if notice_type == "payment_intent.succeeded" and intent.status == "succeeded":
        paid = SponsorshipPaid(
            sponsorship_id=sponsorship.id,
            sponsor_id=sponsorship.sponsor_id,
            training_id=sponsorship.training_id,
            seats=sponsorship.seats,
            amount=intent.amount,
            currency=intent.currency,
            payment_intent_id=intent.id,
        )
        deps.publisher.publish(new_event(paid, "stripe-webhook", id=derived_id(intent.id, SponsorshipPaid.TYPE)))
        outcome = "published"
    else:
        outcome = "ignored"  # the sponsor sees a decline on the purchase itself
    deps.provider_events.record(notice_id, deps.clock())
    return outcome
