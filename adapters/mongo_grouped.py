"""Group commit, and its twin for point reads: concurrent callers' small operations sent together.

The API's booking request makes a few small round trips of its own (the rate-limit counter, the
booking's insert, the one-booking check, the decided booking read back). Sent one at a time by
48 request threads, each queues at the database behind the others (bench/RESULTS.md, run 7).
Here a caller that finds no round under way sends everything queued so far as one command and
hands each caller its own outcome; callers arriving meanwhile queue for the next round. A lone
caller waits for nothing but its own command; under load a round holds every request that came
during the previous one. Each caller returns only once its own operation is done (a write
acknowledged with the collection's write concern), so nothing is acknowledged earlier than
before, and a round that fails fails each of its callers.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from adapters.mongo_compat import indexed

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


class Rounds(Generic[Item, Outcome]):
    """Callers' items, sent in rounds by ``send`` (one outcome per item, in order)."""

    def __init__(self, send: Callable[[list[Item]], list[Outcome]], max_batch: int = 500) -> None:
        self._send = send
        self._max_batch = max_batch
        self._lock = threading.Condition()
        self._queue: list[_Queued[Item, Outcome]] = []
        self._sending = False

    def __call__(self, item: Item) -> Outcome:
        """The item's outcome, once its round is done; what the round raised, if it failed."""
        mine: _Queued[Item, Outcome] = _Queued(item)
        with self._lock:
            self._queue.append(mine)
            while not mine.done and self._sending:
                self._lock.wait()
            if mine.done:
                return mine.result()
            self._sending = True  # this caller sends the round, its own item included
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
        try:
            for queued, outcome in zip(batch, self._send([q.item for q in batch]), strict=True):
                queued.outcome = outcome
        except BaseException as exc:  # noqa: BLE001 - every caller of the round gets the failure
            for queued in batch:
                queued.failure = exc
        finally:
            with self._lock:
                for queued in batch:
                    queued.done = True
                self._sending = False
                self._lock.notify_all()
        return mine.result()


@dataclass
class _Queued(Generic[Item, Outcome]):
    item: Item
    done: bool = False
    outcome: Outcome | None = None
    failure: BaseException | None = None

    def result(self) -> Outcome:
        if self.failure is not None:
            raise self.failure
        return self.outcome  # type: ignore[return-value]


class GroupedWrites:
    """Single writes (``InsertOne``, ``UpdateOne``...) sent as one unordered bulk write a round."""

    def __init__(self, collection: Collection[Any], max_batch: int = 500) -> None:
        self._c = collection
        self._rounds: Rounds[Any, dict[str, Any] | None] = Rounds(self._flush, max_batch)

    def write(self, op: Any) -> dict[str, Any] | None:
        """Apply one write; its write error (a duplicate key, say), or None if it was applied."""
        return self._rounds(op)

    def _flush(self, ops: list[Any]) -> list[dict[str, Any] | None]:
        try:
            self._c.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:
            if exc.details.get("writeConcernErrors"):
                raise
            errors = {e["index"]: e for e in exc.details.get("writeErrors", [])}
            return [errors.get(i) for i in range(len(ops))]
        return [None] * len(ops)


class GroupedGets:
    """Point reads by ``_id`` sent as one ``$in`` read a round."""

    def __init__(self, collection: Collection[Any], max_batch: int = 500) -> None:
        self._c = collection
        self._rounds: Rounds[Any, dict[str, Any] | None] = Rounds(self._flush, max_batch)

    def get(self, key: Any) -> dict[str, Any] | None:
        """The document with this ``_id``, or None."""
        return self._rounds(key)

    def _flush(self, keys: list[Any]) -> list[dict[str, Any] | None]:
        found = {d["_id"]: d for d in self._c.find({"_id": {"$in": list(dict.fromkeys(keys))}})}
        return _each_its_own([found.get(k) for k in keys])


class GroupedLookups:
    """``find_one(query)`` calls that differ only in one field's value, sent as one ``$in`` read per
    shared rest of the query a round (the one-booking check: trainee, for a training, in statuses)."""

    def __init__(self, collection: Collection[Any], field: str, hint: Any, max_batch: int = 500) -> None:
        self._c = collection
        self._field = field
        self._hint = hint
        self._rounds: Rounds[tuple[Any, dict[str, Any]], dict[str, Any] | None] = Rounds(self._flush, max_batch)

    def find_one(self, value: Hashable, rest: dict[str, Any]) -> dict[str, Any] | None:
        """A document with ``field == value`` matching ``rest`` (values of ``rest`` must be hashable
        or lists), or None."""
        return self._rounds((value, rest))

    def _flush(self, items: list[tuple[Any, dict[str, Any]]]) -> list[dict[str, Any] | None]:
        groups: dict[str, tuple[dict[str, Any], set[Any]]] = {}
        for value, rest in items:
            groups.setdefault(repr(sorted(rest.items())), (rest, set()))[1].add(value)
        found: dict[tuple[str, Any], dict[str, Any]] = {}
        for shape, (rest, values) in groups.items():
            query = {**rest, self._field: {"$in": sorted(values)}}
            for doc in indexed(self._c.find(query), self._hint):
                found.setdefault((shape, doc[self._field]), doc)
        return _each_its_own([found.get((repr(sorted(rest.items())), value)) for value, rest in items])


def _each_its_own(docs: list[dict[str, Any] | None]) -> list[dict[str, Any] | None]:
    """Two callers of one round may ask for the same document: each gets a copy of its own."""
    seen: set[int] = set()
    out = []
    for doc in docs:
        if doc is not None and id(doc) in seen:
            doc = copy.deepcopy(doc)
        elif doc is not None:
            seen.add(id(doc))
        out.append(doc)
    return out
