"""MongoDB: trainings and the catalogue search, each filter combination on a named index."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from adapters.mongo_compat import indexed, narrowed, narrowed_on, on_index
from adapters.mongo_pending import push_pending, with_pending
from core.model import (
    Picture,
    Training,
    TrainingStatus,
    Venue,
)
from core.ports import TrainingQuery
from core.text import fold, words
from events.envelope import Event

TRAINING_INDEXES: dict[str, list[tuple[str, int]]] = {
    "catalogue_date": [("status", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)],
    # Prices compare within a currency: the price sorts group by it (see _ORDERS).
    "catalogue_currency_price": [("status", ASCENDING), ("currency", ASCENDING), ("price", ASCENDING),
                                 ("_id", ASCENDING)],
    "catalogue_rating": [
        ("status", ASCENDING), ("rating_average", DESCENDING), ("rating_count", DESCENDING), ("_id", ASCENDING),
    ],
    "catalogue_words": [("status", ASCENDING), ("search.words", ASCENDING), ("starts_at", ASCENDING)],
    "catalogue_specialty": [("status", ASCENDING), ("search.specialty", ASCENDING), ("starts_at", ASCENDING)],
    "catalogue_technique": [("status", ASCENDING), ("search.technique", ASCENDING), ("starts_at", ASCENDING)],
    "catalogue_place": [
        ("status", ASCENDING), ("search.country", ASCENDING), ("search.city", ASCENDING), ("starts_at", ASCENDING),
    ],
    "catalogue_city": [("status", ASCENDING), ("search.city", ASCENDING), ("starts_at", ASCENDING)],
    "catalogue_language": [("status", ASCENDING), ("languages", ASCENDING), ("starts_at", ASCENDING)],
    "catalogue_sponsor": [("status", ASCENDING), ("sponsor_ids", ASCENDING), ("starts_at", ASCENDING)],
    "catalogue_free": [("status", ASCENDING), ("seats_left", ASCENDING), ("starts_at", ASCENDING)],
    "expert_trainings": [("expert_id", ASCENDING), ("created_at", DESCENDING)],
    "training_series": [("series_id", ASCENDING)],
}  # fmt: skip
# Indexes an earlier version made, dropped at start-up: catalogue_price sorted by price across currencies.
RETIRED_TRAINING_INDEXES = ("catalogue_price",)

# The sorts; _id is appended to each, so pages never overlap nor skip a training between requests.
_ORDERS: dict[str, list[tuple[str, int]]] = {
    "date": [("starts_at", ASCENDING)],
    "-date": [("starts_at", DESCENDING)],
    # Grouped by currency, then by price: like is compared with like (one group when filtered by currency).
    "price": [("currency", ASCENDING), ("price", ASCENDING)],
    "-price": [("currency", ASCENDING), ("price", DESCENDING)],
    # Best rated first; among equals, the more reviewed; unrated trainings last.
    "rating": [("rating_average", DESCENDING), ("rating_count", DESCENDING)],
}
# The index of a sort, when no filter names a more selective one.
_SORT_INDEXES = {
    "price": "catalogue_currency_price",
    "-price": "catalogue_currency_price",
    "rating": "catalogue_rating",
}

_TRAINING_FIELDS = {f.name for f in dataclasses.fields(Training)}


class MongoTrainings:
    """Trainings, changed under optimistic concurrency (``version``), searchable."""

    def __init__(self, db: Database) -> None:
        self._c = db.trainings

    def add(self, training: Training, announcing: Event | None = None) -> None:
        """Store a new training, with the event announcing it."""
        doc = with_pending(_training_doc(training), announcing)
        if training.capacity is not None:
            doc["seats_left"] = training.capacity
        self._c.insert_one(doc)

    def get(self, training_id: str) -> Training | None:
        """The training with this id."""
        return _training(self._c.find_one({"_id": training_id}))

    def replace(self, training: Training, expected_version: int, announcing: Event | None = None) -> bool:
        """Store the training's fields if the stored version is ``expected_version``, with the event announcing it."""
        # $set of the expert's fields only: seats_left belongs to the capacity worker, the
        # rating to the reviews.
        doc = _training_doc(training)
        for projected in ("_id", "rating_average", "rating_count", "seats_left"):
            doc.pop(projected)
        update = push_pending({"$set": doc}, announcing)
        result = self._c.update_one({"_id": training.id, "version": expected_version}, update)
        return result.modified_count == 1

    def by_expert(self, expert_id: str, limit: int, offset: int) -> tuple[list[Training], int]:
        """An expert's trainings, newest first."""
        query = {"expert_id": expert_id}
        total = self._c.count_documents(query, **narrowed_on("expert_trainings"))
        docs = narrowed(self._c.find(query).sort([("created_at", DESCENDING)]), "expert_trainings").skip(offset)
        return [t for t in map(_training, docs.limit(limit)) if t is not None], total

    def set_sponsor(self, training_id: str, sponsor_id: str, shown: bool) -> None:
        """Add or remove a sponsor of the training (searchable)."""
        change = "$addToSet" if shown else "$pull"
        self._c.update_one({"_id": training_id}, {change: {"sponsor_ids": sponsor_id}})

    def set_expert_verified(self, expert_id: str, verified: bool) -> int:
        """One bulk update on the expert's index."""
        result = self._c.update_many(
            {"expert_id": expert_id, "expert_verified": {"$ne": verified}}, {"$set": {"expert_verified": verified}}
        )
        return result.modified_count

    def ended_before(self, cutoff: datetime, limit: int) -> list[Training]:
        """Published trainings whose end is past ``cutoff`` (they started before it, so the index serves)."""
        docs = self._c.find({"status": str(TrainingStatus.PUBLISHED), "starts_at": {"$lt": cutoff}})
        ended = [d for d in narrowed(docs.sort("starts_at", ASCENDING), "catalogue_date").limit(limit * 4)
                 if d.get("ends_at") and d["ends_at"] < cutoff]  # fmt: skip
        return [t for t in map(_training, ended[:limit]) if t is not None]

    def due_for_reminder(self, start: datetime, end: datetime, limit: int) -> list[Training]:
        """Published trainings starting in ``[start, end)`` whose trainees were not reminded of that start."""
        docs = self._c.find({"status": str(TrainingStatus.PUBLISHED), "starts_at": {"$gte": start, "$lt": end}})
        due = [d for d in narrowed(docs.sort("starts_at", ASCENDING), "catalogue_date").limit(limit * 4)
               if d.get("reminded_for") != d.get("starts_at")]  # fmt: skip
        return [t for t in map(_training, due[:limit]) if t is not None]

    def mark_reminded(self, training_id: str, starts_at: datetime) -> None:
        """The trainees were reminded of the training starting at ``starts_at`` (a new date asks again)."""
        self._c.update_one({"_id": training_id}, {"$set": {"reminded_for": starts_at}})

    def set_seats_left(self, training_id: str, seats_left: int) -> None:
        """Refresh the searchable free-seat count."""
        self._c.update_one({"_id": training_id}, {"$set": {"seats_left": max(0, seats_left)}})

    def search(self, query: TrainingQuery) -> tuple[list[Training], int]:
        """Published trainings matching the query, one page, and the total."""
        mongo_query, index, order = _search_plan(query)
        total = self._c.count_documents(mongo_query, **on_index(index))
        docs = indexed(self._c.find(mongo_query).sort(order), index).skip(query.offset).limit(query.limit)
        return [t for t in map(_training, docs) if t is not None], total

    def explain_search(self, query: TrainingQuery) -> dict[str, Any]:
        """The server's plan for a search, sorted as it is (tests check that an index serves it)."""
        mongo_query, index, order = _search_plan(query)
        return dict(indexed(self._c.find(mongo_query).sort(order), index).explain())


def _search_plan(query: TrainingQuery) -> tuple[dict[str, Any], str, list[tuple[str, int]]]:
    """A search's filter, the index it runs on, and its sort (the id last, as the tie-breaker)."""
    mongo_query, index = _search_query(query)
    if index == "catalogue_date":
        index = _SORT_INDEXES.get(query.sort, index)
    return mongo_query, index, [*_ORDERS[query.sort], ("_id", ASCENDING)]


def _search_query(query: TrainingQuery) -> tuple[dict[str, Any], str]:
    """The MongoDB filter for a search, and the index that serves it best."""
    q: dict[str, Any] = {"status": str(TrainingStatus.PUBLISHED)}
    index = "catalogue_date"
    # From the least to the most selective: the last index chosen wins.
    if query.free_seats_only:
        q["seats_left"] = {"$gt": 0}
        index = "catalogue_free"
    if query.language:
        q["languages"] = query.language
        index = "catalogue_language"
    if query.city:
        q["search.city"] = fold(query.city)
        index = "catalogue_city"
    if query.country:
        q["search.country"] = query.country.upper()
        index = "catalogue_place"
    if query.technique:
        q["search.technique"] = fold(query.technique)
        index = "catalogue_technique"
    if query.specialty:
        q["search.specialty"] = fold(query.specialty)
        index = "catalogue_specialty"
    if query.sponsor_id:
        q["sponsor_ids"] = query.sponsor_id
        index = "catalogue_sponsor"
    if query.text_words:
        q["search.words"] = {"$all": list(query.text_words)}
        index = "catalogue_words"
    dates: dict[str, Any] = {}
    if query.date_from:
        dates["$gte"] = query.date_from
    if query.date_to:
        dates["$lte"] = query.date_to
    if dates:
        q["starts_at"] = dates
    prices: dict[str, Any] = {}
    if query.price_min is not None:
        prices["$gte"] = query.price_min
    if query.price_max is not None:
        prices["$lte"] = query.price_max
    if prices:
        q["price"] = prices
    if query.currency:
        q["currency"] = query.currency
    if query.verified_only:
        q["expert_verified"] = True
    if query.min_rating is not None:
        q["rating_average"] = {"$gte": query.min_rating}
    return q, index


def _training_doc(training: Training) -> dict[str, Any]:
    doc = dataclasses.asdict(training)
    doc["_id"] = doc.pop("id")
    doc["status"] = str(training.status)
    doc["series_id"] = training.series_id or training.id  # trainings stored before series existed
    # Folded copies for case- and accent-insensitive search, kept beside the originals.
    doc["search"] = {
        "words": words(training.title, training.technique, training.specialty, training.description),
        "specialty": fold(training.specialty or ""),
        "technique": fold(training.technique or ""),
        "city": fold(training.venue.city or ""),
        "country": (training.venue.country or "").upper(),
    }
    return doc


def _training(doc: dict[str, Any] | None) -> Training | None:
    if doc is None:
        return None
    doc["id"] = doc.pop("_id")
    doc["status"] = TrainingStatus(doc["status"])
    doc["venue"] = Venue(**(doc.get("venue") or {}))
    doc["photos"] = [p for p in map(Picture.from_doc, doc.get("photos") or []) if p is not None]
    return Training(**{k: v for k, v in doc.items() if k in _TRAINING_FIELDS})


def create_catalogue_indexes(db: Database) -> None:
    """The catalogue's indexes, by name (the search hints them)."""
    for name, keys in TRAINING_INDEXES.items():
        db.trainings.create_index(keys, name=name)
    existing = {index["name"] for index in db.trainings.list_indexes()}
    for name in set(RETIRED_TRAINING_INDEXES) & existing:
        db.trainings.drop_index(name)
