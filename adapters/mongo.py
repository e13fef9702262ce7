"""MongoDB implementations of the repositories, and the indexes every query needs."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import StrEnum
from typing import Any

from pymongo import ASCENDING, DESCENDING, MongoClient, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError
from pymongo.write_concern import WriteConcern

from core.errors import Conflict
from core.model import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    Role,
    SeatOutcome,
    Training,
    TrainingStatus,
    User,
    Venue,
    Verification,
    sources_of,
)
from core.ports import Notification, TrainingQuery
from core.text import fold, words


def connect(uri: str, database: str) -> Database:
    """A database handle whose writes wait for the journal: what we acknowledge is durable."""
    client: MongoClient = MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)
    return client.get_database(database, write_concern=WriteConcern(w="majority", j=True))


def ping(db: Database) -> bool:
    """Whether the server answers now."""
    try:
        db.client.admin.command("ping")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def create_indexes(db: Database) -> None:
    """Every index a query of ours needs; idempotent, run at every start-up."""
    db.users.create_index("email", unique=True)
    db.users.create_index([("role", ASCENDING), ("verification", ASCENDING), ("submitted_at", ASCENDING)])
    db.sessions.create_index("expires_at", expireAfterSeconds=0)
    db.sessions.create_index("user_id")
    for name, keys in TRAINING_INDEXES.items():
        db.trainings.create_index(keys, name=name)
    db.bookings.create_index([("trainee_id", ASCENDING), ("training_id", ASCENDING), ("status", ASCENDING)])
    db.bookings.create_index([("trainee_id", ASCENDING), ("requested_at", DESCENDING)])
    db.bookings.create_index("payment.intent_id")
    db.bookings.create_index([("status", ASCENDING), ("expires_at", ASCENDING)], name="bookings_expiry")
    db.bookings.create_index([("training_id", ASCENDING), ("status", ASCENDING)], name="bookings_training")
    db.inbox.create_index([("user_id", ASCENDING), ("created_at", DESCENDING)])


class MongoUsers:
    """Users, unique by e-mail."""

    def __init__(self, db: Database) -> None:
        self._c = db.users

    def add(self, user: User) -> None:
        """Store a new user; ``Conflict`` if the e-mail is taken."""
        doc = dataclasses.asdict(user)
        doc["_id"] = doc.pop("id")
        doc["role"] = str(user.role)
        try:
            self._c.insert_one(doc)
        except DuplicateKeyError as exc:
            raise Conflict("An account with this e-mail exists.", {"email": ["Already registered."]}) from exc

    def remove(self, user_id: str) -> None:
        """Delete a user."""
        self._c.delete_one({"_id": user_id})

    def get(self, user_id: str) -> User | None:
        """The user with this id."""
        return _user(self._c.find_one({"_id": user_id}))

    def by_email(self, email: str) -> User | None:
        """The user with this (lower-cased) e-mail."""
        return _user(self._c.find_one({"email": email.lower()}))

    def update(self, user_id: str, fields: dict[str, Any], expected: dict[str, Any] | None = None) -> bool:
        """Set fields, guarded by ``expected`` (a compare-and-set)."""
        values = {k: (str(v) if isinstance(v, StrEnum) else v) for k, v in fields.items()}
        guard = {k: (str(v) if isinstance(v, StrEnum) else v) for k, v in (expected or {}).items()}
        result = self._c.update_one({"_id": user_id, **guard}, {"$set": values})
        return result.matched_count == 1

    def many(self, user_ids: list[str]) -> dict[str, User]:
        """Users by id."""
        users = (_user(doc) for doc in self._c.find({"_id": {"$in": list(set(user_ids))}}))
        return {u.id: u for u in users if u is not None}

    def experts(self, verification: Verification | None, limit: int, offset: int) -> tuple[list[User], int]:
        """Experts by verification state, oldest submission first."""
        query: dict[str, Any] = {"role": str(Role.EXPERT)}
        if verification is not None:
            query["verification"] = str(verification)
        total = self._c.count_documents(query)
        docs = self._c.find(query).sort([("submitted_at", ASCENDING), ("_id", ASCENDING)]).skip(offset).limit(limit)
        return [u for u in map(_user, docs) if u is not None], total


_USER_FIELDS = {f.name for f in dataclasses.fields(User)}


def _user(doc: dict[str, Any] | None) -> User | None:
    if doc is None:
        return None
    doc["id"] = doc.pop("_id")
    doc["role"] = Role(doc["role"])
    doc["verification"] = Verification(doc.get("verification", Verification.UNVERIFIED))
    # Keep only what the model knows (the document also holds e.g. submitted_at).
    return User(**{k: v for k, v in doc.items() if k in _USER_FIELDS})


class MongoSessions:
    """Bearer tokens by hash; MongoDB's TTL index drops expired ones."""

    def __init__(self, db: Database) -> None:
        self._c = db.sessions

    def add(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        """Remember a token."""
        self._c.insert_one({"_id": token_hash, "user_id": user_id, "expires_at": expires_at})

    def user_id_for(self, token_hash: str, now: datetime) -> str | None:
        """The owner of a live token."""
        doc = self._c.find_one({"_id": token_hash, "expires_at": {"$gt": now}})
        return doc["user_id"] if doc else None

    def revoke(self, token_hash: str) -> None:
        """Forget one token."""
        self._c.delete_one({"_id": token_hash})

    def revoke_all(self, user_id: str) -> int:
        """Forget every token of the user."""
        return int(self._c.delete_many({"user_id": user_id}).deleted_count)


# Search indexes, by name; the search names the one that fits its filters (a hint), so
# every catalogue query is served by an index on any MongoDB-compatible server.
TRAINING_INDEXES: dict[str, list[tuple[str, int]]] = {
    "catalogue_date": [("status", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)],
    "catalogue_price": [("status", ASCENDING), ("price", ASCENDING), ("_id", ASCENDING)],
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
}  # fmt: skip

_TRAINING_FIELDS = {f.name for f in dataclasses.fields(Training)}


class MongoTrainings:
    """Trainings, changed under optimistic concurrency (``version``), searchable."""

    def __init__(self, db: Database) -> None:
        self._c = db.trainings

    def add(self, training: Training) -> None:
        """Store a new training."""
        doc = _training_doc(training)
        if training.capacity is not None:
            doc["seats_left"] = training.capacity
        self._c.insert_one(doc)

    def get(self, training_id: str) -> Training | None:
        """The training with this id."""
        return _training(self._c.find_one({"_id": training_id}))

    def replace(self, training: Training, expected_version: int) -> bool:
        """Store the training's fields if the stored version is ``expected_version``."""
        # $set, not a whole-document replace: seats_left belongs to the capacity worker.
        doc = _training_doc(training)
        doc.pop("_id")
        result = self._c.update_one({"_id": training.id, "version": expected_version}, {"$set": doc})
        return result.modified_count == 1

    def remove(self, training_id: str) -> None:
        """Delete a training."""
        self._c.delete_one({"_id": training_id})

    def by_expert(self, expert_id: str, limit: int, offset: int) -> tuple[list[Training], int]:
        """An expert's trainings, newest first."""
        query = {"expert_id": expert_id}
        total = self._c.count_documents(query, hint="expert_trainings")
        docs = self._c.find(query).sort([("created_at", DESCENDING)]).hint("expert_trainings").skip(offset)
        return [t for t in map(_training, docs.limit(limit)) if t is not None], total

    def set_sponsor(self, training_id: str, sponsor_id: str, shown: bool) -> None:
        """Add or remove a sponsor of the training (searchable)."""
        change = "$addToSet" if shown else "$pull"
        self._c.update_one({"_id": training_id}, {change: {"sponsor_ids": sponsor_id}})

    def set_seats_left(self, training_id: str, seats_left: int) -> None:
        """Refresh the searchable free-seat count."""
        self._c.update_one({"_id": training_id}, {"$set": {"seats_left": max(0, seats_left)}})

    def search(self, query: TrainingQuery) -> tuple[list[Training], int]:
        """Published trainings matching the query, one page, and the total."""
        mongo_query, index = _search_query(query)
        field, direction = {
            "date": ("starts_at", ASCENDING),
            "-date": ("starts_at", DESCENDING),
            "price": ("price", ASCENDING),
            "-price": ("price", DESCENDING),
        }[query.sort]
        if query.sort in ("price", "-price") and index == "catalogue_date":
            index = "catalogue_price"
        total = self._c.count_documents(mongo_query, hint=index)
        # _id breaks ties, so pages never overlap nor skip a training between requests.
        cursor = self._c.find(mongo_query).sort([(field, direction), ("_id", ASCENDING)]).hint(index)
        docs = cursor.skip(query.offset).limit(query.limit)
        return [t for t in map(_training, docs) if t is not None], total

    def explain_search(self, query: TrainingQuery) -> dict[str, Any]:
        """The server's plan for a search (tests check that an index serves it)."""
        mongo_query, index = _search_query(query)
        return dict(self._c.find(mongo_query).hint(index).explain())


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
    return q, index


def _training_doc(training: Training) -> dict[str, Any]:
    doc = dataclasses.asdict(training)
    doc["_id"] = doc.pop("id")
    doc["status"] = str(training.status)
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
    return Training(**{k: v for k, v in doc.items() if k in _TRAINING_FIELDS})


class MongoBookings:
    """Bookings; every status change is a guarded transition."""

    def __init__(self, db: Database) -> None:
        self._c = db.bookings

    def add_requested(self, booking: Booking) -> None:
        """Insert unless present: the API and the capacity worker may both try."""
        doc = _booking_doc(booking)
        _id = doc.pop("_id")
        self._c.update_one({"_id": _id}, {"$setOnInsert": doc}, upsert=True)

    def get(self, booking_id: str) -> Booking | None:
        """The booking with this id."""
        return _booking(self._c.find_one({"_id": booking_id}))

    def active_for(
        self,
        trainee_id: str,
        training_id: str,
        exclude: str | None = None,
        statuses: frozenset[BookingStatus] = ACTIVE_STATUSES,
    ) -> Booking | None:
        """The trainee's booking on the training in ``statuses``, other than ``exclude``."""
        wanted = [str(s) for s in statuses]
        query: dict[str, Any] = {"trainee_id": trainee_id, "training_id": training_id, "status": {"$in": wanted}}
        if exclude is not None:
            query["_id"] = {"$ne": exclude}
        doc = self._c.find_one(query)
        return _booking(doc)

    def for_trainee(self, trainee_id: str) -> list[Booking]:
        """A trainee's bookings, newest first."""
        docs = self._c.find({"trainee_id": trainee_id}).sort("requested_at", DESCENDING).limit(200)
        return [b for b in map(_booking, docs) if b is not None]

    def transition(
        self,
        booking_id: str,
        target: BookingStatus,
        event_id: str,
        at: datetime,
        fields: dict[str, Any] | None = None,
    ) -> bool:
        """Move to ``target`` only from a status the state machine allows."""
        sources = [str(s) for s in sources_of(target)]
        result = self._c.update_one(
            {"_id": booking_id, "status": {"$in": sources}},
            {
                "$set": {"status": str(target), **(fields or {})},
                "$push": {"history": {"step": str(target), "at": at, "event_id": event_id}},
            },
        )
        return result.modified_count == 1

    def update_payment(self, booking_id: str, payment: dict[str, Any], event_id: str, at: datetime, step: str) -> bool:
        """Merge into ``payment`` once per (event, step)."""
        result = self._c.update_one(
            {
                "_id": booking_id,
                "history": {"$not": {"$elemMatch": {"event_id": event_id, "step": step}}},
            },
            {
                "$set": {f"payment.{k}": v for k, v in payment.items()},
                "$push": {"history": {"step": step, "at": at, "event_id": event_id}},
            },
        )
        return result.modified_count == 1

    def due_for_expiry(self, now: datetime, limit: int) -> list[Booking]:
        """Held bookings whose hold has ended."""
        waiting = [str(BookingStatus.HELD), str(BookingStatus.PENDING_APPROVAL)]
        docs = self._c.find({"status": {"$in": waiting}, "expires_at": {"$lte": now}})
        docs = docs.sort("expires_at", ASCENDING).hint("bookings_expiry").limit(limit)
        return [b for b in map(_booking, docs) if b is not None]

    def live_on_training(self, training_id: str) -> list[Booking]:
        """Held, waitlisted or confirmed bookings of a training."""
        live = [
            str(s)
            for s in (
                BookingStatus.PENDING_APPROVAL,
                BookingStatus.HELD,
                BookingStatus.WAITLISTED,
                BookingStatus.CONFIRMED,
            )
        ]
        docs = self._c.find({"training_id": training_id, "status": {"$in": live}}).hint("bookings_training")
        return [b for b in map(_booking, docs) if b is not None]

    def pending_approval_for(self, training_ids: list[str]) -> list[Booking]:
        """Waiting for the expert, oldest first."""
        query = {"training_id": {"$in": training_ids}, "status": str(BookingStatus.PENDING_APPROVAL)}
        docs = self._c.find(query).hint("bookings_training").limit(500)
        return sorted((b for b in map(_booking, docs) if b is not None), key=lambda b: b.requested_at)

    def claim_refund(self, booking_id: str, at: datetime) -> bool:
        """True for the first caller only."""
        result = self._c.update_one(
            {"_id": booking_id, "payment.refund_claimed_at": {"$exists": False}},
            {"$set": {"payment.refund_claimed_at": at}},
        )
        return result.modified_count == 1

    def claim_payment_intent(self, booking_id: str, at: datetime) -> bool:
        """True for the first caller only."""
        result = self._c.update_one(
            {"_id": booking_id, "payment.claimed_at": {"$exists": False}},
            {"$set": {"payment.claimed_at": at}},
        )
        return result.modified_count == 1


def _booking_doc(booking: Booking) -> dict[str, Any]:
    doc = dataclasses.asdict(booking)
    doc["_id"] = doc.pop("id")
    doc["status"] = str(booking.status)
    return doc


def _booking(doc: dict[str, Any] | None) -> Booking | None:
    if doc is None:
        return None
    doc["id"] = doc.pop("_id")
    doc["status"] = BookingStatus(doc["status"])
    return Booking(**doc)


class MongoSeats:
    """One counter document per training; a hold is one atomic conditional update."""

    def __init__(self, db: Database) -> None:
        self._c = db.seats

    def ensure(self, training_id: str, capacity: int) -> None:
        """Create the counter unless it exists."""
        self._c.update_one(
            {"_id": training_id},
            {"$setOnInsert": {"capacity": capacity, "holders": [], "waitlist": []}},
            upsert=True,
        )

    def hold(self, training_id: str, booking_id: str) -> SeatOutcome:
        """Add the booking to the holders only while holders < capacity."""
        # The condition and the push are one document update, so two workers racing
        # for the last seat cannot both win; the $ne makes a replay a no-op.
        doc = self._c.find_one_and_update(
            {
                "_id": training_id,
                "holders": {"$ne": booking_id},
                "$expr": {"$lt": [{"$size": "$holders"}, "$capacity"]},
            },
            {"$push": {"holders": booking_id}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is not None:
            return SeatOutcome.HELD
        current = self._c.find_one({"_id": training_id, "holders": booking_id}, {"_id": 1})
        return SeatOutcome.ALREADY_HELD if current else SeatOutcome.FULL

    def enqueue(self, training_id: str, booking_id: str) -> int:
        """Append to the waitlist once; the 1-based position."""
        self._c.update_one(
            {"_id": training_id, "waitlist": {"$ne": booking_id}},
            {"$push": {"waitlist": booking_id}},
        )
        doc = self._c.find_one({"_id": training_id}, {"waitlist": 1})
        return int(doc["waitlist"].index(booking_id)) + 1

    def set_capacity(self, training_id: str, capacity: int) -> int:
        """Conditional on the holders fitting; otherwise as low as the holders allow."""
        done = self._c.find_one_and_update(
            {"_id": training_id, "$expr": {"$lte": [{"$size": "$holders"}, capacity]}},
            {"$set": {"capacity": capacity}},
            return_document=ReturnDocument.AFTER,
        )
        if done is not None:
            return capacity
        # Seats were taken between the API's check and now: keep every holder seated.
        doc = self._c.find_one({"_id": training_id}, {"holders": 1})
        floor = len(doc["holders"]) if doc else capacity
        self._c.update_one({"_id": training_id}, {"$set": {"capacity": floor}})
        return floor

    def holds(self, training_id: str, booking_id: str) -> bool:
        """Whether the booking is among the holders."""
        return self._c.find_one({"_id": training_id, "holders": booking_id}, {"_id": 1}) is not None

    def release(self, training_id: str, booking_id: str) -> bool:
        """Pull the booking from the holders."""
        result = self._c.update_one({"_id": training_id, "holders": booking_id}, {"$pull": {"holders": booking_id}})
        return result.modified_count == 1

    def leave_waitlist(self, training_id: str, booking_id: str) -> None:
        """Pull the booking from the waitlist."""
        self._c.update_one({"_id": training_id}, {"$pull": {"waitlist": booking_id}})

    def first_waitlisted(self, training_id: str) -> str | None:
        """The head of the waitlist when a seat is free."""
        doc = self._c.find_one({"_id": training_id})
        if not doc or not doc["waitlist"] or len(doc["holders"]) >= doc["capacity"]:
            return None
        return str(doc["waitlist"][0])

    def snapshot(self, training_id: str) -> dict[str, Any] | None:
        """The counter document."""
        return self._c.find_one({"_id": training_id})


class MongoInbox:
    """In-app notifications, one per (person, event)."""

    def __init__(self, db: Database) -> None:
        self._c = db.inbox

    def add(self, notification: Notification, at: datetime) -> bool:
        """Insert once; False on a replay."""
        doc = dataclasses.asdict(notification)
        doc.update(_id=f"{notification.user_id}:{notification.event_id}", created_at=at, read=False)
        try:
            self._c.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    def for_user(self, user_id: str, limit: int) -> list[dict[str, Any]]:
        """Newest first."""
        return list(self._c.find({"user_id": user_id}).sort("created_at", DESCENDING).limit(limit))


class MongoMarkers:
    """Small 'already done' markers keyed by a string: processed events, sent e-mails,
    provider webhook events. One collection each, the key as ``_id``."""

    def __init__(self, db: Database, collection: str) -> None:
        self._c = db[collection]

    def _seen(self, key: str) -> bool:
        return self._c.find_one({"_id": key}, {"_id": 1}) is not None

    def _mark(self, key: str, **extra: Any) -> None:
        self._c.update_one({"_id": key}, {"$setOnInsert": extra}, upsert=True)


class MongoProcessedEvents(MongoMarkers):
    """Event ids each consumer group has applied."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, "processed_events")

    def seen(self, group: str, event_id: str) -> bool:
        """Whether the group applied the event."""
        return self._seen(f"{group}:{event_id}")

    def mark(self, group: str, event_id: str, at: datetime) -> None:
        """Remember it."""
        self._mark(f"{group}:{event_id}", at=at)


class MongoSentEmails(MongoMarkers):
    """E-mails that went out, per (person, event)."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, "sent_emails")

    def already_sent(self, user_id: str, event_id: str) -> bool:
        """Whether it went out."""
        return self._seen(f"{user_id}:{event_id}")

    def mark_sent(self, user_id: str, event_id: str, message_id: str, at: datetime) -> None:
        """Remember it."""
        self._mark(f"{user_id}:{event_id}", message_id=message_id, at=at)


class MongoProviderEvents(MongoMarkers):
    """Stripe event ids already turned into our events."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, "provider_events")

    def seen(self, provider_event_id: str) -> bool:
        """Whether handled."""
        return self._seen(provider_event_id)

    def record(self, provider_event_id: str, at: datetime) -> None:
        """Remember it."""
        self._mark(provider_event_id, at=at)
