"""What a trainee does with bookings over HTTP, on the fakes: request, look, cancel, pay."""

from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden, NotFound, RateLimited
from core.model import BookingStatus, Role, TrainingStatus
from core.seats import SeatLedger
from core.services import bookings
from core.sponsoring import Voucher
from events import BookingCancellationRequested, BookingRequested, PaymentSubmitted
from tests.fakes import fake_deps
from tests.unit import builders


def _world(**training_fields):  # type: ignore[no-untyped-def]
    deps = fake_deps()
    expert, trainee = builders.user(deps, Role.EXPERT), builders.user(deps, Role.TRAINEE)
    return deps, expert, trainee, builders.training(deps, expert, **training_fields)


def test_a_request_publishes_first_then_writes_everything_the_worker_needs() -> None:
    deps, _, trainee, t = _world(price=50_000)
    booking, new = bookings.request_booking(deps, trainee, t.id, idempotency_key="k1")
    assert new and booking.status is BookingStatus.REQUESTED
    assert booking.amount == 50_000 + booking.service_fee and booking.service_fee > 0
    [event] = deps.publisher.published  # type: ignore[attr-defined]
    asked = event.payload_as(BookingRequested)
    assert (event.id, event.key, asked.booking_id) == (booking.id, t.id, booking.id)
    assert (asked.amount, asked.service_fee, asked.refund_terms) == (booking.amount, booking.service_fee,
                                                                     booking.refund_terms.as_dict())  # type: ignore[union-attr]  # fmt: skip
    assert deps.bookings.get(booking.id) is not None


class DecidingOutcomes:
    """The capacity worker decides while the request waits: ``wait`` moves the booking to ``held``."""

    def __init__(self, deps, decides: bool = True) -> None:  # type: ignore[no-untyped-def]
        self.deps, self.decides, self.expected_before_publish, self.waited = deps, decides, None, []

    def expect(self, booking_id: str) -> None:
        self.expected_before_publish = not self.deps.publisher.published

    def wait(self, booking_id: str, timeout_s: float, accepted) -> bool:  # type: ignore[no-untyped-def]
        self.waited.append(timeout_s)
        if self.decides:
            self.deps.bookings.transition(booking_id, BookingStatus.HELD, booking_id, self.deps.clock())
        else:
            self.remembered = accepted
        return self.decides

    def undecided(self, booking_id: str):  # type: ignore[no-untyped-def]
        kept = getattr(self, "remembered", None)
        return kept if kept is not None and kept.id == booking_id else None


@pytest.mark.parametrize("decides", [True, False])
def test_a_request_that_waits_comes_back_decided_if_the_decision_came_in_time(decides: bool) -> None:
    deps, _, trainee, t = _world()
    deps.outcomes = outcomes = DecidingOutcomes(deps, decides)
    booking, _ = bookings.request_booking(deps, trainee, t.id, wait_s=0.8)
    assert outcomes.expected_before_publish is True and outcomes.waited == [0.8]
    assert booking.status is (BookingStatus.HELD if decides else BookingStatus.REQUESTED)


def test_a_poll_of_an_undecided_request_is_answered_from_what_the_api_remembers() -> None:
    deps, _, trainee, t = _world()
    deps.outcomes = outcomes = DecidingOutcomes(deps, decides=False)
    booking, _ = bookings.request_booking(deps, trainee, t.id, wait_s=0.5)
    assert outcomes.remembered.id == booking.id
    deps.bookings.rows.clear()  # type: ignore[attr-defined]  # not read: memory answers
    assert bookings.get_booking(deps, trainee, booking.id).status is BookingStatus.REQUESTED
    with pytest.raises(NotFound):
        bookings.get_booking(deps, builders.user(deps, Role.TRAINEE), booking.id)


def test_a_request_that_does_not_ask_to_wait_is_answered_at_once() -> None:
    deps, _, trainee, t = _world()
    deps.outcomes = outcomes = DecidingOutcomes(deps)
    booking, _ = bookings.request_booking(deps, trainee, t.id)
    assert outcomes.waited == [0.0] and outcomes.expected_before_publish is True
    assert booking.status is BookingStatus.REQUESTED


@pytest.mark.parametrize(
    ("prefer", "seconds"),
    [("", 0.0), ("wait=1", 1.0), ("respond-async, wait=0.5", 0.5), ("wait=30", 1.0), ("wait=abc", 0.0),
     ("Wait = 0.25", 0.25), ("return=minimal", 0.0), ("wait=-3", 0.0)],
)  # fmt: skip
def test_prefer_wait_is_read_as_rfc_7240_says_and_capped_at_a_second(prefer: str, seconds: float) -> None:
    from api.resources.bookings import preferred_wait

    assert preferred_wait(prefer) == seconds


def test_the_same_key_is_the_same_request_and_another_training_is_refused() -> None:
    deps, expert, trainee, t = _world()
    first, _ = bookings.request_booking(deps, trainee, t.id, idempotency_key="k1")
    again, new = bookings.request_booking(deps, trainee, t.id, idempotency_key="k1")
    assert (again.id, new) == (first.id, False) and len(deps.publisher.published) == 1  # type: ignore[attr-defined]
    other = builders.training(deps, expert)
    with pytest.raises(Conflict, match="another training"):
        bookings.request_booking(deps, trainee, other.id, idempotency_key="k1")


def test_a_broker_that_refuses_leaves_nothing_written() -> None:
    deps, _, trainee, t = _world()
    deps.publisher.down = True  # type: ignore[attr-defined]
    with pytest.raises(Exception, match="broker down"):
        bookings.request_booking(deps, trainee, t.id, idempotency_key="k1")
    assert deps.bookings.for_trainee(trainee.id) == []


@pytest.mark.parametrize(
    ("status", "days", "message"),
    [(TrainingStatus.CANCELLED, 40, "closed: the training is cancelled"), (TrainingStatus.PUBLISHED, -1, "started")],
)
def test_closed_trainings_take_no_requests(status: TrainingStatus, days: int, message: str) -> None:
    deps, expert, trainee, _ = _world()
    t = builders.training(deps, expert, status=status, days=days)
    with pytest.raises(Conflict, match=message):
        bookings.request_booking(deps, trainee, t.id)
    assert deps.publisher.published == []  # type: ignore[attr-defined]


class HeldCatalogue:
    """The API's catalogue in memory: it holds the published trainings it was given."""

    def __init__(self, *held) -> None:  # type: ignore[no-untyped-def]
        self.held = {t.id: t for t in held}

    def current(self, training_id):  # type: ignore[no-untyped-def]
        return self.held.get(training_id)


def test_a_training_the_catalogue_holds_is_booked_without_reading_it_and_else_it_is_read() -> None:
    deps, expert, trainee, t = _world(price=40_000)
    stored = deps.trainings.get
    reads: list[str] = []
    deps.trainings.get = lambda training_id: reads.append(training_id) or stored(training_id)  # type: ignore[method-assign]
    deps.catalogue = HeldCatalogue(stored(t.id))  # type: ignore[assignment]
    booking, _ = bookings.request_booking(deps, trainee, t.id)
    assert reads == [] and booking.amount == 40_000 + booking.service_fee
    closed = builders.training(deps, expert, status=TrainingStatus.CANCELLED)  # not in the catalogue: read
    reads.clear()
    with pytest.raises(Conflict, match="cancelled"):
        bookings.request_booking(deps, builders.user(deps, Role.TRAINEE), closed.id)
    assert reads == [closed.id]


def test_one_booking_per_trainee_and_only_trainees_book() -> None:
    deps, expert, trainee, t = _world()
    bookings.request_booking(deps, trainee, t.id)
    with pytest.raises(Conflict, match="already have"):
        bookings.request_booking(deps, trainee, t.id)
    with pytest.raises(Forbidden):
        bookings.request_booking(deps, expert, t.id)


def test_too_many_requests_are_slowed_down() -> None:
    deps, expert, trainee, _ = _world()
    limit = deps.policy.bookings_per_trainee.count
    trainings = [builders.training(deps, expert) for _ in range(limit + 1)]
    for t in trainings[:limit]:
        bookings.request_booking(deps, trainee, t.id)
    with pytest.raises(RateLimited):
        bookings.request_booking(deps, trainee, trainings[-1].id)


def test_a_voucher_makes_the_seat_free_and_bad_ones_name_the_field() -> None:
    deps, _, trainee, t = _world()
    now = deps.clock()
    offered = (("OK", {}), ("USED", {"redeemed_by_booking": "bk-x"}), ("VOID", {"voided_at": now}))
    for slot, (code, extra) in enumerate(offered):
        deps.vouchers.issue(Voucher(code=code, sponsorship_id="sp", sponsor_id="s", training_id=t.id, issued_at=now,
                                    **extra), slot=slot)  # fmt: skip
    for code, error in (("NOPE", NotFound), ("USED", Conflict), ("VOID", Conflict)):
        with pytest.raises(error) as refused:
            bookings.request_booking(deps, trainee, t.id, voucher_code=code)
        assert "voucher_code" in refused.value.errors
    booking, _ = bookings.request_booking(deps, trainee, t.id, voucher_code="OK")
    assert (booking.amount, booking.service_fee, booking.voucher_code) == (0, 0, "OK")


def test_a_booking_is_seen_by_its_trainee_and_its_expert_only() -> None:
    deps, expert, trainee, t = _world()
    booking, _ = bookings.request_booking(deps, trainee, t.id)
    assert bookings.get_booking(deps, trainee, booking.id).id == booking.id
    assert bookings.get_booking(deps, expert, booking.id).id == booking.id
    stranger = builders.user(deps, Role.TRAINEE)
    for viewer, booking_id in ((stranger, booking.id), (trainee, "missing")):
        with pytest.raises(NotFound):
            bookings.get_booking(deps, viewer, booking_id)
    assert [b.id for b in bookings.my_bookings(deps, trainee)] == [booking.id]


def test_the_place_in_line_is_read_from_the_ledger() -> None:
    deps, _, trainee, t = _world(capacity=1)
    booking = builders.booking(deps, t, trainee, BookingStatus.WAITLISTED, waitlist_position=3)
    assert bookings.waitlist_position(deps, booking) == 3  # no ledger yet: as the booking says
    deps.seats.save(SeatLedger(t.id, 1, holders=("someone",), waitlist=("other", booking.id)))
    assert bookings.waitlist_position(deps, booking) == 2
    held = builders.booking(deps, t, builders.user(deps), BookingStatus.HELD)
    assert bookings.waitlist_position(deps, held) is None


def test_cancelling_publishes_the_request_with_its_time_and_refuses_what_cannot_be_cancelled() -> None:
    deps, _, trainee, t = _world()
    held = builders.booking(deps, t, trainee, BookingStatus.HELD)
    bookings.cancel_booking(deps, trainee, held.id)
    [event] = deps.publisher.published  # type: ignore[attr-defined]
    asked = event.payload_as(BookingCancellationRequested)
    assert (asked.booking_id, asked.requested_at) == (held.id, deps.clock().isoformat())
    gone = builders.booking(deps, t, builders.user(deps), BookingStatus.EXPIRED)
    with pytest.raises(NotFound):
        bookings.cancel_booking(deps, trainee, gone.id)  # someone else's: not even seen
    mine_expired = builders.booking(deps, builders.training(deps, builders.user(deps, Role.EXPERT)), trainee,
                                    BookingStatus.EXPIRED)  # fmt: skip
    with pytest.raises(Conflict):
        bookings.cancel_booking(deps, trainee, mine_expired.id)


def test_paying_asks_for_a_held_seat_with_its_intent_and_submits_once() -> None:
    deps, _, trainee, t = _world()
    held = builders.booking(deps, t, trainee, BookingStatus.HELD)
    with pytest.raises(Conflict, match="being prepared"):
        bookings.pay_booking(deps, trainee, held.id, None)
    deps.bookings.update_payment(held.id, {"intent_id": "pi_1", "client_secret": "cs_1"}, "e1", deps.clock(), "i")
    answer = bookings.pay_booking(deps, trainee, held.id, None)
    assert (answer["payment_intent_id"], answer["client_secret"], answer["submitted"]) == ("pi_1", "cs_1", False)
    submitted = bookings.pay_booking(deps, trainee, held.id, "pm_card_visa")
    assert submitted["submitted"] is True
    [event] = deps.publisher.published  # type: ignore[attr-defined]
    assert event.payload_as(PaymentSubmitted).payment_method == "pm_card_visa"
    deps.bookings.update_payment(held.id, {"status": "processing"}, "e2", deps.clock(), "p")
    with pytest.raises(Conflict, match="under way"):
        bookings.pay_booking(deps, trainee, held.id, "pm_card_visa")


def test_only_a_held_seat_is_paid() -> None:
    deps, _, trainee, t = _world()
    for status, message in ((BookingStatus.CONFIRMED, "paid and confirmed"), (BookingStatus.WAITLISTED, "held")):
        booking = builders.booking(deps, builders.training(deps, builders.user(deps, Role.EXPERT)), trainee, status)
        with pytest.raises(Conflict, match=message):
            bookings.pay_booking(deps, trainee, booking.id, None)
    with pytest.raises(NotFound):
        bookings.pay_booking(deps, builders.user(deps), builders.booking(deps, t, trainee, BookingStatus.HELD).id, None)
