"""Writes several adapters share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import InsertOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

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
