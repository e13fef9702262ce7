"""Reading and changing a training's seat ledger: one definition for every reader and writer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from core import ports
from core.model import Training
from core.seats import SeatLedger
from core.services.deps import Deps

T = TypeVar("T")


def decide(
    seats: ports.Seats, training_id: str, capacity: int, choice: Callable[[SeatLedger], tuple[SeatLedger, T]]
) -> tuple[SeatLedger, T]:
    """Read the ledger (opened at ``capacity`` if it has none), decide, compare-and-set.

    The capacity worker owning the training's partition is the only writer, so a lost race only
    happens while partitions move between members: then the other member's write stands and the
    decision is taken again on what it wrote. An unchanged ledger costs no write.
    """
    while True:
        current = seats.load(training_id) or SeatLedger.open(training_id, capacity)
        changed, answer = choice(current)
        if changed == current:
            return current, answer
        stored = seats.save(changed)
        if stored is not None:
            return stored, answer


def change(seats: ports.Seats, training_id: str, capacity: int, step: Callable[[SeatLedger], SeatLedger]) -> SeatLedger:
    """``decide`` for a change that answers nothing but the new ledger."""
    ledger, _ = decide(seats, training_id, capacity, lambda current: (step(current), None))
    return ledger


def seats_left(deps: Deps, training: Training) -> int | None:
    """Free seats now: from the ledger, or the capacity while nobody has booked yet."""
    ledger = deps.seats.load(training.id)
    return ledger.free if ledger is not None else training.capacity


def listed_seats_left(training: Training) -> int | None:
    """Free seats as a list shows them: the copy on the training, with no read of the ledger.

    It lags the ledger by at most one capacity event; a search of twenty trainings saves
    twenty reads, which was 44% of a search's time (bench/RESULTS.md).
    """
    return training.seats_left if training.seats_left is not None else training.capacity


def copy_free_seats(trainings: ports.Trainings, ledger: SeatLedger) -> None:
    """Copy the ledger's free seats onto the training, for the catalogue's free-seats filter.

    The copy is the whole count each time, so a replay or a lost update heals on the next change.
    """
    trainings.set_seats_left(ledger.training_id, ledger.free)
