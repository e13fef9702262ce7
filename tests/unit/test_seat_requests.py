"""A poll's seat requests decided together decide exactly what the one-at-a-time handler decides.

Two copies of one world take the same events: one through ``on_booking_requested`` one at a
time, as before, the other with every run of requests through ``on_booking_requests``. After
every step, bookings, ledger, the catalogue's free seats and every published reaction (ids
included) are the same.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.handlers import inject
from core.handlers.seat_requests import BatchConflict, on_booking_requests
from core.model import BookingStatus, Role
from events.envelope import Event
from tests.unit import builders
from tests.unit.capacity_kit import World, world

_request = st.one_of(
    st.just(("new", 0)),  # a trainee asks for the first time
    st.tuples(st.just("again"), st.integers(min_value=0, max_value=20)),  # a trainee who asked before asks again
    st.tuples(st.just("redelivered"), st.integers(min_value=0, max_value=20)),  # the broker delivers a request twice
)
_step = st.one_of(
    st.tuples(st.just("batch"), st.lists(_request, min_size=1, max_size=8)),
    st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("resize"), st.integers(min_value=0, max_value=5)),
)


def _state(w: World, ids: list[str]) -> dict[str, Any]:
    bookings = {}
    for i in dict.fromkeys(ids):
        b = w.booking(i)
        bookings[i] = (b.status, b.waitlist_position, b.rejection_reason, b.expires_at,
                       [(h["step"], h.get("event_id")) for h in b.history])  # fmt: skip
    ledger = w.ledger()
    training = w.deps.trainings.get(w.training.id)
    assert training is not None
    return {
        "bookings": bookings,
        "ledger": (ledger.capacity, ledger.holders, ledger.waitlist, ledger.promotions),
        "seats_left": training.seats_left,
        "published": [(e.id, e.type, e.data) for e in w.deps.publisher.published],  # type: ignore[attr-defined]
    }


def _batch(w: World, events: list[Event]) -> None:
    inject(on_booking_requests, w.deps)(events)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a loaded CI machine is slow
@given(
    capacity=st.integers(min_value=0, max_value=4),
    approval=st.booleans(),
    steps=st.lists(_step, min_size=1, max_size=8),
)
def test_a_batch_decides_what_one_at_a_time_decides(capacity: int, approval: bool, steps: list[Any]) -> None:
    one = world(capacity=capacity, requires_approval=approval)
    many = copy.deepcopy(one)
    sent: list[Event] = []  # every request so far, in order
    for kind, arg in steps:
        if kind == "batch":
            events = []
            for how, pick in arg:
                if how == "redelivered" and sent:
                    events.append(sent[pick % len(sent)])
                    continue
                trainee = sent[pick % len(sent)].payload.trainee_id if how == "again" and sent else None  # type: ignore[attr-defined]
                event = one.requested(one.deps.users.get(trainee) if trainee else None)
                sent.append(event)
                events.append(event)
            for event in events:
                one.handle(event)
            _batch(many, events)
        elif kind == "cancel" and sent:
            booking = one.booking(sent[arg % len(sent)].subject)
            if booking.status in (BookingStatus.HELD, BookingStatus.WAITLISTED, BookingStatus.PENDING_APPROVAL):
                event = one.cancel_asked(booking)
                one.handle(event)
                many.handle(event)
        elif kind == "resize":
            event = one.resized(arg)
            current = many.deps.trainings.get(many.training.id)
            assert current is not None
            assert many.deps.trainings.replace(builders.moved(current, capacity=arg), current.version)
            one.handle(event)
            many.handle(event)
        ids = [e.subject for e in sent]
        assert _state(many, ids) == _state(one, ids)


def test_a_storm_fills_the_seats_then_the_line_in_order() -> None:
    w = world(capacity=3)
    events = [w.requested() for _ in range(10)]
    _batch(w, events)
    statuses = [w.booking(e.subject).status for e in events]
    assert statuses == [BookingStatus.HELD] * 3 + [BookingStatus.WAITLISTED] * 7
    assert [w.booking(e.subject).waitlist_position for e in events[3:]] == list(range(1, 8))
    assert w.ledger().holders == tuple(e.subject for e in events[:3])
    assert w.ledger().waitlist == tuple(e.subject for e in events[3:])
    assert w.deps.trainings.get(w.training.id).seats_left == 0  # type: ignore[union-attr]
    published = w.deps.publisher.published  # type: ignore[attr-defined]
    assert [e.type for e in published[-10:]] == ["booking.held"] * 3 + ["booking.waitlisted"] * 7
    assert [p.subject for p in published[-10:]] == [e.subject for e in events]


def test_a_booking_the_api_did_not_write_is_created_from_its_event() -> None:
    w = world(capacity=1)
    events = [w.requested(), w.requested()]
    assert w.deps.bookings.get(events[0].subject) is None  # the API died after the broker's ack
    _batch(w, events)
    assert w.booking(events[0].subject).status is BookingStatus.HELD
    assert w.booking(events[1].subject).status is BookingStatus.WAITLISTED
    assert w.booking(events[0].subject).amount == events[0].payload.amount  # type: ignore[attr-defined]


def test_a_second_request_of_one_trainee_in_the_same_poll_is_refused() -> None:
    w = world(capacity=5)
    trainee = w.trainee()
    first, second = w.requested(trainee), w.requested(trainee)
    _batch(w, [first, second])
    assert w.booking(first.subject).status is BookingStatus.HELD
    refused = w.booking(second.subject)
    assert refused.status is BookingStatus.REJECTED
    assert refused.rejection_reason == "You already have a booking for this training."


def test_a_voucher_in_a_batch_gives_its_free_seat_once() -> None:
    from core.sponsoring import Voucher

    w = world(capacity=3)
    sponsor = builders.user(w.deps, Role.SPONSOR, company="Medtech SA")
    w.deps.vouchers.issue(Voucher(code="FREE-1", sponsorship_id="sp-1", training_id=w.training.id,  # type: ignore[attr-defined]
                                  sponsor_id=sponsor.id, issued_at=w.deps.clock()), slot=0)  # fmt: skip
    first, second = w.requested(voucher_code="FREE-1"), w.requested(voucher_code="FREE-1")
    _batch(w, [first, second])
    assert w.booking(first.subject).sponsored_by == {"sponsor_id": sponsor.id, "company": "Medtech SA",
                                                     "sponsorship_id": "sp-1"}  # fmt: skip
    assert w.booking(second.subject).status is BookingStatus.REJECTED


def test_a_crash_after_the_ledger_is_saved_replays_into_the_same_decisions() -> None:
    w = world(capacity=2)
    events = [w.requested() for _ in range(4)]
    clean = copy.deepcopy(w)
    real = w.deps.bookings.transition_many

    def crash(moves: list[Any]) -> Any:
        raise ConnectionError("the worker died here")

    w.deps.bookings.transition_many = crash  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        _batch(w, events)
    assert w.ledger().holders == (events[0].subject, events[1].subject)  # saved, bookings not moved
    assert w.booking(events[0].subject).status is BookingStatus.REQUESTED
    w.deps.bookings.transition_many = real  # type: ignore[method-assign]
    _batch(w, events)  # the redelivery
    _batch(clean, events)
    ids = [e.subject for e in events]
    assert _state(w, ids) == _state(clean, ids)


def test_a_ledger_changed_by_another_member_fails_the_batch_as_a_whole() -> None:
    w = world(capacity=2)
    events = [w.requested() for _ in range(3)]
    read = w.deps.seats.load

    def read_then_lose_the_race(training_id: str) -> Any:
        ledger = read(training_id)
        assert w.deps.seats.save(ledger.request("someone-else")[0]) is not None  # another member, mid-rebalance
        return ledger

    w.deps.seats.load = read_then_lose_the_race  # type: ignore[method-assign]
    published = len(w.deps.publisher.published)  # type: ignore[attr-defined]
    with pytest.raises(BatchConflict):
        _batch(w, events)
    assert all(w.booking(e.subject).status is BookingStatus.REQUESTED for e in events)
    assert len(w.deps.publisher.published) == published  # type: ignore[attr-defined]


def test_a_request_for_a_training_nobody_knows_fails_the_batch_before_anything_is_written() -> None:
    from core.errors import NeedsReconciliation

    w = world(capacity=2)
    known, orphan = w.requested(), w.requested()
    orphan.data["training_id"] = "no-such-training"  # type: ignore[index]
    orphan = Event(orphan.type, orphan.subject, orphan.data, "no-such-training", id=orphan.id)
    with pytest.raises(NeedsReconciliation):
        _batch(w, [known, orphan])
    assert w.deps.bookings.get(orphan.subject) is None and w.deps.bookings.get(known.subject) is None
