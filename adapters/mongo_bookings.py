"""MongoDB: bookings (guarded transitions) and the seat counter (atomic conditional updates)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database

from core.cancellation import RefundTerms
from core.model import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    SeatHold,
    SeatOutcome,
    free_seats,
    sources_of,
)


def create_booking_indexes(db: Database) -> None:
    """Every index a booking query needs."""
    db.bookings.create_index([("trainee_id", ASCENDING), ("training_id", ASCENDING), ("status", ASCENDING)])
    db.bookings.create_index([("trainee_id", ASCENDING), ("requested_at", DESCENDING)])
    db.bookings.create_index("payment.intent_id")
    db.bookings.create_index([("status", ASCENDING), ("expires_at", ASCENDING)], name="bookings_expiry")
    db.bookings.create_index([("training_id", ASCENDING), ("status", ASCENDING)], name="bookings_training")


class MongoBookings:
    """Bookings; every status change is a guarded transition."""

    def __init__(self, db: Database) -> None:
        self._c = db.bookings

    def add_requested(self, booking: Booking) -> Booking:
        """Insert unless present: the API and the capacity worker may both try; the stored booking.

        A point read first, then an upsert only if missing: no find-and-modify, which costs
        SecantusDB a scan of the collection (bench/RESULTS.md, run 3).
        """
        stored = self.get(booking.id)
        if stored is not None:
            return stored
        doc = _booking_doc(booking)
        _id = doc.pop("_id")
        result = self._c.update_one({"_id": _id}, {"$setOnInsert": doc}, upsert=True)
        if result.upserted_id is not None:
            return booking
        stored = self.get(booking.id)  # inserted by the other side in between
        assert stored is not None
        return stored

    def get(self, booking_id: str) -> Booking | None:
        """The booking with this id."""
        return _booking(self._c.find_one({"_id": booking_id}))

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
    ) -> bool:
        """Move to ``target`` only from a status the state machine allows."""
        sources = [str(s) for s in sources_of(target)]
        result = self._c.update_one(
            {"_id": booking_id, "status": {"$in": sources}},
            {
                "$set": {"status": str(target), **(fields or {})},
                "$push": {"history": {"step": str(target), "at": at, "event_id": event_id}},
            },
        )
        return result.modified_count == 1

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
        docs = docs.sort("expires_at", ASCENDING).hint("bookings_expiry").limit(limit)
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
        docs = self._c.find({"training_id": training_id, "status": {"$in": live}}).hint("bookings_training")
        return [b for b in map(_booking, docs) if b is not None]

    def pending_approval_for(self, training_ids: list[str]) -> list[Booking]:
        """Waiting for the expert, oldest first."""
        query = {"training_id": {"$in": training_ids}, "status": str(BookingStatus.PENDING_APPROVAL)}
        docs = self._c.find(query).hint("bookings_training").limit(500)
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


class MongoSeats:
    """One counter document per training; a hold is one atomic conditional update."""

    def __init__(self, db: Database) -> None:
        self._c = db.seats

    def ensure(self, training_id: str, capacity: int) -> None:
        """Create the counter unless it exists."""
        self._c.update_one(
            {"_id": training_id},
            {"$setOnInsert": {"capacity": capacity, "holders": [], "waitlist": []}},
            upsert=True,
        )

    def hold(self, training_id: str, booking_id: str, capacity: int) -> SeatHold:
        """Add the booking to the holders only while holders < capacity.

        Read the counter (created on the first hold), then push under a condition that
        repeats what was read: the capacity, and no holder at index capacity - 1, i.e. fewer
        holders than seats. Two members racing for the last seat cannot both win, and a
        full training costs no write. No ``$expr`` and no find-and-modify: both make
        SecantusDB scan the collection (bench/RESULTS.md, run 3).
        """
        while True:
            current = self._c.find_one({"_id": training_id}, {"holders": 1, "capacity": 1})
            if current is None:
                self.ensure(training_id, capacity)
                continue
            holders, seats = current["holders"], int(current["capacity"])
            if booking_id in holders:
                return SeatHold(SeatOutcome.ALREADY_HELD, free_seats(seats, len(holders)))
            if len(holders) >= seats:
                return SeatHold(SeatOutcome.FULL, 0)
            taken = self._c.update_one(
                {
                    "_id": training_id,
                    "capacity": seats,
                    "holders": {"$ne": booking_id},
                    f"holders.{seats - 1}": {"$exists": False},
                },
                {"$push": {"holders": booking_id}},
            )
            if taken.modified_count == 1:
                return SeatHold(SeatOutcome.HELD, free_seats(seats, len(holders) + 1))
            # Someone else changed the counter between the read and the write: read again.

    def enqueue(self, training_id: str, booking_id: str) -> int:
        """Append to the waitlist once; the 1-based position."""
        self._c.update_one(
            {"_id": training_id, "waitlist": {"$ne": booking_id}},
            {"$push": {"waitlist": booking_id}},
        )
        doc = self._c.find_one({"_id": training_id}, {"waitlist": 1})
        return int(doc["waitlist"].index(booking_id)) + 1

    def set_capacity(self, training_id: str, capacity: int) -> int:
        """Conditional on the holders fitting; otherwise as low as the holders allow."""
        done = self._c.find_one_and_update(
            {"_id": training_id, "$expr": {"$lte": [{"$size": "$holders"}, capacity]}},
            {"$set": {"capacity": capacity}},
            return_document=ReturnDocument.AFTER,
        )
        if done is not None:
            return capacity
        # Seats were taken between the API's check and now: keep every holder seated.
        doc = self._c.find_one({"_id": training_id}, {"holders": 1})
        floor = len(doc["holders"]) if doc else capacity
        self._c.update_one({"_id": training_id}, {"$set": {"capacity": floor}})
        return floor

    def holds(self, training_id: str, booking_id: str) -> bool:
        """Whether the booking is among the holders."""
        return self._c.find_one({"_id": training_id, "holders": booking_id}, {"_id": 1}) is not None

    def release(self, training_id: str, booking_id: str) -> bool:
        """Pull the booking from the holders."""
        result = self._c.update_one({"_id": training_id, "holders": booking_id}, {"$pull": {"holders": booking_id}})
        return result.modified_count == 1

    def leave_waitlist(self, training_id: str, booking_id: str) -> None:
        """Pull the booking from the waitlist."""
        self._c.update_one({"_id": training_id}, {"$pull": {"waitlist": booking_id}})

    def first_waitlisted(self, training_id: str) -> str | None:
        """The head of the waitlist when a seat is free."""
        doc = self._c.find_one({"_id": training_id})
        if not doc or not doc["waitlist"] or len(doc["holders"]) >= doc["capacity"]:
            return None
        return str(doc["waitlist"][0])

    def snapshot(self, training_id: str) -> dict[str, Any] | None:
        """The counter document."""
        return self._c.find_one({"_id": training_id})
