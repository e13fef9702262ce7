"""What SecantusDB needs to be fast, kept in one place; every MongoDB adapter goes through it.

The adapters are written for MongoDB. SecantusDB, the embedded MongoDB-protocol server of the
tests and of the local stack, answers the same commands, but three of them cost it far more
(bench/RESULTS.md, run 3):

- find-and-modify (``find_one_and_update`` and friends) scans the whole collection, whatever
  the filter, even ``_id`` alone: about 50 ms where a point update takes 4;
- ``$expr`` in a filter scans it too;
- its planner uses an index by itself only for a few filter shapes, so each query names its
  index (a hint). MongoDB's planner would choose the same one: there the hint only pins it.

So each helper below does what the direct MongoDB form does, in the shape SecantusDB serves
well, and says which form it stands for. On MongoDB every one of them is correct as it is;
a deployment on MongoDB alone could turn them back into the direct forms here, and nowhere
else. Find-and-modify stays where it is rare and its atomic read-back is the point (the
ratings' revision counter in ``mongo_records``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.collection import Collection
from pymongo.cursor import Cursor

# An index as a query names it: its name, or its keys.
Index = str | Sequence[tuple[str, int]]


def indexed(cursor: Cursor[Any], index: Index) -> Cursor[Any]:
    """The cursor on ``index`` (a hint): what MongoDB's planner would pick, SecantusDB's might not."""
    return cursor.hint(index)


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
    for doc in indexed(collection.find(query).sort(sort), index).limit(candidates):
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
