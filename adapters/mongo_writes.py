"""Writes several adapters share."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymongo import InsertOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, WriteError

DUPLICATE_KEY = 11000


def insert_new(collection: Collection[Any], docs: list[Mapping[str, Any]]) -> None:
    """One unordered bulk insert; a document whose ``_id`` is already there is left as it is."""
    if not docs:
        return
    try:
        collection.bulk_write([InsertOne(dict(d)) for d in docs], ordered=False)
    except BulkWriteError as exc:
        if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
            raise


class GroupedWrites:
    """Single writes from concurrent callers sent together: one bulk write per round (group commit).

    The API's booking request makes two small writes of its own (the rate-limit counter and the
    booking). Sent one at a time, each waits for its own journal commit, and a storm's requests
    queue one behind the other at the database. Here a caller that finds no write under way
    sends everything queued so far in one unordered bulk write and hands each caller its own
    outcome; callers arriving meanwhile queue for the next round. A lone caller waits for
    nothing but its own write; under load a round holds every request that came during the
    previous one. Each caller still returns only once its write is acknowledged with the
    collection's write concern, so nothing is acknowledged earlier than before.
    """

    def __init__(self, collection: Collection[Any], max_batch: int = 500) -> None:
        self._c = collection
        self._max_batch = max_batch
        self._lock = threading.Condition()
        self._queue: list[_Queued] = []
        self._writing = False

    def write(self, op: Any) -> dict[str, Any] | None:
        """Apply one write (``InsertOne``, ``UpdateOne``...); its write error, or None if it was applied.

        Raises what the bulk write raised if the round failed as a whole (the database is away).
        """
        mine = _Queued(op)
        with self._lock:
            self._queue.append(mine)
            while not mine.done and self._writing:
                self._lock.wait()
            if mine.done:
                return mine.outcome()
            self._writing = True  # this caller writes the round, its own write included
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
        try:
            errors = self._flush([q.op for q in batch])
            for i, queued in enumerate(batch):
                queued.error = errors.get(i)
        except BaseException as exc:  # noqa: BLE001 - every caller of the round gets the failure
            for queued in batch:
                queued.failure = exc
        finally:
            with self._lock:
                for queued in batch:
                    queued.done = True
                self._writing = False
                self._lock.notify_all()
        return mine.outcome()

    def applied(self, op: Any) -> bool:
        """``write`` for a write a unique key may refuse: True if applied, False if it collided with a
        document already there; any other write error is raised."""
        error = self.write(op)
        if error is not None and error.get("code") != DUPLICATE_KEY:
            raise WriteError(error.get("errmsg", "write refused"), error.get("code"), error)
        return error is None

    def _flush(self, ops: list[Any]) -> dict[int, dict[str, Any]]:
        try:
            self._c.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:
            if exc.details.get("writeConcernErrors"):
                raise
            return {e["index"]: e for e in exc.details.get("writeErrors", [])}
        return {}


@dataclass
class _Queued:
    op: Any
    done: bool = False
    error: dict[str, Any] | None = None
    failure: BaseException | None = None

    def outcome(self) -> dict[str, Any] | None:
        if self.failure is not None:
            raise self.failure
        return self.error
