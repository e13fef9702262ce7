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
    Verification,
    sources_of,
)
from core.ports import Notification


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
    db.trainings.create_index([("status", ASCENDING), ("starts_at", ASCENDING)])
    db.trainings.create_index([("expert_id", ASCENDING), ("created_at", DESCENDING)])
    db.bookings.create_index([("trainee_id", ASCENDING), ("training_id", ASCENDING), ("status", ASCENDING)])
    db.bookings.create_index([("trainee_id", ASCENDING), ("requested_at", DESCENDING)])
    db.bookings.create_index("payment.intent_id")
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


class MongoTrainings:
    """Trainings, replaced whole under optimistic concurrency (``version``)."""

    def __init__(self, db: Database) -> None:
        self._c = db.trainings

    def add(self, training: Training) -> None:
        """Store a new training."""
        self._c.insert_one(_training_doc(training))

    def get(self, training_id: str) -> Training | None:
        """The training with this id."""
        doc = self._c.find_one({"_id": training_id})
        if doc is None:
            return None
        doc["id"] = doc.pop("_id")
        doc["status"] = TrainingStatus(doc["status"])
        return Training(**doc)

    def replace(self, training: Training, expected_version: int) -> bool:
        """Replace if the stored version is ``expected_version``."""
        result = self._c.replace_one({"_id": training.id, "version": expected_version}, _training_doc(training))
        return result.modified_count == 1

    def remove(self, training_id: str) -> None:
        """Delete a training."""
        self._c.delete_one({"_id": training_id})

    def published(self, limit: int, offset: int) -> tuple[list[Training], int]:
        """Published trainings by date, a page of them and the total."""
        query = {"status": str(TrainingStatus.PUBLISHED)}
        total = self._c.count_documents(query)
        docs = self._c.find(query).sort("starts_at", ASCENDING).skip(offset).limit(limit)
        out = []
        for doc in docs:
            doc["id"] = doc.pop("_id")
            doc["status"] = TrainingStatus(doc["status"])
            out.append(Training(**doc))
        return out, total


def _training_doc(training: Training) -> dict[str, Any]:
    doc = dataclasses.asdict(training)
    doc["_id"] = doc.pop("id")
    doc["status"] = str(training.status)
    return doc


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

    def holds(self, training_id: str, booking_id: str) -> bool:
        """Whether the booking is among the holders."""
        return self._c.find_one({"_id": training_id, "holders": booking_id}, {"_id": 1}) is not None

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
