"""Free seats, read from the capacity worker's seat counter: one definition for every reader."""

from __future__ import annotations

from typing import Any

from core.model import Training, free_seats
from core.services.deps import Deps


def _free(seats: dict[str, Any]) -> int:
    return free_seats(int(seats["capacity"]), len(seats["holders"]))


def seats_left(deps: Deps, training: Training) -> int | None:
    """Free seats now: from the counter, or the capacity while nobody has booked yet."""
    seats = deps.seats.snapshot(training.id)
    return _free(seats) if seats is not None else training.capacity


def listed_seats_left(training: Training) -> int | None:
    """Free seats as a list shows them: the copy on the training, with no read of the counter.

    It lags the counter by at most one capacity event; a search of twenty trainings saves
    twenty reads, which was 44% of a search's time (bench/RESULTS.md).
    """
    return training.seats_left if training.seats_left is not None else training.capacity


def refresh_seats_left(deps: Deps, training_id: str) -> None:
    """Copy the free-seat count onto the training, for the catalogue's free-seats filter.

    The copy is recomputed whole from the counter each time, so a replay or a lost update
    heals on the next change.
    """
    seats = deps.seats.snapshot(training_id)
    if seats is not None:
        deps.trainings.set_seats_left(training_id, _free(seats))
