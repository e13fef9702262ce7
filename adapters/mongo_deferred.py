"""MongoDB: events a consumer group set aside to handle after the urgent ones, oldest first."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING
from pymongo.database import Database

from adapters.mongo_compat import narrowed
from adapters.mongo_writes import insert_new
from events.codec import decode, encode
from events.envelope import Event

# When set aside, then the place in the poll it came in.
DEFERRED_ORDER = [("group", ASCENDING), ("at", ASCENDING), ("n", ASCENDING)]


def create_deferred_indexes(db: Database) -> None:
    """The order the deferred events are handled in, per group."""
    db.deferred_events.create_index(DEFERRED_ORDER, name="deferred_order")


class MongoDeferredEvents:
    """One document per (group, event): the event as it travelled, and when it was set aside."""

    def __init__(self, db: Database) -> None:
        self._c = db.deferred_events

    def defer(self, group: str, events: list[Event], at: datetime) -> None:
        """One unordered bulk insert; an event already kept is left as it is."""
        insert_new(self._c, [{"_id": f"{group}:{e.id}", "group": group, "at": at, "n": n, "event": encode(e)}
                             for n, e in enumerate(events)])  # fmt: skip

    def due(self, group: str, limit: int) -> list[Event]:
        """Oldest first, on the group's index."""
        docs = narrowed(self._c.find({"group": group}).sort(DEFERRED_ORDER), "deferred_order").limit(limit)
        return [decode(doc["event"]) for doc in docs]

    def done(self, group: str, event_ids: list[str]) -> None:
        """One delete for them all."""
        if event_ids:
            self._c.delete_many({"_id": {"$in": [f"{group}:{e}" for e in event_ids]}})
