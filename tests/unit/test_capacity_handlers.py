"""The capacity worker's handlers on the fakes: a request decided, a seat released, a payment confirmed."""

from __future__ import annotations

from datetime import timedelta

import pytest

import events
from core.errors import NeedsReconciliation
from core.handlers import releases
from core.model import BookingStatus, Role, TrainingStatus
from core.seats import Promotion
from events import TrainingCancelled, TrainingCompleted
from events.envelope import derived_id
from tests.unit import builders
from tests.unit.capacity_kit import types, world


def test_a_request_takes_a_free_seat_for_the_hold_window_and_says_so() -> None:
    w = world(capacity=2)
    event = w.requested()
    published = w.handle(event)
    booking = w.booking(event.subject)
    assert booking.status is BookingStatus.HELD
    assert booking.expires_at == w.deps.clock() + timedelta(minutes=w.training.hold_minutes)
    assert types(published) == ["booking.held"]
    held = published[0].payload_as(events.BookingHeld)
    assert (held.amount, held.currency, held.promoted) == (52_500, "eur", False)
    assert held.expires_at == booking.expires_at.isoformat()  # type: ignore[union-attr]
    assert published[0].correlation_id == event.correlation_id
    assert w.ledger().holders == (booking.id,)
    assert w.deps.trainings.get(w.training.id).seats_left == 1  # type: ignore[union-attr]


def test_a_full_training_puts_requests_in_line_in_their_order() -> None:
    w = world(capacity=1)
    w.request()
    second, third = w.request(), w.request()
    assert (second.status, second.waitlist_position) == (BookingStatus.WAITLISTED, 1)
    assert (third.status, third.waitlist_position) == (BookingStatus.WAITLISTED, 2)
    assert w.ledger().waitlist == (second.id, third.id)
    assert w.deps.trainings.get(w.training.id).seats_left == 0  # type: ignore[union-attr]


def test_a_training_that_needs_approval_holds_the_seat_while_the_expert_decides() -> None:
    w = world(capacity=1, requires_approval=True, approval_hours=48)
    event = w.requested()
    assert types(w.handle(event)) == ["booking.awaiting_approval"]
    booking = w.booking(event.subject)
    assert booking.status is BookingStatus.PENDING_APPROVAL
    assert booking.expires_at == w.deps.clock() + timedelta(hours=48)


def test_a_redelivered_request_changes_nothing_and_announces_the_same_id() -> None:
    w = world(capacity=1)
    event = w.requested()
    first = w.handle(event)
    again = w.handle(event)
    assert [e.id for e in again] == [e.id for e in first]
    assert [s["step"] for s in w.booking(event.subject).history] == ["requested", "held"]
    assert w.ledger().holders == (event.subject,)


def test_a_request_the_api_never_wrote_is_created_from_its_event() -> None:
    w = world()
    event = w.requested()
    assert w.deps.bookings.get(event.subject) is None  # the API died after the broker's ack
    w.handle(event)
    booking = w.booking(event.subject)
    assert (booking.status, booking.amount, booking.service_fee) == (BookingStatus.HELD, 52_500, 2_500)


def test_requests_refused_say_why() -> None:
    w = world(capacity=3)
    trainee = w.trainee()
    w.request(trainee)
    twice = w.request(trainee)
    assert twice.status is BookingStatus.REJECTED and "already have" in (twice.rejection_reason or "")
    unknown = w.request(voucher_code="NOPE")
    assert unknown.status is BookingStatus.REJECTED and "voucher" in (unknown.rejection_reason or "")
    assert w.ledger().holders == (w.deps.bookings.for_trainee(trainee.id)[-1].id,)
    current = w.deps.trainings.get(w.training.id)
    assert current is not None
    w.deps.trainings.replace(builders.moved(current, status=TrainingStatus.CANCELLED), current.version)
    late = w.requested()
    assert types(w.handle(late)) == ["booking.rejected"]
    assert "closed" in (w.booking(late.subject).rejection_reason or "")


def test_a_request_for_a_training_nobody_knows_needs_an_operator() -> None:
    w = world()
    event = w.requested()
    w.deps.trainings.rows.pop(w.training.id)  # type: ignore[attr-defined]
    with pytest.raises(NeedsReconciliation):
        w.handle(event)


def test_a_sponsors_voucher_gives_a_free_seat_once() -> None:
    w = world(capacity=2)
    sponsor = builders.user(w.deps, Role.SPONSOR, company="Medtech SA")
    w.deps.vouchers.issue(_voucher(w, sponsor.id, "FREE-1"), slot=0)
    booking = w.request(voucher_code="FREE-1")
    assert booking.status is BookingStatus.HELD and booking.voucher_code == "FREE-1"
    assert booking.sponsored_by == {"sponsor_id": sponsor.id, "company": "Medtech SA", "sponsorship_id": "sp-1"}
    again = w.request(voucher_code="FREE-1")
    assert again.status is BookingStatus.REJECTED


def test_an_expired_hold_gives_its_seat_to_the_head_of_the_line() -> None:
    w = world(capacity=1)
    first = w.request()
    second, third = w.request(), w.request()
    published = w.expire_holds()
    assert w.booking(first.id).status is BookingStatus.EXPIRED
    promoted = w.booking(second.id)
    assert promoted.status is BookingStatus.HELD
    assert types(published) == ["booking.held", "booking.expired"]
    assert published[0].payload_as(events.BookingHeld).promoted is True
    assert w.ledger().holders == (second.id,) and w.ledger().waitlist == (third.id,)
    assert w.ledger().promotions == ()


def test_an_expiry_for_another_hold_or_a_paid_seat_does_nothing() -> None:
    w = world(capacity=1)
    booking = w.request()
    w.handle(w.paid(booking))
    assert w.expire_holds() == []
    assert w.booking(booking.id).status is BookingStatus.CONFIRMED


def test_a_trainee_cancelling_a_paid_seat_gets_the_refund_the_terms_give_and_the_line_moves() -> None:
    w = world(capacity=1)
    booking = w.request()
    w.handle(w.paid(booking))
    waiting = w.request()
    cancel = w.cancel_asked(w.booking(booking.id))
    published = w.handle(cancel)
    assert types(published) == ["booking.held", "booking.cancelled", "refund.requested"]
    cancelled = published[1].payload_as(events.BookingCancelled)
    assert (cancelled.by, cancelled.was, cancelled.refund_amount) == ("trainee", "confirmed", 50_000)
    refund = published[2].payload_as(events.RefundRequested)
    assert (refund.amount, refund.announced, refund.payment_intent_id) == (50_000, True, f"pi_{booking.id}")
    assert w.booking(waiting.id).status is BookingStatus.HELD
    assert [e.id for e in w.handle(cancel)] == [e.id for e in published[1:]]  # a redelivery: the same ids


def test_cancelling_a_place_in_line_promotes_nobody() -> None:
    w = world(capacity=1)
    holder = w.request()
    waiting = w.request()
    published = w.handle(w.cancel_asked(waiting))
    assert types(published) == ["booking.cancelled"]
    assert w.ledger().holders == (holder.id,) and w.ledger().waitlist == ()


def test_a_cancelled_training_cancels_every_booking_and_refunds_the_paid_in_full() -> None:
    w = world(capacity=1)
    paid = w.request()
    w.handle(w.paid(paid))
    waiting = w.request()
    published = w.handle(w.training_event(TrainingCancelled, status="cancelled", reason="The lab is closed."))
    assert sorted(types(published)) == ["booking.cancelled", "booking.cancelled", "refund.requested"]
    assert {w.booking(paid.id).status, w.booking(waiting.id).status} == {BookingStatus.CANCELLED}
    refund = next(e for e in published if e.type == "refund.requested")
    assert refund.payload_as(events.RefundRequested).amount == paid.amount
    assert w.ledger().holders == () and w.ledger().promotions == ()


def test_the_day_over_closes_what_waits_and_keeps_the_confirmed() -> None:
    w = world(capacity=2)
    confirmed, held = w.request(), w.request()
    w.handle(w.paid(confirmed))
    waiting = w.request()
    published = w.handle(w.training_event(TrainingCompleted, status="completed"))
    assert types(published) == ["booking.closed", "booking.closed"]
    assert w.booking(held.id).status is BookingStatus.CLOSED and w.booking(waiting.id).status is BookingStatus.CLOSED
    assert w.booking(confirmed.id).status is BookingStatus.CONFIRMED
    assert w.ledger().holders == (confirmed.id,) and w.ledger().waitlist == ()


def test_the_expert_approves_then_the_payment_window_opens() -> None:
    w = world(capacity=1, requires_approval=True)
    booking = w.request()
    published = w.handle(w.decided(booking, approved=True))
    assert types(published) == ["booking.approved", "booking.held"]
    held = w.booking(booking.id)
    assert held.status is BookingStatus.HELD
    assert held.expires_at == w.deps.clock() + timedelta(minutes=w.training.hold_minutes)


def test_the_expert_rejects_and_the_seat_goes_to_the_next_in_line() -> None:
    w = world(capacity=1, requires_approval=True)
    booking, waiting = w.request(), w.request()
    published = w.handle(w.decided(booking, approved=False, reason="Residents only."))
    assert types(published) == ["booking.awaiting_approval", "booking.rejected"]
    assert w.booking(booking.id).rejection_reason == "Residents only."
    assert w.booking(waiting.id).status is BookingStatus.PENDING_APPROVAL


def test_a_payment_confirms_the_held_seat_once() -> None:
    w = world()
    booking = w.request()
    paid = w.paid(booking)
    first = w.handle(paid)
    assert types(first) == ["booking.confirmed"]
    assert w.booking(booking.id).payment["status"] == "succeeded"
    assert [e.id for e in w.handle(paid)] == [e.id for e in first]
    assert [s["step"] for s in w.booking(booking.id).history].count("confirmed") == 1


def test_a_late_payment_takes_a_free_seat_again() -> None:
    w = world(capacity=1)
    booking = w.request()
    w.expire_holds()
    published = w.handle(w.paid(w.booking(booking.id)))
    assert types(published) == ["booking.confirmed"]
    assert w.booking(booking.id).status is BookingStatus.CONFIRMED and w.ledger().holders == (booking.id,)


def test_a_late_payment_without_a_seat_goes_back_whole() -> None:
    w = world(capacity=1)
    booking = w.request()
    waiting = w.request()
    w.expire_holds()  # the seat went to the next in line
    published = w.handle(w.paid(w.booking(booking.id)))
    assert types(published) == ["refund.requested"]
    refund = published[0].payload_as(events.RefundRequested)
    assert (refund.amount, refund.announced) == (booking.amount, False)
    assert w.ledger().holders == (waiting.id,)


def test_a_payment_for_a_booking_in_line_needs_an_operator() -> None:
    w = world(capacity=1)
    w.request()
    waiting = w.request()
    with pytest.raises(NeedsReconciliation):
        w.handle(w.paid(waiting))


def test_a_capacity_raise_serves_the_line_first_and_a_cut_never_unseats() -> None:
    w = world(capacity=1)
    w.request()
    second, third, fourth = w.request(), w.request(), w.request()
    published = w.handle(w.resized(3))
    assert types(published) == ["booking.held", "booking.held"]
    assert [w.booking(b.id).status for b in (second, third, fourth)] == [
        BookingStatus.HELD, BookingStatus.HELD, BookingStatus.WAITLISTED]  # fmt: skip
    assert w.handle(w.resized(1)) == []
    assert w.ledger().capacity == 3 and len(w.ledger().holders) == 3


def test_a_promotion_left_by_a_crash_is_finished_by_the_replay() -> None:
    w = world(capacity=1)
    first, waiting = w.request(), w.request()
    w.deps.clock.advance(minutes=w.training.hold_minutes + 1)  # type: ignore[attr-defined]
    releases.sweep_expired_holds(w.deps)
    due = w.deps.publisher.published[-1]  # type: ignore[attr-defined]
    # The worker expired the hold and saved the ledger's promotion, then died before the rest.
    w.deps.bookings.transition(first.id, BookingStatus.EXPIRED, due.id, w.deps.clock())
    w.deps.seats.save(w.ledger().release(first.id, due.id))
    assert w.ledger().promotions == (Promotion(waiting.id, due.id),)
    published = w.handle(due)  # the broker delivers it again
    assert types(published) == ["booking.held", "booking.expired"]
    assert published[0].id == derived_id(due.id, f"promoted/{waiting.id}")  # as the first run would have
    assert w.booking(waiting.id).status is BookingStatus.HELD
    assert w.ledger().promotions == () and w.ledger().holders == (waiting.id,)


def test_a_stale_place_in_line_passes_the_seat_on() -> None:
    w = world(capacity=1)
    first, gone, next_in_line = w.request(), w.request(), w.request()
    # ``gone`` was cancelled, but a crash left it in line (its cancellation is replayed later).
    w.deps.bookings.transition(gone.id, BookingStatus.CANCELLED, "cancel-1", w.deps.clock())
    published = w.handle(w.cancel_asked(w.booking(first.id)))
    assert w.booking(next_in_line.id).status is BookingStatus.HELD
    assert w.ledger().holders == (next_in_line.id,) and w.ledger().waitlist == ()
    assert "booking.held" in types(published)


def _voucher(w, sponsor_id: str, code: str):  # type: ignore[no-untyped-def]
    from core.sponsoring import Voucher

    return Voucher(code=code, sponsorship_id="sp-1", training_id=w.training.id, sponsor_id=sponsor_id,
                   issued_at=w.deps.clock())  # fmt: skip
