"""MongoDB: one seat-ledger document per training, written with a compare-and-set on its version."""

from __future__ import annotations

from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from core.seats import Promotion, SeatLedger


class MongoSeats:
    """Seat ledgers; ``save`` succeeds only on the version it was read at (the never-oversell guard)."""

    def __init__(self, db: Database) -> None:
        self._c = db.seats

    def load(self, training_id: str) -> SeatLedger | None:
        """The stored ledger, at its version."""
        return _ledger(self._c.find_one({"_id": training_id}))

    def save(self, ledger: SeatLedger) -> SeatLedger | None:
        """Replace the document only if it is still at ``ledger.version``; insert it on version 0."""
        doc = _doc(ledger, ledger.version + 1)
        if ledger.version == 0:
            try:
                self._c.insert_one(doc)
            except DuplicateKeyError:
                # A counter written before ledgers had versions is replaced once; otherwise someone
                # else created it in between: read it and decide again.
                legacy = self._c.replace_one({"_id": ledger.training_id, "version": {"$exists": False}}, doc)
                return ledger.stored(1) if legacy.matched_count == 1 else None
            return ledger.stored(1)
        done = self._c.replace_one({"_id": ledger.training_id, "version": ledger.version}, doc)
        return ledger.stored(ledger.version + 1) if done.matched_count == 1 else None

    def snapshot(self, training_id: str) -> dict[str, Any] | None:
        """The raw document (capacity, holders, waitlist), for operators and tests."""
        return self._c.find_one({"_id": training_id})


def _doc(ledger: SeatLedger, version: int) -> dict[str, Any]:
    return {
        "_id": ledger.training_id,
        "capacity": ledger.capacity,
        "holders": list(ledger.holders),
        "waitlist": list(ledger.waitlist),
        "promotions": [{"booking_id": p.booking_id, "cause_id": p.cause_id} for p in ledger.promotions],
        "version": version,
    }


def _ledger(doc: dict[str, Any] | None) -> SeatLedger | None:
    if doc is None:
        return None
    return SeatLedger(
        training_id=doc["_id"],
        capacity=int(doc["capacity"]),
        holders=tuple(doc.get("holders", ())),
        waitlist=tuple(doc.get("waitlist", ())),
        promotions=tuple(Promotion(p["booking_id"], p["cause_id"]) for p in doc.get("promotions", ())),
        version=int(doc.get("version", 0)),
    )
