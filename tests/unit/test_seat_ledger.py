"""The seat ledger: who gets a seat, who waits, and in what order, under any sequence of events."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.model import SeatOutcome
from core.seats import Promotion, SeatLedger


def test_a_request_takes_a_free_seat_and_then_waits_in_line() -> None:
    ledger = SeatLedger.open("t", 2)
    ledger, first = ledger.request("a")
    ledger, second = ledger.request("b")
    ledger, third = ledger.request("c")
    ledger, fourth = ledger.request("d")
    assert (first.outcome, first.free) == (SeatOutcome.HELD, 1)
    assert (second.outcome, second.free) == (SeatOutcome.HELD, 0)
    assert (third.outcome, third.position) == (SeatOutcome.FULL, 1)
    assert (fourth.outcome, fourth.position) == (SeatOutcome.FULL, 2)
    assert ledger.holders == ("a", "b") and ledger.waitlist == ("c", "d")


def test_the_same_request_twice_is_answered_the_same() -> None:
    ledger, _ = SeatLedger.open("t", 1).request("a")
    ledger, _ = ledger.request("b")
    again_held, held = ledger.request("a")
    again_waiting, waiting = ledger.request("b")
    assert again_held == ledger and held.outcome is SeatOutcome.ALREADY_HELD
    assert again_waiting == ledger and (waiting.outcome, waiting.position) == (SeatOutcome.FULL, 1)


def test_a_freed_seat_goes_to_the_head_of_the_line_as_a_promotion_to_settle() -> None:
    ledger = _filled(1, "a", "b", "c")
    ledger = ledger.release("a", cause_id="e1")
    assert ledger.holders == ("b",) and ledger.waitlist == ("c",)
    assert ledger.promotions == (Promotion("b", "e1"),)
    assert ledger.settle("b").promotions == ()


def test_leaving_gives_the_seat_to_nobody() -> None:
    ledger = _filled(1, "a", "b").leave("a")
    assert ledger.holders == () and ledger.waitlist == ("b",) and ledger.promotions == ()
    assert ledger.leave("nobody") == ledger


def test_leaving_the_line_keeps_the_order_of_the_others() -> None:
    ledger = _filled(1, "a", "b", "c", "d").release("c", cause_id="e1")
    assert ledger.holders == ("a",) and ledger.waitlist == ("b", "d") and ledger.promotions == ()


def test_a_capacity_raise_seats_the_line_first_and_a_cut_never_unseats_anyone() -> None:
    ledger = _filled(1, "a", "b", "c", "d")
    raised = ledger.resize(3, cause_id="e1")
    assert raised.holders == ("a", "b", "c") and raised.waitlist == ("d",)
    assert [p.booking_id for p in raised.promotions] == ["b", "c"]
    cut = raised.resize(1, cause_id="e2")
    assert cut.capacity == 3 and cut.holders == raised.holders and cut.free == 0
    _, late = cut.request("e")
    assert late.outcome is SeatOutcome.FULL and late.position == 2


def test_a_late_payment_takes_a_free_seat_but_never_one_somebody_waits_for() -> None:
    ledger, decision = SeatLedger.open("t", 1).hold("late")
    assert decision.outcome is SeatOutcome.HELD and ledger.holders == ("late",)
    full = _filled(1, "a", "b")
    after, refused = full.hold("late")
    assert refused.outcome is SeatOutcome.FULL and after == full


def test_a_waiting_booking_whose_payment_arrives_takes_the_seat_it_waited_for() -> None:
    ledger = _filled(1, "a", "b").leave("a")  # nobody promoted: a seat is free, "b" waits alone
    seated, decision = ledger.hold("b")
    assert decision.outcome is SeatOutcome.HELD and seated.holders == ("b",) and seated.waitlist == ()


# Random sequences of requests, releases (a cancellation, an expiry, a rejection), departures
# (the day is over) and capacity changes.
_people = [f"b{i}" for i in range(12)]
_step = st.one_of(
    st.tuples(st.just("request"), st.sampled_from(_people)),
    st.tuples(st.just("release"), st.sampled_from(_people)),
    st.tuples(st.just("leave"), st.sampled_from(_people)),
    st.tuples(st.just("hold"), st.sampled_from(_people)),
    st.tuples(st.just("resize"), st.integers(min_value=0, max_value=8)),
)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a loaded CI machine is slow
@given(capacity=st.integers(min_value=0, max_value=6), steps=st.lists(_step, max_size=60))
def test_no_sequence_oversells_and_the_line_is_served_in_order(capacity: int, steps: list[tuple[str, object]]) -> None:
    ledger = SeatLedger.open("t", capacity)
    arrivals: list[str] = []  # the order people joined the line, for the FIFO check
    over = False  # after a departure without promotion (the day is over), nobody is promoted any more
    for i, (kind, arg) in enumerate(steps):
        before = ledger
        if kind == "request":
            ledger, decision = ledger.request(str(arg))
            if decision.outcome is SeatOutcome.FULL and str(arg) not in arrivals:
                arrivals.append(str(arg))
        elif kind == "hold":
            ledger, _ = ledger.hold(str(arg))
        elif kind == "release":
            ledger = ledger.release(str(arg), cause_id=f"e{i}")
        elif kind == "leave":
            ledger, over = ledger.leave(str(arg)), True
        else:
            ledger = ledger.resize(int(str(arg)), cause_id=f"e{i}")
        arrivals = [b for b in arrivals if b in ledger.waitlist]
        # Never oversold, nobody twice, nobody both seated and waiting.
        assert len(ledger.holders) <= ledger.capacity
        assert len(set(ledger.holders)) == len(ledger.holders)
        assert len(set(ledger.waitlist)) == len(ledger.waitlist)
        assert not set(ledger.holders) & set(ledger.waitlist)
        # Nobody holding a seat loses it to a capacity change.
        if kind == "resize":
            assert ledger.holders[: len(before.holders)] == before.holders
        # The line is only ever waiting for a seat: a free seat with people waiting never stays.
        if not over:
            assert not (ledger.waitlist and ledger.free > 0)
        # Served in order: the line keeps its arrival order, and those promoted come off its head,
        # as it stands once the booking that released (a seat, or its own place in it) has left.
        assert list(ledger.waitlist) == arrivals
        promoted_now = [p.booking_id for p in ledger.promotions if p not in before.promotions]
        line = [b for b in before.waitlist if not (kind == "release" and b == str(arg))]
        assert promoted_now == line[: len(promoted_now)]
        # Every promotion to settle is a seat held.
        assert {p.booking_id for p in ledger.promotions} <= set(ledger.holders)


def _filled(capacity: int, *bookings: str) -> SeatLedger:
    ledger = SeatLedger.open("t", capacity)
    for booking in bookings:
        ledger, _ = ledger.request(booking)
    return ledger


def test_a_waiting_booking_that_releases_its_place_passes_a_free_seat_to_the_next_in_line() -> None:
    # Found by the property test above: a seat left free (a departure without promotion), the
    # head of the line withdraws, and the seat goes to the one behind it.
    ledger = SeatLedger.open("t", 0)
    for booking in ("b0", "b2", "b1"):
        ledger, _ = ledger.request(booking)
    ledger = ledger.resize(2, cause_id="e3").leave("b0")
    ledger, _ = ledger.request("b0")
    assert ledger.waitlist == ("b1", "b0") and ledger.free == 1
    after = ledger.release("b1", cause_id="e6")
    assert after.holders == ("b2", "b0") and after.waitlist == ()
    assert [p.booking_id for p in after.promotions if p not in ledger.promotions] == ["b0"]
