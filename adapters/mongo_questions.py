"""MongoDB repository of questions to a training's expert: one document per question, its reports
inside it, and each change written together with the event announcing it (the outbox)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from adapters.mongo_compat import narrowed, narrowed_on
from adapters.mongo_pending import push_pending, with_pending
from core.questions import Question, QuestionReport, QuestionState
from events.envelope import Event

_FIELDS = {f.name for f in dataclasses.fields(Question)}
_WAITING_ORDER = [("created_at", ASCENDING)]


def create_question_indexes(db: Database) -> None:
    """The indexes every query below needs."""
    db.questions.create_index([("training_id", ASCENDING), ("state", ASCENDING), ("answered_at", DESCENDING)],
                              name="questions_answered")  # fmt: skip
    db.questions.create_index([("training_id", ASCENDING), ("state", ASCENDING), ("created_at", ASCENDING)],
                              name="questions_training")  # fmt: skip
    # A trainee's own waiting questions on the training's page.
    db.questions.create_index([("trainee_id", ASCENDING), ("training_id", ASCENDING), ("state", ASCENDING),
                               ("created_at", ASCENDING)], name="questions_asker")  # fmt: skip
    db.questions.create_index([("under_review", ASCENDING), ("reported_at", DESCENDING)], name="questions_desk")


class MongoQuestions:
    """Questions; answering, reporting and hiding are guarded updates, so a second one changes nothing."""

    def __init__(self, db: Database) -> None:
        self._c = db.questions

    def add(self, question: Question, announcing: Event | None = None) -> None:
        """Insert the question and its event in one write."""
        doc = with_pending(dataclasses.asdict(question), announcing)
        doc["_id"] = doc.pop("id")
        self._c.insert_one(doc)

    def get(self, question_id: str) -> Question | None:
        """The question with this id."""
        return _question(self._c.find_one({"_id": question_id}))

    def answer(self, question_id: str, text: str, at: datetime, announcing: Event | None = None) -> bool:
        """Answer it while it waits (an answered or hidden one matches nothing)."""
        update = {"$set": {"answer": text, "answered_at": at, "state": QuestionState.ANSWERED.value}}
        result = self._c.update_one({"_id": question_id, "state": QuestionState.OPEN.value},
                                    push_pending(update, announcing))  # fmt: skip
        return result.modified_count == 1

    def report(self, question_id: str, report: QuestionReport, announcing: Event | None = None) -> bool:
        """Add the report unless this person reported it before or it is hidden; it goes on the desk."""
        guard = {"_id": question_id, "state": {"$ne": QuestionState.HIDDEN.value}, "reports.by": {"$ne": report.by}}
        update = {"$push": {"reports": dataclasses.asdict(report)},
                  "$set": {"reported_at": report.at, "under_review": True}}  # fmt: skip
        return self._c.update_one(guard, push_pending(update, announcing)).modified_count == 1

    def hide(self, question_id: str, admin_id: str, reason: str, at: datetime, announcing: Event | None = None) -> bool:
        """Hide it, once; it leaves the desk."""
        update = {"$set": {"state": QuestionState.HIDDEN.value, "hidden_at": at, "hidden_by": admin_id,
                           "hidden_reason": reason, "under_review": False}}  # fmt: skip
        guard = {"_id": question_id, "state": {"$ne": QuestionState.HIDDEN.value}}
        return self._c.update_one(guard, push_pending(update, announcing)).modified_count == 1

    def of_training(
        self, training_id: str, state: QuestionState, limit: int, offset: int, asked_by: str | None = None
    ) -> tuple[list[Question], int]:
        """Answered: newest answer first (``questions_answered``); the others oldest first (``questions_training``)."""
        query: dict[str, Any] = {"training_id": training_id, "state": state.value}
        if state is QuestionState.ANSWERED:
            index, order = "questions_answered", [("answered_at", DESCENDING)]
        else:
            index, order = "questions_training", _WAITING_ORDER
        if asked_by is not None:
            query = {"trainee_id": asked_by, **query}
            index = "questions_asker"
        total = self._c.count_documents(query, **narrowed_on(index))
        docs = narrowed(self._c.find(query).sort(order), index).skip(offset).limit(limit)
        return [q for q in map(_question, docs) if q is not None], total

    def under_review(self, limit: int, offset: int) -> tuple[list[Question], int]:
        """Reported and not hidden, the latest report first."""
        query = {"under_review": True}
        total = self._c.count_documents(query, **narrowed_on("questions_desk"))
        docs = narrowed(self._c.find(query).sort("reported_at", DESCENDING), "questions_desk").skip(offset).limit(limit)
        return [q for q in map(_question, docs) if q is not None], total


def _question(doc: dict[str, Any] | None) -> Question | None:
    if doc is None:
        return None
    doc["id"] = doc.pop("_id")
    doc["state"] = QuestionState(doc["state"])
    doc["reports"] = [QuestionReport(**r) for r in doc.get("reports", [])]
    return Question(**{k: v for k, v in doc.items() if k in _FIELDS})
