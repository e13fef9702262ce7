"""MongoDB: each trainee's learning goals, one document keyed by the trainee."""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from adapters.mongo_pending import FIELD, push_pending
from core.goals import Budget, LearningGoals
from events.envelope import Event


class MongoGoals:
    """``goals``: ``_id`` is the trainee's id, so a read is by primary key and needs no other index."""

    def __init__(self, db: Database) -> None:
        self._c = db.goals

    def get(self, trainee_id: str) -> LearningGoals | None:
        """The trainee's goals, if any."""
        return _goals(self._c.find_one({"_id": trainee_id}, {FIELD: False}))

    def put(self, goals: LearningGoals, announcing: Event | None = None) -> None:
        """Replace the goals and queue the event, in one write (an upsert: the first time creates it)."""
        values: dict[str, Any] = {
            "specialties": goals.specialties, "techniques": goals.techniques, "level": goals.level,
            "languages": goals.languages, "countries": goals.countries, "updated_at": goals.updated_at,
            "budget": {"amount": goals.budget.amount, "currency": goals.budget.currency} if goals.budget else None,
        }  # fmt: skip
        self._c.update_one({"_id": goals.trainee_id}, push_pending({"$set": values}, announcing), upsert=True)


def _goals(doc: dict[str, Any] | None) -> LearningGoals | None:
    if doc is None:
        return None
    budget = doc.get("budget")
    return LearningGoals(
        trainee_id=doc["_id"], specialties=list(doc.get("specialties") or []),
        techniques=list(doc.get("techniques") or []), level=doc.get("level"),
        languages=list(doc.get("languages") or []), countries=list(doc.get("countries") or []),
        budget=Budget(int(budget["amount"]), budget["currency"]) if budget else None,
        updated_at=doc.get("updated_at"),
    )  # fmt: skip
