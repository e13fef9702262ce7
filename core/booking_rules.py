"""What a trainee may do with a booking now, and what its page says it allows: one definition each,
for the use cases, the HTTP API and the web pages.

Who may cancel, and for how much, is ``core.cancellation``; this module builds on it.
"""

from __future__ import annotations

from core.cancellation import Cancellation
from core.model import Booking, BookingStatus, Training, TrainingStatus

# Statuses the booking page stops following: nothing the trainee waits for moves them on by itself
# (a confirmed seat changes only if its trainee cancels; a late payment of an expired hold is rare).
FINAL_STATUSES = frozenset(
    {
        BookingStatus.CONFIRMED,
        BookingStatus.REJECTED,
        BookingStatus.EXPIRED,
        BookingStatus.CANCELLED,
        BookingStatus.CLOSED,
    }
)
# Still a request: no seat offered to pay yet, so cancelling withdraws the request.
REQUEST_STATUSES = frozenset({BookingStatus.REQUESTED, BookingStatus.PENDING_APPROVAL, BookingStatus.WAITLISTED})
# What Stripe says of a payment already on its way: a second one must not be submitted.
PAYMENT_UNDER_WAY = frozenset({"processing", "succeeded"})


def is_final(booking: Booking) -> bool:
    """Whether the booking's page may stop following its status."""
    return booking.status in FINAL_STATUSES


def payment_refusal(booking: Booking) -> str | None:
    """Why the booking cannot be paid now, in words for the trainee; None when it can.

    Only a held seat is paid, and only once the payments worker has made its PaymentIntent.
    """
    if booking.status is BookingStatus.CONFIRMED:
        return "This booking is paid and confirmed."
    if booking.status is not BookingStatus.HELD:
        return f"Only a held seat can be paid; this booking is {booking.status}."
    if not booking.payment.get("intent_id"):
        return "The payment is being prepared; try again in a moment."
    return None


def payable(booking: Booking) -> bool:
    """Whether the trainee can pay the booking now (the page shows the card form)."""
    return payment_refusal(booking) is None


def payment_under_way(booking: Booking) -> bool:
    """Whether a payment of the booking is already processing or through: no second submission."""
    return booking.payment.get("status") in PAYMENT_UNDER_WAY


def withdraws_request(booking: Booking) -> bool:
    """Whether cancelling takes back a request rather than a seat the trainee was asked to pay."""
    return booking.status in REQUEST_STATUSES


def refund_on_cancel(booking: Booking, decision: Cancellation) -> int | None:
    """What a cancellation now would give back: None when the booking cannot be cancelled or was
    never paid (only a confirmed booking was), else the amount (0: no refund now)."""
    if not decision.allowed or booking.status is not BookingStatus.CONFIRMED:
        return None
    return decision.refund


def was_present(booking: Booking) -> bool:
    """Whether the trainee held a confirmed seat and the expert marked them present."""
    return booking.status is BookingStatus.CONFIRMED and booking.attendance == "present"


def attended(booking: Booking, training: Training | None) -> bool:
    """Whether the trainee attended the training, now held: what a review and a certificate need."""
    return training is not None and training.status is TrainingStatus.COMPLETED and was_present(booking)
