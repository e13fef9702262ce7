"""What every capacity handler shares: where its reactions come from, the booking an event is about,
and the small steps several of them take (a voucher given back, a refund asked)."""

from __future__ import annotations

from core import ports
from core.errors import NeedsReconciliation, NotFound
from core.model import Booking, Training, TrainingStatus
from core.words import N_, Worded
from events import RefundRequested
from events.envelope import Event, reaction

SOURCE = "capacity-worker"
# Why a request is refused when its training takes no bookings, told to the trainee in their language.
CLOSED_REASONS = {
    TrainingStatus.DRAFT: N_("Bookings are closed: the training is draft."),
    TrainingStatus.PUBLISHED: N_("Bookings are closed: the training is published."),  # never given: it takes them
    TrainingStatus.CANCELLED: N_("Bookings are closed: the training is cancelled."),
    TrainingStatus.COMPLETED: N_("Bookings are closed: the training is completed."),
}


def load_booking(bookings: ports.Bookings, booking_id: str) -> Booking:
    """The booking an event is about, or ``NotFound`` (dead-lettered: replayed once it exists)."""
    booking = bookings.get(booking_id)
    if booking is None:
        raise NotFound(Worded(N_("No booking %(id)s."), id=booking_id))
    return booking


def training_of(trainings: ports.Trainings, booking: Booking) -> Training:
    """The booking's training; a booking of no known training needs an operator."""
    training = trainings.get(booking.training_id)
    if training is None:
        raise NeedsReconciliation(f"Booking {booking.id} of unknown training {booking.training_id}.")
    return training


def return_voucher(vouchers: ports.Vouchers, booking: Booking) -> None:
    """A booking that ends before the day without its seat gives its voucher back to the sponsor's pool."""
    if booking.voucher_code:
        vouchers.release(booking.voucher_code, booking.id)


def request_refund(
    publisher: ports.EventPublisher, cause: Event, booking: Booking, amount: int, reason: str, intent_id: str,
    announced: bool = False,
) -> None:  # fmt: skip
    """Ask the payments worker to give ``amount`` back (``announced``: the trainee was told already)."""
    refund = RefundRequested(**ref(booking), payment_intent_id=intent_id, amount=amount, currency=booking.currency,
                             reason=reason, announced=announced)  # fmt: skip
    publisher.publish(reaction(cause, refund, source=SOURCE, what=f"refund/{booking.id}"))


def caused_by(booking: Booking, event_id: str) -> bool:
    """Whether ``event_id`` made the booking's current status."""
    return any(s.get("event_id") == event_id and s.get("step") == str(booking.status) for s in booking.history)


def ref(booking: Booking) -> dict[str, str]:
    """The three ids every booking event carries."""
    return {"booking_id": booking.id, "training_id": booking.training_id, "trainee_id": booking.trainee_id}
