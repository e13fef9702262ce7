"""The seats of one training: the only place that decides who gets a seat and who waits.

A ``SeatLedger`` is a value: every decision returns a new ledger and what follows from it, and
the capacity worker persists the new ledger with a compare-and-set on ``version``. Because one
capacity worker owns a training's partition, the compare-and-set only ever loses during a
rebalance; then the worker reads the ledger again and decides again.

The rules, in one place:

- a seat goes to a request while one is free and nobody waits for it; otherwise the request
  waits, first come first served;
- a freed seat, and every seat a capacity raise adds, goes to the head of the waitlist first;
- the capacity never drops below the seats held: nobody holding a seat loses it;
- a seat given to someone on the waitlist is a *promotion* the ledger keeps until the booking
  itself has moved (``settle``), so a crash between the two loses no promotion.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.model import SeatOutcome, free_seats


@dataclass(frozen=True)
class Promotion:
    """A seat given to a waiting booking, because of the event ``cause_id``."""

    booking_id: str
    cause_id: str


@dataclass(frozen=True)
class SeatDecision:
    """What a request was answered: a seat (``HELD``), one it had (``ALREADY_HELD``), or a place in line."""

    outcome: SeatOutcome
    free: int  # seats left free after the decision (the catalogue's copy)
    position: int | None = None  # 1-based place on the waitlist when it waits


@dataclass(frozen=True)
class SeatLedger:
    """Capacity, holders and waitlist (in order) of one training, and promotions not yet settled."""

    training_id: str
    capacity: int
    holders: tuple[str, ...] = ()
    waitlist: tuple[str, ...] = ()
    promotions: tuple[Promotion, ...] = ()
    version: int = 0  # the stored version this ledger was read at (0: never stored)

    @classmethod
    def open(cls, training_id: str, capacity: int) -> SeatLedger:
        """The ledger of a training nobody has booked yet."""
        return cls(training_id=training_id, capacity=max(0, capacity))

    @property
    def free(self) -> int:
        """Seats nobody holds."""
        return free_seats(self.capacity, len(self.holders))

    def holds(self, booking_id: str) -> bool:
        """Whether the booking holds a seat."""
        return booking_id in self.holders

    def position(self, booking_id: str) -> int | None:
        """The booking's 1-based place on the waitlist, if it waits."""
        return self.waitlist.index(booking_id) + 1 if booking_id in self.waitlist else None

    def request(self, booking_id: str) -> tuple[SeatLedger, SeatDecision]:
        """A seat for the booking if one is free and nobody waits; else its place at the end of the line."""
        if self.holds(booking_id):
            return self, SeatDecision(SeatOutcome.ALREADY_HELD, self.free)
        if booking_id not in self.waitlist and self.free > 0 and not self.waitlist:
            taken = replace(self, holders=(*self.holders, booking_id))
            return taken, SeatDecision(SeatOutcome.HELD, taken.free)
        waiting = self if booking_id in self.waitlist else replace(self, waitlist=(*self.waitlist, booking_id))
        return waiting, SeatDecision(SeatOutcome.FULL, waiting.free, waiting.position(booking_id))

    def hold(self, booking_id: str) -> tuple[SeatLedger, SeatDecision]:
        """A seat for the booking if one is free and nobody waits for it, without joining the line
        (a late payment takes a seat that is free, or gets its money back)."""
        if self.holds(booking_id):
            return self, SeatDecision(SeatOutcome.ALREADY_HELD, self.free)
        if self.free > 0 and not [b for b in self.waitlist if b != booking_id]:
            taken = replace(self, holders=(*self.holders, booking_id), waitlist=())
            return taken, SeatDecision(SeatOutcome.HELD, taken.free)
        return self, SeatDecision(SeatOutcome.FULL, self.free)

    def release(self, booking_id: str, cause_id: str) -> SeatLedger:
        """The booking gives its seat (or its place in line) back; free seats go to the waitlist."""
        return self.leave(booking_id).promote(cause_id)

    def leave(self, booking_id: str) -> SeatLedger:
        """The booking leaves, seat and line, and nobody is promoted (the training is over or cancelled)."""
        if not self.holds(booking_id) and booking_id not in self.waitlist:
            return self
        return replace(
            self,
            holders=tuple(b for b in self.holders if b != booking_id),
            waitlist=tuple(b for b in self.waitlist if b != booking_id),
            promotions=tuple(p for p in self.promotions if p.booking_id != booking_id),
        )

    def resize(self, capacity: int, cause_id: str) -> SeatLedger:
        """A new capacity, never below the seats held; seats it adds go to the waitlist first."""
        return replace(self, capacity=max(capacity, len(self.holders), 0)).promote(cause_id)

    def promote(self, cause_id: str) -> SeatLedger:
        """Give every free seat to the head of the waitlist, in order; each is a promotion to settle."""
        seated = self.waitlist[: self.free]
        if not seated:
            return self
        return replace(
            self,
            holders=(*self.holders, *seated),
            waitlist=self.waitlist[len(seated) :],
            promotions=(*self.promotions, *(Promotion(b, cause_id) for b in seated)),
        )

    def settle(self, booking_id: str) -> SeatLedger:
        """The promoted booking has moved to its seat: nothing is left to do for it."""
        return replace(self, promotions=tuple(p for p in self.promotions if p.booking_id != booking_id))

    def stored(self, version: int) -> SeatLedger:
        """This ledger as it now is in the store, at ``version``."""
        return replace(self, version=version)
