"""What SecantusDB needs to be fast, kept in one place; every MongoDB adapter goes through it.

The adapters are written for MongoDB. SecantusDB, the embedded MongoDB-protocol server of the
tests and of the local stack, answers the same commands, but three of them cost it far more
(bench/RESULTS.md, run 3):

- find-and-modify (``find_one_and_update`` and friends) scans the whole collection, whatever
  the filter, even ``_id`` alone: about 50 ms where a point update takes 4;
- ``$expr`` in a filter scans it too;
- its planner uses an index by itself only for a few filter shapes, so such a query names its
  index (a hint, ``indexed``). MongoDB's planner would choose the same one: there the hint only
  pins it. But a hint makes SecantusDB walk the whole index, whatever the filter: a query for
  30 bookings hinted took 3 s among 30,000 bookings, 4 ms unhinted; claiming the next e-mail
  162 ms among 5,000 against 13 ms; a PaymentIntent's ledger entries 145 ms against 1
  (bench/RESULTS.md, run 7). Where a query's filter starts with the index's leading fields
  (equalities, then one range), its planner finds the candidates through the index by itself,
  so those queries go through ``narrowed`` instead, which names the index and sends no hint.

A fourth is not a cost but a wait: a change stream's empty ``getMore`` returns at once instead
of waiting ``maxAwaitTimeMS`` for a change, so a watcher that loops on ``try_next`` spins on
the server (25 commands per booking request in a storm, bench/RESULTS.md run 6). ``next_change``
paces it (four asks a second per idle stream).

So each helper below does what the direct MongoDB form does, in the shape SecantusDB serves
well, and says which form it stands for. On MongoDB every one of them is correct as it is;
a deployment on MongoDB alone could turn them back into the direct forms here, and nowhere
else. Find-and-modify stays where it is rare and its atomic read-back is the point (the
ratings' revision counter in ``mongo_records``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.change_stream import ChangeStream
from pymongo.collection import Collection
from pymongo.cursor import Cursor

# An index as a query names it: its name, or its keys.
Index = str | Sequence[tuple[str, int]]


def indexed(cursor: Cursor[Any], index: Index) -> Cursor[Any]:
    """The cursor on ``index`` (a hint): what MongoDB's planner would pick, SecantusDB's might not."""
    return cursor.hint(index)


def narrowed(cursor: Cursor[Any], index: Index) -> Cursor[Any]:
    """The cursor as it is: its filter leads with ``index``'s fields (equalities, then a range), so
    either planner finds it through that index unaided, and a hint would make SecantusDB walk all of it."""
    del index  # named for the reader (and for ``create_*_indexes``): the planner needs no hint
    return cursor


def narrowed_on(index: Index) -> dict[str, Any]:
    """``narrowed`` for ``count_documents``, ``find_one`` or ``update_many``: no keyword arguments."""
    del index
    return {}


def on_index(index: Index) -> dict[str, Any]:
    """The keyword arguments that name ``index`` to ``count_documents``, ``find_one`` or ``update_many``."""
    return {"hint": index}


def claim_first(
    collection: Collection[Any],
    query: Mapping[str, Any],
    sort: list[tuple[str, int]],
    index: Index,
    update: Mapping[str, Any],
    guard: Sequence[str],
    candidates: int = 5,
) -> dict[str, Any] | None:
    """The first document of ``query`` in ``sort`` order, changed by ``update`` before anyone else; None if none.

    Stands for ``find_one_and_update(query, update, sort=sort)``: read a few candidates
    through the index, then update each under a condition that repeats its ``guard`` fields
    as read, so a caller that lost the race to one tries the next. The document as read.
    """
    for doc in narrowed(collection.find(query).sort(sort), index).limit(candidates):
        unchanged = {"_id": doc["_id"], **{name: doc[name] for name in guard}}
        if collection.update_one(unchanged, update).modified_count == 1:
            claimed: dict[str, Any] = doc
            return claimed
    return None


def increment(collection: Collection[Any], doc_id: str, field: str, on_insert: Mapping[str, Any]) -> int:
    """Add one to ``field`` of document ``doc_id`` (created with ``on_insert``); the count read after.

    Stands for ``find_one_and_update(..., {"$inc": ...}, upsert=True)`` (the document after):
    one atomic increment, then a point read. A racing increment may land in between; the
    count read then includes it, which only errs on the strict side.
    """
    collection.update_one({"_id": doc_id}, {"$inc": {field: 1}, "$setOnInsert": dict(on_insert)}, upsert=True)
    doc = collection.find_one({"_id": doc_id}, {field: 1})
    return int(doc[field]) if doc else 1


CHANGE_STREAM_IDLE_S = 0.25  # an idle watcher asks the server for changes four times a second


def next_change(stream: ChangeStream[Any], stop: threading.Event) -> dict[str, Any] | None:
    """The stream's next change, or None after about ``CHANGE_STREAM_IDLE_S`` without one.

    Stands for ``stream.try_next()`` on a stream opened with ``max_await_time_ms``: MongoDB
    holds the empty ``getMore`` that long, SecantusDB answers it at once; the rest of the
    interval is waited here (on MongoDB there is nothing left to wait).
    """
    started = time.monotonic()
    change: dict[str, Any] | None = stream.try_next()
    if change is None:
        stop.wait(max(0.0, CHANGE_STREAM_IDLE_S - (time.monotonic() - started)))
    return change
