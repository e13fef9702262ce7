"""Who may cancel a booking, and for how much: one rule for the API, the web pages and the workers.

The refund terms a booking was sold under travel with it (``RefundTerms`` on the booking,
copied from the training when it was requested), so an expert who changes a training's
policy later changes nothing for the seats already sold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.model import Booking, BookingStatus, Training, TrainingStatus
from core.words import N_

# A trainee can always take back a request, until the training starts: waiting for a seat,
# for the expert's decision, for payment, or paid.
CANCELLABLE = frozenset(
    {
        BookingStatus.REQUESTED,
        BookingStatus.PENDING_APPROVAL,
        BookingStatus.WAITLISTED,
        BookingStatus.HELD,
        BookingStatus.CONFIRMED,
    }
)


@dataclass(frozen=True)
class RefundTerms:
    """What a trainee gets back on cancelling a paid seat: the price in full up to
    ``full_refund_days_before`` days before the start (that day included), nothing after.
    The service fee is never refunded."""

    full_refund_days_before: int = 30

    @classmethod
    def of(cls, training: Training) -> RefundTerms:
        """The terms a training sells its seats under today."""
        return cls(full_refund_days_before=training.refund_full_days_before)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RefundTerms | None:
        """Terms as stored or carried by an event (None for bookings made before terms were kept)."""
        if not data:
            return None
        return cls(full_refund_days_before=int(data["full_refund_days_before"]))

    def as_dict(self) -> dict[str, Any]:
        """The terms as stored on a booking and carried by ``booking.requested``."""
        return {"full_refund_days_before": self.full_refund_days_before}

    def deadline(self, starts_at: datetime) -> datetime:
        """The last instant a cancellation is refunded in full."""
        return starts_at - timedelta(days=self.full_refund_days_before)

    def refund(self, booking: Booking, starts_at: datetime, at: datetime) -> int:
        """What comes back for a paid ``booking`` cancelled at ``at``."""
        if at >= starts_at or at > self.deadline(starts_at):
            return 0
        return max(0, booking.amount - booking.service_fee)

    def summary(self) -> str:
        """The terms in one sentence, as the training and booking pages and the confirmation show them."""
        message, facts = self.wording()
        return message % facts

    def wording(self) -> tuple[str, dict[str, int]]:
        """The summary's message (marked for the catalogue) and its facts, for a reader of another
        language: ``gettext(message) % facts``. One message per grammatical number, as no
        refund deadline is zero days or fewer."""
        days = self.full_refund_days_before
        if days <= 0:
            return TERMS_UNTIL_START, {}
        return (TERMS_ONE_DAY if days == 1 else TERMS_DAYS), {"days": days}


TERMS_UNTIL_START = N_(
    "Full refund of the price if you cancel before the training starts; the service fee is not refunded."
)
TERMS_ONE_DAY = N_(
    "Full refund of the price if you cancel at least %(days)s day before the training starts, no refund after; "
    "the service fee is not refunded."
)
TERMS_DAYS = N_(
    "Full refund of the price if you cancel at least %(days)s days before the training starts, no refund after; "
    "the service fee is not refunded."
)


def terms_of(booking: Booking, training: Training) -> RefundTerms:
    """The terms this booking was sold under (the training's, for bookings older than that record)."""
    return booking.refund_terms or RefundTerms.of(training)


@dataclass(frozen=True)
class Cancellation:
    """Whether the trainee may cancel now, why not, and what would come back."""

    allowed: bool
    refund: int = 0
    reason: str | None = None  # why not, in words for the trainee


def cancellation(booking: Booking, training: Training | None, at: datetime) -> Cancellation:
    """The rule: a trainee may cancel any booking still in play until the training starts.

    Only a confirmed booking has been paid; it is refunded per the booking's own terms.
    """
    if booking.status not in CANCELLABLE:
        return Cancellation(False, reason=f"A {booking.status} booking cannot be cancelled.")
    if training is None or training.status is not TrainingStatus.PUBLISHED:
        status = training.status if training else "unknown"
        return Cancellation(False, reason=f"The training is {status}: its bookings can no longer be cancelled.")
    if training.starts_at is None or training.starts_at <= at:
        return Cancellation(False, reason="The training has started: it can no longer be cancelled.")
    paid = booking.status is BookingStatus.CONFIRMED and booking.amount > 0
    refund = terms_of(booking, training).refund(booking, training.starts_at, at) if paid else 0
    return Cancellation(True, refund=refund)
