"""MongoDB: the events waiting in the document whose change they announce (a transactional outbox).

A change and its event are one single-document write, atomic on any MongoDB (no multi-document
transaction, so no replica set needed): ``with_pending`` adds the event to a new document,
``push_pending`` to an update. ``MongoPendingEvents`` reads them back for publishing and pulls
them once the broker acknowledged them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from adapters.mongo_compat import narrowed
from events.envelope import Event

FIELD = "pending_events"
# The aggregates whose changes the API announces, each in its collection of the same name.
COLLECTIONS = (
    "users",
    "trainings",
    "demos",
    "sponsorships",
    "reviews",
    "goals",
    "assessments",
    "follow_ups",
    "questions",
    "password_resets",
)


def with_pending(doc: dict[str, Any], event: Event | None) -> dict[str, Any]:
    """A new document carrying the event that announces it."""
    if event is not None:
        doc[FIELD] = [_entry(event)]
    return doc


def push_pending(update: dict[str, Any], event: Event | None) -> dict[str, Any]:
    """An update that also queues the event announcing it, in the same write."""
    if event is not None:
        update.setdefault("$push", {})[FIELD] = _entry(event)
    return update


def create_pending_indexes(db: Database) -> None:
    """The relay's query, on each collection: sparse, so only documents with events waiting are in it."""
    for name in COLLECTIONS:
        db[name].create_index([(f"{FIELD}.at", ASCENDING)], name=f"{name}_pending_events", sparse=True)


class MongoPendingEvents:
    """The outbox embedded in each announcing collection."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def of(self, kind: str, doc_id: str) -> list[Event]:
        """The document's events not yet acknowledged by the broker, oldest first."""
        doc = self._collection(kind).find_one({"_id": doc_id}, {FIELD: 1})
        return [_event(entry["event"]) for entry in (doc or {}).get(FIELD, [])]

    def sent(self, kind: str, doc_id: str, event_ids: list[str]) -> None:
        """These events are on the broker: they leave the document."""
        if event_ids:
            self._collection(kind).update_one({"_id": doc_id}, {"$pull": {FIELD: {"id": {"$in": event_ids}}}})

    def due(self, stored_before: datetime, limit: int) -> list[tuple[str, str]]:
        """Documents with an event waiting since before ``stored_before``: (kind, id)."""
        due: list[tuple[str, str]] = []
        for name in COLLECTIONS:
            query = {f"{FIELD}.at": {"$lt": stored_before}}
            docs = narrowed(self._db[name].find(query, {"_id": 1}), f"{name}_pending_events").limit(limit - len(due))
            due.extend((name, doc["_id"]) for doc in docs)
            if len(due) >= limit:
                break
        return due

    def backlog(self, cap: int = 10_000) -> tuple[int, datetime | None]:
        """Events waiting for the broker in every announcing collection (up to ``cap`` documents
        read each), and when the oldest was stored: through each collection's sparse index."""
        count, oldest = 0, None
        for name in COLLECTIONS:
            query = {f"{FIELD}.at": {"$lte": datetime.max.replace(tzinfo=UTC)}}
            docs = narrowed(self._db[name].find(query, {f"{FIELD}.at": 1}), f"{name}_pending_events").limit(cap)
            for doc in docs:
                for entry in doc.get(FIELD, []):
                    count += 1
                    oldest = entry["at"] if oldest is None else min(oldest, entry["at"])
        return count, oldest

    def _collection(self, kind: str) -> Any:
        if kind not in COLLECTIONS:
            raise ValueError(f"no outbox in {kind!r}")
        return self._db[kind]


def _entry(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": datetime.fromisoformat(event.time.replace("Z", "+00:00")).astimezone(UTC),
        "event": {
            "type": str(event.type), "subject": event.subject, "data": event.data, "key": event.key,
            "id": event.id, "version": event.version, "time": event.time, "source": event.source,
            "correlation_id": event.correlation_id,
        },
    }  # fmt: skip


def _event(stored: dict[str, Any]) -> Event:
    return Event(**stored)  # the type is stored as its wire name, as the envelope holds it
