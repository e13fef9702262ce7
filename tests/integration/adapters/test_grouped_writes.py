"""Group commit (adapters/mongo_writes.GroupedWrites) on the real database: concurrent callers'
writes go out together, and each caller gets its own outcome, no earlier than its write is
acknowledged: the rate limit still refuses exactly past its count, a booking inserted twice is
found as stored."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import InsertOne
from pymongo.database import Database
from pymongo.errors import AutoReconnect

from adapters.mongo import MongoRateLimits
from adapters.mongo_writes import DUPLICATE_KEY, GroupedWrites


class _Counting:
    """A collection that counts the bulk writes it is asked for, and holds each one a moment."""

    def __init__(self, collection: Any) -> None:
        self._c = collection
        self.bulks: list[int] = []
        self._lock = threading.Lock()

    def bulk_write(self, ops: list[Any], ordered: bool) -> Any:
        with self._lock:
            self.bulks.append(len(ops))
        threading.Event().wait(0.02)  # a write in flight while the others queue behind it
        return self._c.bulk_write(ops, ordered=ordered)


def test_concurrent_inserts_share_rounds_and_each_caller_gets_its_own_outcome(database: Database) -> None:
    counted = _Counting(database.grouped)
    grouped = GroupedWrites(counted)  # type: ignore[arg-type]
    database.grouped.insert_one({"_id": "taken"})
    ids = [f"doc-{i}" for i in range(60)] + ["taken"] * 4
    with ThreadPoolExecutor(32) as pool:
        outcomes = list(pool.map(lambda i: grouped.write(InsertOne({"_id": i})), ids))
    for index, name in enumerate(ids):
        error = outcomes[index]
        assert (error is not None and error["code"] == DUPLICATE_KEY) == (name == "taken"), (name, error)
    assert database.grouped.count_documents({}) == 61
    assert sum(counted.bulks) == len(ids)
    assert len(counted.bulks) < len(ids) / 4, counted.bulks  # rounds, not one write per caller


def test_a_failed_round_fails_each_of_its_callers_and_the_next_round_writes(database: Database) -> None:
    class Failing:
        def __init__(self) -> None:
            self.fail = True

        def bulk_write(self, ops: list[Any], ordered: bool) -> Any:
            if self.fail:
                raise AutoReconnect("the database went away")
            return database.grouped.bulk_write(ops, ordered=ordered)

    failing = Failing()
    grouped = GroupedWrites(failing)  # type: ignore[arg-type]
    with pytest.raises(AutoReconnect):
        grouped.write(InsertOne({"_id": "lost"}))
    failing.fail = False
    assert grouped.write(InsertOne({"_id": "kept"})) is None
    assert [d["_id"] for d in database.grouped.find()] == ["kept"]


def test_a_rate_limit_under_concurrent_requests_lets_exactly_its_count_through(database: Database) -> None:
    limits = MongoRateLimits(database)
    start = datetime.now(UTC).replace(microsecond=0)
    with ThreadPoolExecutor(24) as pool:
        taken = list(pool.map(lambda _: limits.take("booking:t1", start, start + timedelta(minutes=1), 10), range(40)))
    assert taken.count(True) == 10
    assert limits.count("booking:t1", start) == 10
    assert limits.take("booking:t2", start, start + timedelta(minutes=1), 10)  # another key is its own
