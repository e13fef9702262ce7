"""MongoDB: after the day, the experts' assessments (one per booking, revised in place) and the private
follow-up threads."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from adapters.mongo_compat import narrowed
from adapters.mongo_pending import FIELD, push_pending, with_pending
from core.assessments import Assessment, Competency, FollowUpMessage, MessageReport
from events.envelope import Event


def create_assessment_indexes(db: Database) -> None:
    """A trainee's portfolio reads theirs."""
    db.assessments.create_index([("trainee_id", ASCENDING), ("updated_at", DESCENDING)], name="assessments_trainee")
    db.follow_ups.create_index([("booking_id", ASCENDING), ("created_at", ASCENDING)], name="follow_ups_thread")
    # The moderation desk: sparse, so only reported messages are in it.
    db.follow_ups.create_index([("reported_at", DESCENDING)], name="follow_ups_reported", sparse=True)


class MongoAssessments:
    """``assessments``: ``_id`` is the booking's id, so there is one per booking."""

    def __init__(self, db: Database) -> None:
        self._c = db.assessments

    def get(self, booking_id: str) -> Assessment | None:
        """The booking's assessment."""
        return _assessment(self._c.find_one({"_id": booking_id}, {FIELD: False}))

    def put(self, assessment: Assessment, announcing: Event | None = None) -> bool:
        """Insert the first revision, or replace the one before it (a compare-and-set on ``revision``)."""
        doc = dataclasses.asdict(assessment)
        doc["_id"] = doc.pop("booking_id")
        if assessment.revision == 1:
            try:
                self._c.insert_one(with_pending(doc, announcing))
            except DuplicateKeyError:
                return False
            return True
        values = {k: v for k, v in doc.items() if k not in ("_id", "created_at")}
        update = push_pending({"$set": values}, announcing)
        return self._c.update_one({"_id": doc["_id"], "revision": assessment.revision - 1}, update).matched_count == 1

    def of_trainee(self, trainee_id: str) -> list[Assessment]:
        """The newest first."""
        docs = self._c.find({"trainee_id": trainee_id}, {FIELD: False}).sort("updated_at", DESCENDING)
        return [a for a in map(_assessment, narrowed(docs, "assessments_trainee")) if a is not None]


_FIELDS = {f.name for f in dataclasses.fields(Assessment)}


def _assessment(doc: dict[str, Any] | None) -> Assessment | None:
    if doc is None:
        return None
    doc["booking_id"] = doc.pop("_id")
    doc["competencies"] = [Competency(c["name"], c["level"]) for c in doc.get("competencies", [])]
    return Assessment(**{k: v for k, v in doc.items() if k in _FIELDS})


class MongoFollowUps:
    """``follow_ups``: one document per message, read by thread in the order written."""

    def __init__(self, db: Database) -> None:
        self._c = db.follow_ups

    def add(self, message: FollowUpMessage, announcing: Event | None = None) -> None:
        """Insert the message with its event (not yet reported: out of the desk's sparse index)."""
        doc = {k: v for k, v in dataclasses.asdict(message).items() if k != "reported_at" or v is not None}
        doc["_id"] = doc.pop("id")
        self._c.insert_one(with_pending(doc, announcing))

    def of_booking(self, booking_id: str, limit: int, offset: int) -> tuple[list[FollowUpMessage], int]:
        """Oldest first."""
        query = {"booking_id": booking_id}
        total = self._c.count_documents(query)
        docs = narrowed(self._c.find(query, {FIELD: False}).sort("created_at", ASCENDING), "follow_ups_thread")
        return [_message(d) for d in docs.skip(offset).limit(limit)], total

    def get(self, message_id: str) -> FollowUpMessage | None:
        """By id."""
        doc = self._c.find_one({"_id": message_id}, {FIELD: False})
        return _message(doc) if doc else None

    def report(self, message_id: str, report: MessageReport, announcing: Event | None = None) -> bool:
        """Once per reporter, never on a hidden message: one guarded write, with its event."""
        guard = {"_id": message_id, "hidden_at": None, "reports.reporter_id": {"$ne": report.reporter_id}}
        change = {"$push": {"reports": dataclasses.asdict(report)}, "$set": {"reported_at": report.at}}
        return self._c.update_one(guard, push_pending(change, announcing)).modified_count == 1

    def hide(self, message_id: str, reason: str, at: datetime, announcing: Event | None = None) -> bool:
        """Once; it leaves the desk (its ``reported_at`` goes)."""
        change = {"$set": {"hidden_at": at, "hidden_reason": reason}, "$unset": {"reported_at": ""}}
        result = self._c.update_one({"_id": message_id, "hidden_at": None}, push_pending(change, announcing))
        return result.modified_count == 1

    def under_review(self, limit: int, offset: int) -> tuple[list[FollowUpMessage], int]:
        """On the desk's sparse index: only reported, unhidden messages have ``reported_at``."""
        query = {"reported_at": {"$exists": True}}
        total = self._c.count_documents(query)
        docs = narrowed(self._c.find(query, {FIELD: False}).sort("reported_at", DESCENDING), "follow_ups_reported")
        return [_message(d) for d in docs.skip(offset).limit(limit)], total


def _message(doc: dict[str, Any]) -> FollowUpMessage:
    doc["id"] = doc.pop("_id")
    doc["reports"] = tuple(MessageReport(**r) for r in doc.get("reports", []))
    return FollowUpMessage(**doc)
