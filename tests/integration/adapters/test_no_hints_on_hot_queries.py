"""The queries a storm repeats send no index hint: on SecantusDB a hint walks the whole index
(3 s for 30 bookings among 30,000; bench/RESULTS.md run 7), while its planner finds these
filters' candidates through the index by itself (adapters/mongo_compat.narrowed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database
from pymongo.write_concern import WriteConcern

from adapters.mongo import MongoUsers
from adapters.mongo_bookings import MongoBookings
from adapters.mongo_deferred import MongoDeferredEvents
from adapters.mongo_ledger import MongoLedger
from adapters.mongo_notifications import MongoInbox, MongoOutbox
from adapters.mongo_pending import MongoPendingEvents
from core.model import DECIDED_STATUSES, Role


class _Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.sent.append({"name": event.command_name, **dict(event.command)})

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def watched(database: Database, mongo_url: str) -> Iterator[tuple[Database, _Commands]]:
    commands = _Commands()
    client: MongoClient[Any] = MongoClient(mongo_url, tz_aware=True, event_listeners=[commands])
    yield client.get_database(database.name, write_concern=WriteConcern(w="majority", j=True)), commands
    client.close()


def test_the_storms_queries_name_no_index_hint(watched: tuple[Database, _Commands]) -> None:
    db, commands = watched
    now = datetime.now(UTC)
    bookings = MongoBookings(db)
    bookings.decided_among("tr-1", ["ann", "bob"], DECIDED_STATUSES)  # the capacity worker, each batch
    bookings.due_for_expiry(now, 50)  # its sweep
    bookings.live_on_training("tr-1")
    bookings.pending_approval_for(["tr-1"])
    MongoLedger(db).refunds_of("pi_1")  # the payments worker, each payment
    MongoLedger(db).entries(now - timedelta(days=30), now)
    MongoOutbox(db).claim_due(now, now + timedelta(minutes=1))  # each e-mail sent
    MongoInbox(db).for_user("ann", 20)  # the inbox page
    MongoDeferredEvents(db).due("notifications", 20)  # each drain of what was set aside
    MongoPendingEvents(db).due(now, 100)  # the outbox relay, every few seconds
    MongoUsers(db).with_role(Role.EXPERT)
    reads = [c for c in commands.sent if c["name"] in ("find", "count", "aggregate", "update", "delete")]
    assert len(reads) >= 9, [c["name"] for c in commands.sent]
    hinted = [c for c in reads if "hint" in c or any("hint" in u for u in c.get("updates", []))]
    assert hinted == []
