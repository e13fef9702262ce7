"""MongoDB: outstanding password-reset links (core/services/passwords.py), by the hash of their nonce."""

from __future__ import annotations

from datetime import datetime

from pymongo.database import Database

from adapters.mongo_pending import with_pending
from events.envelope import Event


def create_reset_indexes(db: Database) -> None:
    """A link is gone an hour after it expired (used or not); the account's links are found by user."""
    db.password_resets.create_index("expires_at", expireAfterSeconds=3600)
    db.password_resets.create_index("user_id", name="password_resets_user")


class MongoPasswordResets:
    """Reset links by the hash of their nonce: ``used_at`` set once, atomically, on first use."""

    def __init__(self, db: Database) -> None:
        self._c = db.password_resets

    def add(
        self, nonce_hash: str, user_id: str | None, expires_at: datetime, at: datetime, announcing: Event | None = None
    ) -> None:
        """One insert, with the event announcing it when there is an account."""
        doc = {"_id": nonce_hash, "user_id": user_id, "expires_at": expires_at, "created_at": at, "used_at": None}
        self._c.insert_one(with_pending(doc, announcing))

    def consume(self, nonce_hash: str, now: datetime) -> str | None:
        """A compare-and-set on ``used_at``: two clicks at once, one wins."""
        doc = self._c.find_one_and_update(
            {"_id": nonce_hash, "used_at": None, "expires_at": {"$gt": now}, "user_id": {"$ne": None}},
            {"$set": {"used_at": now}},
        )
        return doc["user_id"] if doc else None

    def revoke_all(self, user_id: str) -> int:
        """Every outstanding link of the account: gone."""
        return int(self._c.delete_many({"user_id": user_id}).deleted_count)
