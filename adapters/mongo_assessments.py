"""MongoDB: the experts' assessments, one document per booking, revised in place."""

from __future__ import annotations

import dataclasses
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from adapters.mongo_compat import narrowed
from adapters.mongo_pending import FIELD, push_pending, with_pending
from core.assessments import Assessment, Competency
from events.envelope import Event


def create_assessment_indexes(db: Database) -> None:
    """A trainee's portfolio reads theirs."""
    db.assessments.create_index([("trainee_id", ASCENDING), ("updated_at", DESCENDING)], name="assessments_trainee")


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
