"""Contract of ``Seats``: a ledger is stored only at the version it was read at, so two deciders
racing for the last seat cannot both win (the never-oversell guard), on MongoDB and on the fake."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from adapters.mongo_seats import MongoSeats
from core import ports as p
from core.model import SeatOutcome
from core.seats import Promotion, SeatLedger
from core.services import seating
from tests import fakes


@pytest.fixture(params=["mongo", "fake"])
def seats(request: pytest.FixtureRequest) -> p.Seats:
    """The seat store once on MongoDB (a fresh database), once in memory."""
    if request.param == "mongo":
        return MongoSeats(request.getfixturevalue("database"))
    return fakes.FakeSeats()


def test_a_ledger_round_trips_with_its_version(seats: p.Seats) -> None:
    assert seats.load("t") is None
    ledger = SeatLedger("t", 3, ("a", "b"), ("c",), (Promotion("b", "e1"),))
    stored = seats.save(ledger)
    assert stored is not None and stored.version == 1
    assert seats.load("t") == stored


def test_a_stale_ledger_is_not_saved(seats: p.Seats) -> None:
    first = seats.save(SeatLedger.open("t", 2))
    assert first is not None
    taken, _ = first.request("a")
    assert seats.save(taken) is not None
    late, _ = first.request("b")  # decided on version 1, which is gone
    assert seats.save(late) is None
    assert seats.save(SeatLedger.open("t", 5)) is None  # a second creation loses too
    loaded = seats.load("t")
    assert loaded is not None and loaded.holders == ("a",) and loaded.version == 2


def test_fifty_concurrent_requests_on_ten_seats_seat_exactly_ten(seats: p.Seats) -> None:
    def ask(i: int) -> SeatOutcome:
        _, decision = seating.decide(seats, "race", 10, lambda ledger: ledger.hold(f"b{i}"))
        return decision.outcome

    with ThreadPoolExecutor(max_workers=25) as pool:
        outcomes = list(pool.map(ask, range(50)))
    assert Counter(outcomes) == {SeatOutcome.HELD: 10, SeatOutcome.FULL: 40}
    ledger = seats.load("race")
    assert ledger is not None and len(ledger.holders) == 10
    _, again = seating.decide(seats, "race", 10, lambda current: current.hold("b0"))
    assert again.outcome in (SeatOutcome.ALREADY_HELD, SeatOutcome.FULL)
