"""What the seat counter answers: a hold's outcome and the seats left free."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SeatOutcome(StrEnum):
    """What the seat counter answered to a hold request."""

    HELD = "held"
    ALREADY_HELD = "already_held"
    FULL = "full"


def free_seats(capacity: int, holders: int) -> int:
    """Seats nobody holds; never negative, even when a capacity was lowered below the holders."""
    return max(0, capacity - holders)


@dataclass(frozen=True)
class SeatHold:
    """A hold request's outcome, and the seats left free after it (for the catalogue's copy)."""

    outcome: SeatOutcome
    free: int
