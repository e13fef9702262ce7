"""MongoDB: the ledger, one document per charge or refund, unique by its deterministic id."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from adapters.mongo_compat import narrowed
from core.ledger import EntryKind, LedgerEntry, Payer


def create_ledger_indexes(db: Database) -> None:
    """Every index a ledger query needs."""
    db.ledger.create_index([("payment_intent_id", ASCENDING), ("at", ASCENDING)], name="ledger_intent")
    db.ledger.create_index([("at", ASCENDING)], name="ledger_at")
    db.ledger.create_index([("expert_id", ASCENDING), ("at", ASCENDING)], name="ledger_expert")


class MongoLedger:
    """Implements ``Ledger``; entries are never changed once written."""

    def __init__(self, db: Database) -> None:
        self._c = db.ledger

    def record(self, entry: LedgerEntry) -> bool:
        """Insert once; a second insert of the same id is a replay."""
        doc = dataclasses.asdict(entry)
        doc["_id"] = doc.pop("id")
        doc["kind"], doc["payer"] = str(entry.kind), str(entry.payer)
        try:
            self._c.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    def charge(self, payment_intent_id: str) -> LedgerEntry | None:
        """The charge of a PaymentIntent."""
        return _entry(self._c.find_one({"_id": f"charge:{payment_intent_id}"}))

    def refunds_of(self, payment_intent_id: str) -> list[LedgerEntry]:
        """Refunds of a PaymentIntent, oldest first."""
        docs = self._c.find({"payment_intent_id": payment_intent_id, "kind": str(EntryKind.REFUND)})
        return _entries(narrowed(docs.sort("at", ASCENDING), "ledger_intent"))

    def entries(self, start: datetime, end: datetime, expert_id: str | None = None) -> list[LedgerEntry]:
        """Entries of a period, oldest first."""
        query: dict[str, Any] = {"at": {"$gte": start, "$lt": end}}
        if expert_id is not None:
            query["expert_id"] = expert_id
        cursor = narrowed(self._c.find(query).sort("at", ASCENDING), "ledger_expert" if expert_id else "ledger_at")
        return _entries(cursor)


def _entries(docs: Any) -> list[LedgerEntry]:
    return [e for e in map(_entry, docs) if e is not None]


def _entry(doc: dict[str, Any] | None) -> LedgerEntry | None:
    if doc is None:
        return None
    doc["id"] = doc.pop("_id")
    doc["kind"], doc["payer"] = EntryKind(doc["kind"]), Payer(doc["payer"])
    return LedgerEntry(**doc)
