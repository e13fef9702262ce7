"""Bookings and the booking state machine: every transition the saga may make, and no other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.cancellation import RefundTerms


class BookingStatus(StrEnum):
    """Where a booking stands in the saga."""

    REQUESTED = "requested"
    PENDING_APPROVAL = "pending_approval"  # a seat held while the expert decides
    HELD = "held"
    WAITLISTED = "waitlisted"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    CLOSED = "closed"  # the training took place (was completed) with this request still open


# The booking state machine: every transition a worker may make, and no other.
# expired -> confirmed is a late payment that found a free seat again.
TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.REQUESTED: frozenset(
        {BookingStatus.HELD, BookingStatus.PENDING_APPROVAL, BookingStatus.WAITLISTED, BookingStatus.REJECTED}
    ),
    BookingStatus.PENDING_APPROVAL: frozenset(
        {
            BookingStatus.HELD,
            BookingStatus.REJECTED,
            BookingStatus.EXPIRED,
            BookingStatus.CANCELLED,
            BookingStatus.CLOSED,
        }
    ),
    BookingStatus.WAITLISTED: frozenset(
        {BookingStatus.HELD, BookingStatus.PENDING_APPROVAL, BookingStatus.CANCELLED, BookingStatus.CLOSED}
    ),
    BookingStatus.HELD: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.EXPIRED, BookingStatus.CANCELLED, BookingStatus.CLOSED}
    ),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.CANCELLED}),
    BookingStatus.EXPIRED: frozenset({BookingStatus.CONFIRMED}),
    BookingStatus.REJECTED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.CLOSED: frozenset(),
}

ACTIVE_STATUSES = frozenset(
    {
        BookingStatus.REQUESTED,
        BookingStatus.PENDING_APPROVAL,
        BookingStatus.HELD,
        BookingStatus.WAITLISTED,
        BookingStatus.CONFIRMED,
    }
)
# Statuses that occupy a seat.
SEATED_STATUSES = frozenset({BookingStatus.PENDING_APPROVAL, BookingStatus.HELD, BookingStatus.CONFIRMED})
# Active bookings the capacity worker has already decided on.
DECIDED_STATUSES = ACTIVE_STATUSES - {BookingStatus.REQUESTED}


def can_transition(current: BookingStatus, target: BookingStatus) -> bool:
    """Whether the saga allows ``current -> target``."""
    return target in TRANSITIONS[current]


def sources_of(target: BookingStatus) -> frozenset[BookingStatus]:
    """Every status from which ``target`` may be reached: the guard of a transition."""
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


@dataclass
class Booking:
    """A trainee's request for one seat, and everything that happened to it."""

    id: str
    training_id: str
    trainee_id: str
    amount: int
    currency: str
    status: BookingStatus
    requested_at: datetime
    expires_at: datetime | None = None
    waitlist_position: int | None = None
    rejection_reason: str | None = None
    voucher_code: str | None = None
    service_fee: int = 0  # part of ``amount`` that is never refunded (minor units)
    # The refund terms the seat was sold under (None: booked before they were kept; the training's apply).
    refund_terms: RefundTerms | None = None
    cancellation_reason: str | None = None
    cancelled_from: BookingStatus | None = None  # the status it was cancelled in (confirmed: paid, invited)
    closing_reason: str | None = None  # why a booking was closed
    refund_amount: int | None = None
    # Compliance: who paid for a sponsored seat ({"sponsor_id", "company", "sponsorship_id"}).
    sponsored_by: dict[str, Any] | None = None
    attendance: str | None = None  # "present" or "absent", marked by the expert on the day
    attendance_at: datetime | None = None
    payment: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    # The correlation of the request that made it: every event about it carries this one, so its
    # whole life shares one id in the logs (docs/operations.md). "" for bookings made before.
    correlation_id: str = ""
