"""MongoDB: bookings, every status change a guarded transition (seats: ``mongo_seats``)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, InsertOne, UpdateOne
from pymongo.database import Database

from adapters.mongo_compat import narrowed
from adapters.mongo_writes import GroupedWrites, insert_new
from core.cancellation import RefundTerms
from core.model import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    sources_of,
)
from core.ports.bookings import Move

# The trainee's bookings on one training, by status: the API's one-booking check and the batch's.
TRAINEE_TRAINING = [("trainee_id", ASCENDING), ("training_id", ASCENDING), ("status", ASCENDING)]


def create_booking_indexes(db: Database) -> None:
    """Every index a booking query needs."""
    db.bookings.create_index(TRAINEE_TRAINING)
    db.bookings.create_index([("trainee_id", ASCENDING), ("requested_at", DESCENDING)])
    db.bookings.create_index("payment.intent_id")
    db.bookings.create_index([("status", ASCENDING), ("expires_at", ASCENDING)], name="bookings_expiry")
    db.bookings.create_index([("training_id", ASCENDING), ("status", ASCENDING)], name="bookings_training")


class MongoBookings:
    """Bookings; every status change is a guarded transition."""

    def __init__(self, db: Database) -> None:
        self._c = db.bookings
        self._inserts = GroupedWrites(self._c)  # the API's concurrent requests, one bulk insert a round

    def add_requested(self, booking: Booking) -> Booking:
        """Insert unless present: the API and the capacity worker may both try; the stored booking.

        The insert first: on the API's path the booking is new, so that is one round trip, shared
        with the other requests writing at the same moment (``GroupedWrites``).
        """
        if self._inserts.applied(InsertOne(_booking_doc(booking))):
            return booking
        return _booking(self._c.find_one({"_id": booking.id})) or booking

    def add_requested_many(self, bookings: list[Booking]) -> dict[str, Booking]:
        """One unordered bulk insert; the ones another writer inserted first are read back as stored."""
        insert_new(self._c, [_booking_doc(b) for b in bookings])
        stored = {b.id: b for b in bookings}
        stored.update(self.many(list(stored)))
        return stored

    def get(self, booking_id: str) -> Booking | None:
        """The booking with this id."""
        return _booking(self._c.find_one({"_id": booking_id}))

    def many(self, booking_ids: list[str]) -> dict[str, Booking]:
        """One read on ``_id``."""
        found = (_booking(d) for d in self._c.find({"_id": {"$in": list(booking_ids)}}))
        return {b.id: b for b in found if b is not None}

    def decided_among(
        self, training_id: str, trainee_ids: list[str], statuses: frozenset[BookingStatus]
    ) -> dict[str, set[str]]:
        """One read on the trainee-training index."""
        query = {"trainee_id": {"$in": list(trainee_ids)}, "training_id": training_id,
                 "status": {"$in": [str(s) for s in statuses]}}  # fmt: skip
        out: dict[str, set[str]] = {}
        for doc in narrowed(self._c.find(query, {"trainee_id": 1}), TRAINEE_TRAINING):
            out.setdefault(doc["trainee_id"], set()).add(doc["_id"])
        return out

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
    ) -> Booking | None:
        """Move to ``target`` only from a status the state machine allows; the booking as ``event_id``
        left it in ``target`` (now, or on an earlier delivery), else None.

        The guarded update, then a point read of the booking this event moved: callers no longer
        re-read it, and a redelivery finds the booking its first delivery made.
        """
        self._c.update_one(*_guarded(booking_id, target, event_id, at, fields))
        moved = {"_id": booking_id, "status": str(target),
                 "history": {"$elemMatch": {"event_id": event_id, "step": str(target)}}}  # fmt: skip
        return _booking(self._c.find_one(moved))

    def transition_many(self, moves: list[Move]) -> dict[str, Booking]:
        """Every guarded update in one unordered bulk write, then one read of the bookings."""
        self._c.bulk_write([UpdateOne(*_guarded(m.booking_id, m.target, m.event_id, m.at, m.fields)) for m in moves],
                           ordered=False)  # fmt: skip
        return self.many([m.booking_id for m in moves])

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

    def due_for_expiry(self, now: datetime, limit: int) -> list[Booking]:
        """Held bookings whose hold has ended."""
        waiting = [str(BookingStatus.HELD), str(BookingStatus.PENDING_APPROVAL)]
        docs = self._c.find({"status": {"$in": waiting}, "expires_at": {"$lte": now}})
        docs = narrowed(docs.sort("expires_at", ASCENDING), "bookings_expiry").limit(limit)
        return [b for b in map(_booking, docs) if b is not None]

    def live_on_training(self, training_id: str) -> list[Booking]:
        """Held, waitlisted or confirmed bookings of a training."""
        live = [
            str(s)
            for s in (
                BookingStatus.PENDING_APPROVAL,
                BookingStatus.HELD,
                BookingStatus.WAITLISTED,
                BookingStatus.CONFIRMED,
            )
        ]
        docs = narrowed(self._c.find({"training_id": training_id, "status": {"$in": live}}), "bookings_training")
        return [b for b in map(_booking, docs) if b is not None]

    def pending_approval_for(self, training_ids: list[str]) -> list[Booking]:
        """Waiting for the expert, oldest first."""
        query = {"training_id": {"$in": training_ids}, "status": str(BookingStatus.PENDING_APPROVAL)}
        docs = narrowed(self._c.find(query), "bookings_training").limit(500)
        return sorted((b for b in map(_booking, docs) if b is not None), key=lambda b: b.requested_at)

    def set_attendance(self, booking_id: str, present: bool, at: datetime) -> bool:
        """Only a confirmed booking has a trainee to mark; marking again changes the answer."""
        result = self._c.update_one(
            {"_id": booking_id, "status": str(BookingStatus.CONFIRMED)},
            {"$set": {"attendance": "present" if present else "absent", "attendance_at": at}},
        )
        return result.matched_count == 1

    def claim_refund(self, booking_id: str, at: datetime) -> bool:
        """True for the first caller only."""
        result = self._c.update_one(
            {"_id": booking_id, "payment.refund_claimed_at": {"$exists": False}},
            {"$set": {"payment.refund_claimed_at": at}},
        )
        return result.modified_count == 1

    def claim_payment_intent(self, booking_id: str, attempt: int, at: datetime) -> bool:
        """True for the first caller of each attempt only (attempts only move forward)."""
        result = self._c.update_one(
            {
                "_id": booking_id,
                "$or": [{"payment.claimed_attempt": {"$lt": attempt}}, {"payment.claimed_attempt": {"$exists": False}}],
            },
            {"$set": {"payment.claimed_attempt": attempt, "payment.claimed_at": at}},
        )
        return result.modified_count == 1


def _guarded(
    booking_id: str, target: BookingStatus, event_id: str, at: datetime, fields: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The filter and update of a transition: only from a status the state machine allows."""
    sources = [str(s) for s in sources_of(target)]
    return (
        {"_id": booking_id, "status": {"$in": sources}},
        {
            "$set": {"status": str(target), **(fields or {})},
            "$push": {"history": {"step": str(target), "at": at, "event_id": event_id}},
        },
    )


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
    doc["refund_terms"] = RefundTerms.from_dict(doc.get("refund_terms"))
    if doc.get("cancelled_from"):
        doc["cancelled_from"] = BookingStatus(doc["cancelled_from"])
    return Booking(**doc)
