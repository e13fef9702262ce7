"""An in-memory seat-ledger store with the MongoDB adapter's compare-and-set."""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import Any

from core.seats import SeatLedger


class FakeSeats:
    """Seat ledgers in a dict; ``save`` wins only at the version it was read at."""

    def __init__(self) -> None:
        self._ledgers: dict[str, SeatLedger] = {}
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> FakeSeats:
        """A copy with its own lock (the ledgers are frozen values)."""
        copied = FakeSeats()
        copied._ledgers = dict(self._ledgers)
        return copied

    def load(self, training_id: str) -> SeatLedger | None:
        """The stored ledger."""
        return self._ledgers.get(training_id)

    def save(self, ledger: SeatLedger) -> SeatLedger | None:
        """Compare-and-set on the version."""
        with self._lock:
            current = self._ledgers.get(ledger.training_id)
            if (current.version if current else 0) != ledger.version:
                return None
            stored = ledger.stored(ledger.version + 1)
            self._ledgers[ledger.training_id] = stored
            return stored

    def snapshot(self, training_id: str) -> dict[str, Any] | None:
        """The ledger as the MongoDB document reads (capacity, holders, waitlist)."""
        ledger = self._ledgers.get(training_id)
        if ledger is None:
            return None
        doc = asdict(ledger)
        return {**doc, "_id": ledger.training_id, "holders": list(ledger.holders), "waitlist": list(ledger.waitlist)}
