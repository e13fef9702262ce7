"""Random sequences of requests, payments, expiries, cancellations, approvals and capacity changes
through the capacity worker's handlers: never oversold, and the waitlist always served in order."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.model import SEATED_STATUSES, BookingStatus
from tests.unit.capacity_kit import World, world

_step = st.one_of(
    st.just(("request", 0)),
    st.tuples(st.just("pay"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("approve"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("reject"), st.integers(min_value=0, max_value=30)),
    st.just(("expire", 0)),
    st.tuples(st.just("resize"), st.integers(min_value=0, max_value=5)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a loaded CI machine is slow
@given(
    capacity=st.integers(min_value=0, max_value=3),
    approval=st.booleans(),
    steps=st.lists(_step, min_size=1, max_size=25),
)
def test_no_sequence_oversells_and_the_line_is_served_in_order(
    capacity: int, approval: bool, steps: list[tuple[str, int]]
) -> None:
    w = world(capacity=capacity, requires_approval=approval)
    order: list[str] = []  # every booking, in the order it was requested
    for kind, pick in steps:
        line_before = list(w.ledger().waitlist)
        statuses_before = {b: w.booking(b).status for b in order}
        _apply(w, kind, pick, order)
        bookings = {b: w.booking(b) for b in order}
        ledger = w.ledger()
        seated = {b for b, booking in bookings.items() if booking.status in SEATED_STATUSES}
        # The ledger and the bookings agree, and nobody holds a seat that does not exist.
        assert set(ledger.holders) == seated
        assert len(ledger.holders) <= ledger.capacity
        assert ledger.promotions == ()
        # The line is the waitlisted bookings, in the order they asked, and waits only for a seat.
        waiting = [b for b in order if bookings[b].status is BookingStatus.WAITLISTED]
        assert list(ledger.waitlist) == waiting
        assert not (waiting and ledger.free > 0)
        # Whoever left the line for a seat came off its head, in order.
        promoted = [b for b in line_before if statuses_before[b] is BookingStatus.WAITLISTED
                    and bookings[b].status in SEATED_STATUSES]  # fmt: skip
        assert promoted == line_before[: len(promoted)]
        # A confirmed seat is only ever lost to a cancellation.
        for b, before in statuses_before.items():
            if before is BookingStatus.CONFIRMED:
                assert bookings[b].status in (BookingStatus.CONFIRMED, BookingStatus.CANCELLED)


_CANCELLABLE = (BookingStatus.HELD, BookingStatus.PENDING_APPROVAL, BookingStatus.WAITLISTED, BookingStatus.CONFIRMED)


def _apply(w: World, kind: str, pick: int, order: list[str]) -> None:
    def chosen(*statuses: BookingStatus) -> str | None:
        matching = [b for b in order if w.booking(b).status in statuses]
        return matching[pick % len(matching)] if matching else None

    if kind == "request":
        event = w.requested()
        order.append(event.subject)
        w.handle(event)
    elif kind == "pay" and (b := chosen(BookingStatus.HELD, BookingStatus.EXPIRED)):
        w.handle(w.paid(w.booking(b)))
    elif kind == "cancel" and (b := chosen(*_CANCELLABLE)):
        w.handle(w.cancel_asked(w.booking(b)))
    elif kind in ("approve", "reject") and (b := chosen(BookingStatus.PENDING_APPROVAL)):
        w.handle(w.decided(w.booking(b), approved=kind == "approve"))
    elif kind == "expire":
        w.expire_holds()
    elif kind == "resize":
        w.handle(w.resized(pick))
