"""MongoDB: saved searches, filed under their most selective filter, and the trainings that matched them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from adapters.mongo_compat import narrowed
from adapters.mongo_writes import insert_new
from core.alerts import Alert, AlertMatch


def create_alert_indexes(db: Database) -> None:
    """A person's list, a publication's candidates, and the digests' unsent matches."""
    db.alerts.create_index([("user_id", ASCENDING), ("created_at", ASCENDING)], name="alerts_user")
    db.alerts.create_index([("key", ASCENDING)], name="alerts_key")
    db.alert_matches.create_index(
        [("delivery", ASCENDING), ("sent_on", ASCENDING), ("matched_at", ASCENDING)], name="alert_matches_unsent"
    )


class MongoAlerts:
    """``alerts``: one document per saved search."""

    def __init__(self, db: Database) -> None:
        self._c = db.alerts

    def add(self, alert: Alert) -> None:
        """Insert it."""
        doc = dataclasses.asdict(alert)
        doc["_id"] = doc.pop("id")
        self._c.insert_one(doc)

    def of_user(self, user_id: str) -> list[Alert]:
        """Oldest first."""
        docs = self._c.find({"user_id": user_id}).sort("created_at", ASCENDING)
        return [_alert(d) for d in narrowed(docs, "alerts_user")]

    def delete(self, alert_id: str, user_id: str) -> bool:
        """Only the owner's."""
        return self._c.delete_one({"_id": alert_id, "user_id": user_id}).deleted_count == 1

    def filed_under(self, keys: Iterable[str]) -> list[Alert]:
        """One read on the key's index."""
        docs = self._c.find({"key": {"$in": sorted(set(keys))}})
        return [_alert(d) for d in narrowed(docs, "alerts_key")]


def _alert(doc: dict[str, Any]) -> Alert:
    doc["id"] = doc.pop("_id")
    return Alert(**doc)


class MongoAlertMatches:
    """``alert_matches``: ``_id`` is alert:training, so a replayed publication matches nothing twice."""

    def __init__(self, db: Database) -> None:
        self._c = db.alert_matches

    def add(self, matches: list[AlertMatch]) -> None:
        """One unordered bulk insert; a match stored before (a replay, a second event) stays as it is."""
        insert_new(self._c, [{"_id": m.id, **dataclasses.asdict(m)} for m in matches])

    def unsent_daily(self, matched_before: datetime, limit: int) -> list[AlertMatch]:
        """On the unsent index."""
        query = {"delivery": "daily", "sent_on": None, "matched_at": {"$lt": matched_before}}
        docs = narrowed(self._c.find(query, {"_id": False}), "alert_matches_unsent").limit(limit)
        return [AlertMatch(**d) for d in docs]

    def mark_sent(self, match_ids: list[str], day: str) -> None:
        """One write for the digest's matches."""
        if match_ids:
            self._c.update_many({"_id": {"$in": match_ids}}, {"$set": {"sent_on": day}})
