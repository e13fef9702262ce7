"""Contract of the catalogue in memory: loaded from the real database and fed by its change
stream, it answers every search as ``MongoTrainings.search`` (the reference) does."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from adapters.catalogue_view import LiveCatalogue
from adapters.mongo_catalogue import MongoTrainings
from core.model import Training, TrainingStatus, Venue
from core.ports import TrainingQuery
from tests.support import wait_for

NOW = datetime.now(UTC).replace(microsecond=0)
CITIES = [("Paris", "FR"), ("Lyon", "FR"), ("Berlin", "DE"), ("Zürich", "CH")]
WORDS = ["valve", "live", "robotic", "simulation"]


def _training(rng: random.Random) -> Training:
    city, country = rng.choice(CITIES)
    starts = NOW + timedelta(days=rng.choice([-3, 2, 2, 9, 30]), hours=rng.choice([0, 4]))
    return Training(
        id=str(uuid.uuid4()), expert_id=rng.choice(["ann", "bob"]), title=" ".join(rng.sample(WORDS, 2)),
        status=rng.choice([TrainingStatus.PUBLISHED] * 4 + [TrainingStatus.DRAFT]), created_at=NOW, updated_at=NOW,
        specialty=rng.choice(["Cardiology", "Urology"]), technique=rng.choice(["TAVI", "DMEK"]),
        description=f"A {rng.choice(WORDS)} day.", languages=rng.sample(["en", "fr", "de"], rng.randint(1, 2)),
        venue=Venue(city=city, country=country), starts_at=starts, ends_at=starts + timedelta(hours=8),
        capacity=rng.choice([2, 5]), price=rng.choice([0, 10000, 25000, 25000]), currency=rng.choice(["eur", "gbp"]),
        expert_verified=rng.random() < 0.7,
    )  # fmt: skip


def _query(rng: random.Random) -> TrainingQuery:
    def sometimes(*values: Any) -> Any:
        return rng.choice(values) if rng.random() < 0.25 else None

    currency = sometimes("eur", "gbp")
    return TrainingQuery(
        text_words=tuple(rng.sample(WORDS, rng.randint(1, 2))) if rng.random() < 0.25 else (),
        specialty=sometimes("cardiology", "UROLOGY"), technique=sometimes("tavi"), city=sometimes("paris", "ZURICH"),
        country=sometimes("fr", "DE"), language=sometimes("en", "de"), sponsor_id=sometimes("s1"),
        date_from=rng.choice([NOW, NOW, NOW + timedelta(days=5), None]), date_to=sometimes(NOW + timedelta(days=10)),
        price_min=sometimes(10000) if currency else None, price_max=sometimes(25000) if currency else None,
        currency=currency, free_seats_only=rng.random() < 0.2, verified_only=rng.random() < 0.2,
        min_rating=sometimes(3.0, 4.5), sort=rng.choice(["date", "-date", "price", "-price", "rating"]),
        limit=rng.choice([3, 20]), offset=rng.choice([0, 0, 3]),
    )  # fmt: skip


@pytest.fixture
def catalogue(database: Database) -> Iterator[tuple[MongoTrainings, LiveCatalogue, random.Random]]:
    """A stored catalogue of random trainings (seats, sponsors, ratings set as their writers do), and its view."""
    rng = random.Random(19)
    trainings = MongoTrainings(database)
    for _ in range(80):
        t = _training(rng)
        trainings.add(t)
        if rng.random() < 0.3:
            trainings.set_seats_left(t.id, 0)
        if rng.random() < 0.2:
            trainings.set_sponsor(t.id, "s1", True)
        if rng.random() < 0.5:
            rating = {"rating_average": rng.choice([3.0, 4.5, 5.0]), "rating_count": rng.choice([1, 4])}
            database.trainings.update_one({"_id": t.id}, {"$set": rating})
    view = LiveCatalogue(database)
    yield trainings, view, rng
    view.close()


def _same(trainings: MongoTrainings, view: LiveCatalogue, query: TrainingQuery) -> bool:
    found = view.matching(query)
    assert found is not None
    page, total = trainings.search(query)
    return ([t.id for t in found.page(query.offset, query.limit)], found.total) == ([t.id for t in page], total)


def test_loaded_from_the_database_it_answers_every_search_as_the_database(
    catalogue: tuple[MongoTrainings, LiveCatalogue, random.Random],
) -> None:
    trainings, view, rng = catalogue
    for _ in range(100):
        query = _query(rng)
        assert _same(trainings, view, query), query
    # The default date_from is now, to the microsecond; the database compares to the millisecond.
    within_a_millisecond = NOW + timedelta(days=2, microseconds=500)
    assert _same(trainings, view, TrainingQuery(date_from=within_a_millisecond, limit=100))


def test_every_writer_reaches_it_through_the_stream(
    database: Database, catalogue: tuple[MongoTrainings, LiveCatalogue, random.Random]
) -> None:
    trainings, view, rng = catalogue
    assert view.matching(TrainingQuery()) is not None  # loaded, following
    stored = [t for t in database.trainings.find({"status": "published"}, {"_id": 1})]
    ids = [d["_id"] for d in stored]
    # As the capacity worker, the reviews, the sponsors, the badge, an edit and a cancellation write them.
    trainings.set_seats_left(ids[0], 0)
    trainings.set_seats_left(ids[1], 3)
    database.trainings.update_many({"_id": {"$in": ids[2:5]}}, {"$set": {"rating_average": 2.0, "rating_count": 9}})
    trainings.set_sponsor(ids[5], "s1", True)
    trainings.set_expert_verified("bob", False)
    edited = trainings.get(ids[6])
    assert edited is not None
    edited.title, edited.price, edited.version = "Robotic simulation, renamed", 99000, edited.version + 1
    assert trainings.replace(edited, expected_version=edited.version - 1)
    database.trainings.update_one({"_id": ids[7]}, {"$set": {"status": "cancelled"}})
    database.trainings.delete_one({"_id": ids[8]})
    trainings.add(_training(rng))
    queries = [TrainingQuery(free_seats_only=True), TrainingQuery(sort="rating"), TrainingQuery(sponsor_id="s1"),
               TrainingQuery(verified_only=True), TrainingQuery(text_words=("renamed",)), TrainingQuery(limit=100),
               *(_query(rng) for _ in range(30))]  # fmt: skip
    # Another process's writes: applied as they arrive.
    wait_for(lambda: all(_same(trainings, view, q) for q in queries), timeout=5, what="the view caught up")
    # This process's own writes: visible at the next search, once it says it wrote.
    trainings.set_seats_left(ids[9], 0)
    database.trainings.update_one({"_id": ids[10]}, {"$set": {"status": "completed"}})
    view.touched()
    assert all(_same(trainings, view, q) for q in queries)


def test_the_experts_shown_are_kept_fresh(database: Database) -> None:
    database.users.insert_many([{"_id": "ann", "email": "ann@x", "name": "Ann", "role": "expert",
                                 "password_hash": "-", "created_at": NOW},
                                {"_id": "tom", "email": "tom@x", "name": "Tom", "role": "trainee",
                                 "password_hash": "-", "created_at": NOW}])  # fmt: skip
    view = LiveCatalogue(database)
    try:
        assert view.matching(TrainingQuery()) is not None
        assert set(view.experts(["ann", "tom"])) == {"ann"}  # the others: from the users' store
        before = view.experts_version
        database.users.update_one({"_id": "ann"}, {"$set": {"title": "Professor", "verification": "verified"}})
        view.touched()
        view.matching(TrainingQuery())
        ann = view.experts(["ann"])["ann"]
        assert ann.title == "Professor" and ann.verified and view.experts_version != before
        database.users.delete_one({"_id": "ann"})
        wait_for(lambda: view.experts(["ann"]) == {}, timeout=5, what="the expert gone")
    finally:
        view.close()


def test_a_booking_request_takes_the_training_it_holds_unless_this_process_wrote_since(
    database: Database, catalogue: tuple[MongoTrainings, LiveCatalogue, random.Random]
) -> None:
    trainings, view, _ = catalogue
    assert view.matching(TrainingQuery()) is not None  # loaded, following
    published = [d["_id"] for d in database.trainings.find({"status": "published"}, {"_id": 1})]
    held = view.current(published[0])
    assert held is not None and held == trainings.get(published[0])
    assert view.current("no-such-training") is None
    database.trainings.update_one({"_id": published[1]}, {"$set": {"status": "cancelled"}})
    view.touched()  # this process cancelled it: the store answers until the view caught up
    assert view.current(published[0]) is None
    assert view.matching(TrainingQuery()) is not None  # a search catches up
    assert view.current(published[1]) is None and view.current(published[0]) is not None
    database.trainings.update_one({"_id": published[2]}, {"$set": {"status": "cancelled"}})
    view.touched()  # and without any search, it catches up by itself
    assert wait_for(lambda: view.current(published[0]) is not None, 5)
    assert view.current(published[2]) is None
