"""MongoDB repositories of what a held training leaves behind: certificates and reviews."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from bson import Binary
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from adapters.mongo_compat import narrowed, narrowed_on
from adapters.mongo_pending import push_pending, with_pending
from core.certificates import Certificate
from core.errors import Conflict
from core.reviews import EDIT_WINDOW, Rating, Review
from events.envelope import Event

_CERTIFICATE_FIELDS = {f.name for f in dataclasses.fields(Certificate)}
_REVIEW_FIELDS = {f.name for f in dataclasses.fields(Review)}


def create_record_indexes(db: Database) -> None:
    """The indexes every query below needs."""
    db.certificates.create_index("code", unique=True, name="certificates_code")
    db.certificates.create_index([("trainee_id", ASCENDING), ("day", DESCENDING)], name="certificates_trainee")
    db.reviews.create_index([("trainee_id", ASCENDING), ("training_id", ASCENDING)], unique=True,
                            name="reviews_author")  # fmt: skip
    db.reviews.create_index([("series_id", ASCENDING), ("created_at", DESCENDING)], name="reviews_series")
    db.reviews.create_index([("expert_id", ASCENDING)], name="reviews_expert")


class MongoCertificates:
    """One certificate per booking (its id is derived from the booking's); the PDF kept beside it."""

    def __init__(self, db: Database) -> None:
        self._c = db.certificates

    def add_once(self, certificate: Certificate) -> Certificate:
        """Insert unless present; the stored certificate either way (a replay keeps the first code)."""
        doc = dataclasses.asdict(certificate)
        doc["_id"] = doc.pop("id")
        try:
            self._c.insert_one(doc)
        except DuplicateKeyError:
            pass
        stored = self.get(certificate.id)
        assert stored is not None
        return stored

    def get(self, certificate_id: str) -> Certificate | None:
        """The certificate, without its PDF."""
        return _certificate(self._c.find_one({"_id": certificate_id}, {"pdf": False}))

    def by_code(self, code: str) -> Certificate | None:
        """The certificate with this code."""
        return _certificate(self._c.find_one({"code": code}, {"pdf": False}, **narrowed_on("certificates_code")))

    def of_trainee(self, trainee_id: str) -> list[Certificate]:
        """A trainee's certificates, the latest day first."""
        docs = self._c.find({"trainee_id": trainee_id}, {"pdf": False}).sort("day", DESCENDING)
        return [c for c in map(_certificate, narrowed(docs, "certificates_trainee")) if c is not None]

    def set_pdf(self, certificate_id: str, pdf: bytes) -> None:
        """Keep the rendered PDF."""
        self._c.update_one({"_id": certificate_id}, {"$set": {"pdf": Binary(pdf)}})

    def pdf(self, certificate_id: str) -> bytes | None:
        """The rendered PDF, if any."""
        doc = self._c.find_one({"_id": certificate_id}, {"pdf": True})
        return bytes(doc["pdf"]) if doc and doc.get("pdf") else None


def _certificate(doc: dict[str, Any] | None) -> Certificate | None:
    if doc is None:
        return None
    doc["id"] = doc.pop("_id")
    return Certificate(**{k: v for k, v in doc.items() if k in _CERTIFICATE_FIELDS})


class MongoReviews:
    """Reviews, one per trainee and training (a unique index), and the ratings they add up to."""

    def __init__(self, db: Database) -> None:
        self._c = db.reviews
        self._trainings = db.trainings
        self._users = db.users

    def add(self, review: Review, announcing: Event | None = None) -> None:
        """Store a new review with the event announcing it; ``Conflict`` if the trainee reviewed it before."""
        doc = with_pending(dataclasses.asdict(review), announcing)
        doc["_id"] = doc.pop("id")
        try:
            self._c.insert_one(doc)
        except DuplicateKeyError as exc:
            raise Conflict("You have reviewed this training already; edit your review instead.") from exc

    def get(self, review_id: str) -> Review | None:
        """The review with this id."""
        return _review(self._c.find_one({"_id": review_id}))

    def by_trainee(self, trainee_id: str, training_id: str) -> Review | None:
        """This trainee's review of this training."""
        mine = {"trainee_id": trainee_id, "training_id": training_id}
        return _review(self._c.find_one(mine, **narrowed_on("reviews_author")))

    def edit(self, review_id: str, rating: int, text: str, at: datetime, announcing: Event | None = None) -> bool:
        """Change rating and text while the edit window is open (guarded here, not only by the caller)."""
        result = self._c.update_one(
            {"_id": review_id, "created_at": {"$gt": at - EDIT_WINDOW}},
            push_pending({"$set": {"rating": rating, "text": text, "updated_at": at}}, announcing),
        )
        return result.matched_count == 1

    def answer(self, review_id: str, text: str, at: datetime, announcing: Event | None = None) -> bool:
        """Set the answer unless there is one, with the event announcing it."""
        update = push_pending({"$set": {"answer": text, "answered_at": at}}, announcing)
        result = self._c.update_one({"_id": review_id, "answer": None}, update)
        return result.modified_count == 1

    def of_series(self, series_id: str, limit: int, offset: int) -> tuple[list[Review], int]:
        """The reviews of a programme's sessions, newest first."""
        query = {"series_id": series_id}
        total = self._c.count_documents(query, **narrowed_on("reviews_series"))
        docs = narrowed(self._c.find(query).sort("created_at", DESCENDING), "reviews_series").skip(offset).limit(limit)
        return [r for r in map(_review, docs) if r is not None], total

    def of_trainee(self, trainee_id: str) -> list[Review]:
        """Every review of a trainee."""
        docs = narrowed(self._c.find({"trainee_id": trainee_id}), "reviews_author")
        return [r for r in map(_review, docs) if r is not None]

    def refresh_ratings(self, series_id: str, expert_id: str) -> None:
        """Recompute the series' and the expert's averages from the reviews; no concurrent refresh leaves an old one.

        Each refresh draws a number from the expert's counter after its own write and before
        reading; a figure is stored only over one computed from a smaller number. A refresh that
        drew a larger number began after every smaller one had written its review, so it read
        them all: the last figure stored is always the complete one.
        """
        counter = self._users.find_one_and_update(
            {"_id": expert_id}, {"$inc": {"ratings_revision": 1}},
            projection={"ratings_revision": True}, return_document=ReturnDocument.AFTER,
        )  # fmt: skip
        if counter is None:
            return
        revision = counter["ratings_revision"]
        of_series = self._ratings({"series_id": series_id}, "reviews_series")
        of_expert = self._ratings({"expert_id": expert_id}, "reviews_expert")
        older = {"$or": [{"ratings_applied": {"$lt": revision}}, {"ratings_applied": {"$exists": False}}]}

        def figures(rating: Rating) -> dict[str, Any]:
            return {
                "$set": {"rating_average": rating.average, "rating_count": rating.count, "ratings_applied": revision}
            }

        # Every session of the series shows the series' rating, the upcoming ones above all.
        sessions = {"series_id": series_id, **older}
        self._trainings.update_many(sessions, figures(of_series), **narrowed_on("training_series"))
        self._users.update_one({"_id": expert_id, **older}, figures(of_expert))

    def _ratings(self, query: dict[str, Any], index: str) -> Rating:
        return Rating.of([d["rating"] for d in narrowed(self._c.find(query, {"rating": True}), index)])


def _review(doc: dict[str, Any] | None) -> Review | None:
    if doc is None:
        return None
    doc["id"] = doc.pop("_id")
    return Review(**{k: v for k, v in doc.items() if k in _REVIEW_FIELDS})
