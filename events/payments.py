"""Events of payments and refunds, keyed by the training.

``payment.succeeded`` confirms a seat already held, so it need not wait behind the training's
queued requests: it travels on PAYMENTS, and keyed by the training it lands on the same
partition number there, which the range assignor gives to the member that owns the training's
BOOKINGS one.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.base import DomainEvent, amount
from events.bookings import BookingEvent
from events.types import Topic


@dataclass(frozen=True, kw_only=True)
class _Refund(BookingEvent):
    """Money going back for a booking (shared by the request and its outcome)."""

    TOPIC = Topic.PAYMENTS

    payment_intent_id: str
    amount: int = amount()
    currency: str
    reason: str
    # True when the cancellation notice already told the trainee this refund is coming.
    announced: bool = False


@dataclass(frozen=True, kw_only=True)
class RefundRequested(_Refund):
    """Give this money back to the trainee."""

    TYPE = "refund.requested"


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(_Refund):
    """The money went back (``refund_id`` at the provider)."""

    TYPE = "payment.refunded"

    refund_id: str


@dataclass(frozen=True, kw_only=True)
class PaymentIntentCreated(BookingEvent):
    """The PaymentIntent the trainee will pay exists."""

    TYPE = "payment.intent_created"
    TOPIC = Topic.PAYMENTS

    amount: int = amount()
    currency: str
    payment_intent_id: str


@dataclass(frozen=True, kw_only=True)
class PaymentSubmitted(BookingEvent):
    """The trainee submitted a payment method for the booking's PaymentIntent."""

    TYPE = "payment.submitted"
    TOPIC = Topic.PAYMENTS

    payment_intent_id: str
    payment_method: str


@dataclass(frozen=True, kw_only=True)
class _PaymentOutcome(DomainEvent):
    """What the provider said of a booking's payment (no trainee: the webhook does not know it)."""

    TOPIC = Topic.PAYMENTS

    booking_id: str
    training_id: str
    payment_intent_id: str

    def subject(self) -> str:
        """The booking."""
        return self.booking_id


@dataclass(frozen=True, kw_only=True)
class PaymentSucceeded(_PaymentOutcome):
    """The money came in."""

    TYPE = "payment.succeeded"

    amount: int = amount()
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(_PaymentOutcome):
    """The charge was declined."""

    TYPE = "payment.failed"

    code: str | None = None
    reason: str
