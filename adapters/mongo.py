"""MongoDB: the connection, the indexes every query needs, accounts, inbox and markers.

Trainings and their search live in ``mongo_catalogue``, bookings and seats in
``mongo_bookings``, the sponsors' side in ``mongo_sponsors``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import StrEnum
from typing import Any

from pymongo import ASCENDING, MongoClient, UpdateOne
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError
from pymongo.write_concern import WriteConcern

from adapters.mongo_bookings import create_booking_indexes
from adapters.mongo_catalogue import create_catalogue_indexes
from adapters.mongo_compat import increment, narrowed
from adapters.mongo_pending import create_pending_indexes, push_pending, with_pending
from adapters.mongo_writes import GroupedWrites
from adapters.watched import WatchedDocs
from core.errors import Conflict
from core.model import (
    Picture,
    Role,
    User,
    Verification,
)
from events.envelope import Event


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
    db.users.create_index("role", name="users_role")
    db.sessions.create_index("expires_at", expireAfterSeconds=0)
    db.sessions.create_index("user_id")
    db.rate_limits.create_index("expires_at", expireAfterSeconds=0)
    create_catalogue_indexes(db)
    create_booking_indexes(db)
    create_pending_indexes(db)


class MongoUsers:
    """Users, unique by e-mail; ``watched``: point reads answered from memory (adapters/watched.py)."""

    def __init__(self, db: Database, watched: bool = False) -> None:
        self._c = db.users
        # The outbox's ``$pull`` of a sent event changes nothing a ``User`` holds.
        self._watched = WatchedDocs(self._c, ignored_fields=("pending_events",)) if watched else None

    def add(self, user: User, announcing: Event | None = None) -> None:
        """Store a new user, with the event announcing it; ``Conflict`` if the e-mail is taken."""
        doc = with_pending(dataclasses.asdict(user), announcing)
        doc["_id"] = doc.pop("id")
        doc["role"] = str(user.role)
        try:
            self._c.insert_one(doc)
        except DuplicateKeyError as exc:
            raise Conflict("An account with this e-mail exists.", {"email": ["Already registered."]}) from exc

    def get(self, user_id: str) -> User | None:
        """The user with this id."""
        if self._watched is not None:
            return _user(self._watched.get(user_id, lambda: self._c.find_one({"_id": user_id})))
        return _user(self._c.find_one({"_id": user_id}))

    def close(self) -> None:
        """Stop watching for changes (the client is closed by whoever opened it)."""
        if self._watched is not None:
            self._watched.close()

    def by_email(self, email: str) -> User | None:
        """The user with this (lower-cased) e-mail."""
        return _user(self._c.find_one({"email": email.lower()}))

    def update(
        self,
        user_id: str,
        fields: dict[str, Any],
        expected: dict[str, Any] | None = None,
        announcing: Event | None = None,
    ) -> bool:
        """Set fields, guarded by ``expected`` (a compare-and-set), with the event announcing it."""
        values = {k: (str(v) if isinstance(v, StrEnum) else v) for k, v in fields.items()}
        guard = {k: (str(v) if isinstance(v, StrEnum) else v) for k, v in (expected or {}).items()}
        result = self._c.update_one({"_id": user_id, **guard}, push_pending({"$set": values}, announcing))
        if self._watched is not None:
            self._watched.forget(user_id)
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

    def with_role(self, role: Role, limit: int = 100) -> list[User]:
        """On the role's index."""
        docs = narrowed(self._c.find({"role": str(role)}), "users_role").limit(limit)
        return [u for u in map(_user, docs) if u is not None]


_USER_FIELDS = {f.name for f in dataclasses.fields(User)}


def _user(doc: dict[str, Any] | None) -> User | None:
    if doc is None:
        return None
    doc["id"] = doc.pop("_id")
    doc["role"] = Role(doc["role"])
    doc["verification"] = Verification(doc.get("verification", Verification.UNVERIFIED))
    doc["portrait"] = Picture.from_doc(doc.get("portrait"))
    # Keep only what the model knows (the document also holds e.g. submitted_at).
    return User(**{k: v for k, v in doc.items() if k in _USER_FIELDS})


class MongoSessions:
    """Bearer tokens by hash; MongoDB's TTL index drops expired ones. ``watched``: a live token's
    owner answered from memory, dropped as soon as the token is revoked anywhere (adapters/watched.py)."""

    def __init__(self, db: Database, watched: bool = False) -> None:
        self._c = db.sessions
        self._watched = WatchedDocs(self._c) if watched else None

    def add(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        """Remember a token."""
        self._c.insert_one({"_id": token_hash, "user_id": user_id, "expires_at": expires_at})

    def close(self) -> None:
        """Stop watching for changes."""
        if self._watched is not None:
            self._watched.close()

    def user_id_for(self, token_hash: str, now: datetime) -> str | None:
        """The owner of a live token."""
        if self._watched is not None:
            doc = self._watched.get(token_hash, lambda: self._c.find_one({"_id": token_hash}))
            live = doc is not None and doc["expires_at"] > now
            return doc["user_id"] if doc and live else None
        doc = self._c.find_one({"_id": token_hash, "expires_at": {"$gt": now}})
        return doc["user_id"] if doc else None

    def revoke(self, token_hash: str) -> None:
        """Forget one token."""
        self._c.delete_one({"_id": token_hash})
        if self._watched is not None:
            self._watched.forget(token_hash)

    def revoke_all(self, user_id: str) -> int:
        """Forget every token of the user."""
        deleted = int(self._c.delete_many({"user_id": user_id}).deleted_count)
        if self._watched is not None:
            self._watched.forget_where(lambda doc: doc.get("user_id") == user_id)
        return deleted


class MongoRateLimits:
    """One counter document per key and window, shared by every API process; a TTL index
    drops it once its window is over."""

    def __init__(self, db: Database) -> None:
        # A lost counter only forgives a few attempts: no need to wait for the journal.
        self._c = db.get_collection("rate_limits", write_concern=WriteConcern(w=1))
        self._takes = GroupedWrites(self._c)  # concurrent requests' counters, one bulk write a round

    def hit(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        """Count one attempt; the window's count so far (one atomic increment, then a read by _id)."""
        return increment(self._c, f"{key}@{int(window_start.timestamp())}", "n", {"expires_at": expires_at})

    def count(self, key: str, window_start: datetime) -> int:
        """The window's count."""
        doc = self._c.find_one({"_id": f"{key}@{int(window_start.timestamp())}"}, {"n": 1})
        return int(doc["n"]) if doc else 0

    def take(self, key: str, window_start: datetime, expires_at: datetime, allowed: int) -> bool:
        """One conditional upsert: it matches (or creates) the counter only below ``allowed``; at the
        limit the upsert collides with the counter's ``_id`` and nothing is counted."""
        if allowed <= 0:
            return False
        counter = {"_id": f"{key}@{int(window_start.timestamp())}", "n": {"$lt": allowed}}
        return self._takes.applied(
            UpdateOne(counter, {"$inc": {"n": 1}, "$setOnInsert": {"expires_at": expires_at}}, upsert=True)
        )


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

    def seen_many(self, group: str, event_ids: list[str]) -> set[str]:
        """The ones the group applied: one ``$in`` read on ``_id``."""
        keys = [f"{group}:{e}" for e in event_ids]
        prefix = len(group) + 1
        return {doc["_id"][prefix:] for doc in self._c.find({"_id": {"$in": keys}}, {"_id": 1})}

    def mark_many(self, group: str, event_ids: list[str], at: datetime) -> None:
        """Remember them all in one bulk write; a marker already there is kept."""
        ops = [UpdateOne({"_id": f"{group}:{e}"}, {"$setOnInsert": {"at": at}}, upsert=True) for e in event_ids]
        self._c.bulk_write(ops, ordered=False)


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
