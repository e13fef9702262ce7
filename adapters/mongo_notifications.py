"""MongoDB: the in-app inbox, the e-mail outbox and each person's notification preferences."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from adapters.mongo_compat import claim_first, narrowed
from adapters.mongo_writes import insert_new
from core.ports import Attachment, Email, Notification, QueuedEmail

QUEUED, SENT, FAILED = "queued", "sent", "failed"
BACKLOG_CAP = 10_000  # the most queued e-mails an operator's gauge counts (a read of their ids, not their bodies)


def create_notification_indexes(db: Database) -> None:
    """Every index a notification query needs."""
    db.inbox.create_index([("user_id", ASCENDING), ("created_at", DESCENDING)], name="inbox_user")
    db.inbox.create_index([("user_id", ASCENDING), ("read", ASCENDING)], name="inbox_unread")
    db.outbox.create_index([("status", ASCENDING), ("due_at", ASCENDING)], name="outbox_due")


class MongoInbox:
    """In-app notifications, one per (person, event)."""

    def __init__(self, db: Database) -> None:
        self._c = db.inbox

    def add_many(self, notifications: list[Notification], at: datetime) -> None:
        """One unordered bulk insert; the ones stored before stay as they are."""
        insert_new(self._c, [_inbox_doc(n, at) for n in notifications])

    def add(self, notification: Notification, at: datetime) -> bool:
        """Insert once; False on a replay."""
        doc = _inbox_doc(notification, at)
        try:
            self._c.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    def for_user(self, user_id: str, limit: int, unread_only: bool = False) -> list[dict[str, Any]]:
        """Newest first."""
        query: dict[str, Any] = {"user_id": user_id}
        if unread_only:
            query["read"] = False
        return list(narrowed(self._c.find(query).sort("created_at", DESCENDING), "inbox_user").limit(limit))

    def unread_count(self, user_id: str) -> int:
        """Unread notifications of the user."""
        return self._c.count_documents({"user_id": user_id, "read": False})

    def mark_read(self, user_id: str, notification_id: str, at: datetime) -> bool:
        """Read one (a second time changes nothing); False if it is not the user's."""
        mine = {"_id": notification_id, "user_id": user_id}
        if self._c.update_one({**mine, "read": False}, {"$set": {"read": True, "read_at": at}}).modified_count:
            return True
        return self._c.find_one(mine, {"_id": 1}) is not None

    def mark_all_read(self, user_id: str, at: datetime) -> int:
        """Read them all."""
        result = self._c.update_many({"user_id": user_id, "read": False}, {"$set": {"read": True, "read_at": at}})
        return result.modified_count


class MongoOutbox:
    """E-mails to send, one per (person, event); a sender leases one at a time."""

    def __init__(self, db: Database) -> None:
        self._c = db.outbox

    def enqueue_many(self, emails: list[tuple[str, str, Email]], at: datetime) -> None:
        """One unordered bulk insert; the ones queued before stay as they are."""
        insert_new(self._c, [_outbox_doc(user_id, event_id, email, at) for user_id, event_id, email in emails])

    def enqueue(self, user_id: str, event_id: str, email: Email, at: datetime) -> bool:
        """Insert once; False on a replay."""
        doc = _outbox_doc(user_id, event_id, email, at)
        try:
            self._c.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    def claim_due(self, now: datetime, lease_until: datetime) -> QueuedEmail | None:
        """The oldest due e-mail, leased: no other sender takes it before ``lease_until``."""
        # A sender that lost the race to a message (its due_at moved) tries the next.
        due = {"status": QUEUED, "due_at": {"$lte": now}}
        lease = {"$set": {"due_at": lease_until}, "$inc": {"attempts": 1}}
        doc = claim_first(self._c, due, [("due_at", ASCENDING)], "outbox_due", lease, guard=("status", "due_at"))
        if doc is None:
            return None
        doc["attempts"] += 1
        raw = doc["email"]
        attachments = tuple(Attachment(**a) for a in raw.pop("attachments", []))
        return QueuedEmail(id=doc["_id"], email=Email(**raw, attachments=attachments), attempts=doc["attempts"])

    def mark_sent(self, queued_id: str, at: datetime) -> None:
        """Sent: never again."""
        self._c.update_one({"_id": queued_id}, {"$set": {"status": SENT, "sent_at": at}})

    def retry_later(self, queued_id: str, error: str, at: datetime | None) -> None:
        """Back off until ``at``, or give up."""
        change: dict[str, Any] = {"last_error": error[:1000]}
        change.update({"due_at": at} if at is not None else {"status": FAILED})
        self._c.update_one({"_id": queued_id, "status": QUEUED}, {"$set": change})

    def backlog(self, cap: int = BACKLOG_CAP) -> tuple[int, datetime | None]:
        """Queued e-mails (up to ``cap`` counted) and the oldest's queueing time, through ``outbox_due``."""
        waiting = {"status": QUEUED, "due_at": {"$lte": datetime.max.replace(tzinfo=UTC)}}
        docs = list(narrowed(self._c.find(waiting, {"created_at": 1}), "outbox_due").limit(cap))
        return len(docs), min((d["created_at"] for d in docs), default=None)


class MongoNotificationPreferences:
    """Each person's choices, one document per person."""

    def __init__(self, db: Database) -> None:
        self._c = db.notification_preferences

    def many(self, user_ids: list[str]) -> dict[str, dict[str, dict[str, bool]]]:
        """One read by primary key."""
        docs = self._c.find({"_id": {"$in": sorted(set(user_ids))}})
        return {d["_id"]: {k: v for k, v in d.items() if k != "_id"} for d in docs}

    def get(self, user_id: str) -> dict[str, dict[str, bool]]:
        """As stored (empty when never set)."""
        doc = self._c.find_one({"_id": user_id}) or {}
        return {k: v for k, v in doc.items() if k != "_id"}

    def set(self, user_id: str, preferences: dict[str, dict[str, bool]]) -> None:
        """Replace them."""
        self._c.replace_one({"_id": user_id}, {"_id": user_id, **preferences}, upsert=True)


def _inbox_doc(notification: Notification, at: datetime) -> dict[str, Any]:
    doc = {k: v for k, v in dataclasses.asdict(notification).items() if k not in ("context", "emailed", "calendar")}
    doc.update(_id=f"{notification.user_id}:{notification.event_id}", created_at=at, read=False)
    return doc


def _outbox_doc(user_id: str, event_id: str, email: Email, at: datetime) -> dict[str, Any]:
    return {
        "_id": f"{user_id}:{event_id}", "user_id": user_id, "event_id": event_id, "email": dataclasses.asdict(email),
        "status": QUEUED, "due_at": at, "attempts": 0, "created_at": at,
    }  # fmt: skip
