"""Events of bookings: the saga from the request to the seat, keyed by the training.

Every one travels on BOOKINGS keyed by the training, so one partition, hence one capacity worker,
applies a training's seat changes in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, validate

from events.base import DomainEvent, amount, optional, wire
from events.types import Topic


class _RefundTermsSchema(Schema):
    full_refund_days_before = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


@dataclass(frozen=True, kw_only=True)
class BookingEvent(DomainEvent):
    """The booking an event is about (the fields every booking event carries)."""

    TOPIC = Topic.BOOKINGS

    booking_id: str
    training_id: str
    trainee_id: str

    def subject(self) -> str:
        """The booking."""
        return self.booking_id


@dataclass(frozen=True, kw_only=True)
class BookingMoneyEvent(BookingEvent):
    """A booking event that carries its price."""

    amount: int = amount()
    currency: str


@dataclass(frozen=True, kw_only=True)
class BookingRequested(BookingMoneyEvent):
    """Everything the booking is: the capacity worker rebuilds it from this alone if need be."""

    TYPE = "booking.requested"

    service_fee: int = amount()
    voucher_code: str | None = None
    requested_at: str = wire(schema_field=fields.AwareDateTime(required=True, format="iso"))  # ISO-8601
    # The terms of the sale, as ``RefundTerms.as_dict()`` gives them.
    refund_terms: dict[str, Any] = wire(schema_field=fields.Nested(_RefundTermsSchema, required=True))


@dataclass(frozen=True, kw_only=True)
class BookingHeld(BookingMoneyEvent):
    """A seat is held for the booking until ``expires_at``, waiting for its payment."""

    TYPE = "booking.held"

    expires_at: str
    promoted: bool = wire(default=False, omit_default=True)  # held for someone off the waitlist


@dataclass(frozen=True, kw_only=True)
class BookingWaitlisted(BookingEvent):
    """The training is full: the booking waits in line."""

    TYPE = "booking.waitlisted"

    position: int = wire(check=validate.Range(min=1))


@dataclass(frozen=True, kw_only=True)
class BookingConfirmed(BookingMoneyEvent):
    """The booking's payment went through: the seat is the trainee's."""

    TYPE = "booking.confirmed"

    payment_intent_id: str


@dataclass(frozen=True, kw_only=True)
class BookingRejected(BookingEvent):
    """The booking was refused (closed, a duplicate, a bad voucher, the expert said no)."""

    TYPE = "booking.rejected"

    reason: str


@dataclass(frozen=True, kw_only=True)
class BookingAwaitingApproval(BookingEvent):
    """A seat is held while the expert decides, until ``expires_at``."""

    TYPE = "booking.awaiting_approval"

    expires_at: str


@dataclass(frozen=True, kw_only=True)
class BookingApprovalDecided(BookingEvent):
    """The expert approved or rejected a request."""

    TYPE = "booking.approval_decided"

    approved: bool
    reason: str | None = None
    expert_id: str


@dataclass(frozen=True, kw_only=True)
class BookingApproved(BookingEvent):
    """The expert's approval was applied: the payment window opens."""

    TYPE = "booking.approved"


@dataclass(frozen=True, kw_only=True)
class BookingExpiryDue(BookingEvent):
    """The hold that ends at ``expires_at`` is over, unless paid meanwhile."""

    TYPE = "booking.expiry_due"

    expires_at: str


@dataclass(frozen=True, kw_only=True)
class BookingExpired(BookingEvent):
    """The hold ended unpaid: the seat went back."""

    TYPE = "booking.expired"

    expires_at: str


@dataclass(frozen=True, kw_only=True)
class BookingCancellationRequested(BookingEvent):
    """The trainee asked to cancel, at ``requested_at`` (absent from older events)."""

    TYPE = "booking.cancellation_requested"

    requested_at: str | None = optional()


@dataclass(frozen=True, kw_only=True)
class BookingCancelled(BookingEvent):
    """The booking was cancelled, by its trainee or with its training, with what is refunded."""

    TYPE = "booking.cancelled"

    reason: str
    refund_amount: int = amount()
    currency: str
    by: str = wire(check=validate.OneOf(["trainee", "expert"]))
    was: str | None = None  # the status it was cancelled in


@dataclass(frozen=True, kw_only=True)
class BookingClosed(BookingEvent):
    """The training took place before this request got a confirmed seat."""

    TYPE = "booking.closed"

    reason: str
