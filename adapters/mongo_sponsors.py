"""MongoDB repositories of the sponsors' side: demos, sponsorships, vouchers."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from adapters.mongo_compat import indexed, narrowed, on_index
from adapters.mongo_pending import FIELD as PENDING
from adapters.mongo_pending import push_pending, with_pending
from core.sponsoring import LinkStatus, Sponsorship, SponsorshipStatus, TechnologyDemo, Voucher
from events.envelope import Event


def create_sponsor_indexes(db: Database) -> None:
    """The indexes every query below needs."""
    db.demos.create_index([("specialties", ASCENDING), ("created_at", DESCENDING)], name="demos_specialty")
    db.demos.create_index([("sponsor_id", ASCENDING), ("created_at", DESCENDING)], name="demos_sponsor")
    db.demos.create_index(
        [("trainings.training_id", ASCENDING), ("trainings.status", ASCENDING)], name="demos_training"
    )
    db.demos.create_index([("created_at", DESCENDING)], name="demos_recent")
    db.sponsorships.create_index([("sponsor_id", ASCENDING), ("created_at", DESCENDING)])
    db.sponsorships.create_index("training_id", name="sponsorships_training")
    db.vouchers.create_index("code", unique=True)
    db.vouchers.create_index([("sponsorship_id", ASCENDING), ("slot", ASCENDING)])


class MongoDemos:
    """Technology demos with their training links embedded (a handful per demo)."""

    def __init__(self, db: Database) -> None:
        self._c = db.demos

    def add(self, demo: TechnologyDemo, announcing: Event | None = None) -> None:
        """Store a new demo, with the event announcing it."""
        doc = with_pending(dataclasses.asdict(demo), announcing)
        doc["_id"] = doc.pop("id")
        self._c.insert_one(doc)

    def get(self, demo_id: str) -> TechnologyDemo | None:
        """A live demo."""
        return _demo(self._c.find_one({"_id": demo_id, "deleted": {"$ne": True}}))

    def update(self, demo_id: str, fields: dict[str, Any]) -> None:
        """Set fields."""
        if fields:
            self._c.update_one({"_id": demo_id}, {"$set": fields})

    def request_link(self, demo_id: str, training_id: str, at: datetime, announcing: Event | None = None) -> bool:
        """Append a pending link unless one exists for the training, with the event announcing it."""
        link = {"training_id": training_id, "status": str(LinkStatus.PENDING), "requested_at": at, "decided_at": None}
        result = self._c.update_one(
            {"_id": demo_id, "trainings.training_id": {"$ne": training_id}},
            push_pending({"$push": {"trainings": link}}, announcing),
        )
        return result.modified_count == 1

    def decide_link(
        self, demo_id: str, training_id: str, status: LinkStatus, at: datetime, announcing: Event | None = None
    ) -> bool:
        """Pending -> accepted/declined, guarded, with the event announcing it."""
        result = self._c.update_one(
            {"_id": demo_id, "trainings": {"$elemMatch": {"training_id": training_id, "status": "pending"}}},
            push_pending({"$set": {"trainings.$.status": str(status), "trainings.$.decided_at": at}}, announcing),
        )
        return result.modified_count == 1

    def search(
        self, specialty: str | None, sponsor_id: str | None, training_id: str | None, limit: int, offset: int
    ) -> tuple[list[TechnologyDemo], int]:
        """Newest first; the index is named by the filter used."""
        query: dict[str, Any] = {"deleted": {"$ne": True}}
        index = "demos_recent"
        if specialty:
            query["specialties"] = specialty.lower()
            index = "demos_specialty"
        if sponsor_id:
            query["sponsor_id"] = sponsor_id
            index = "demos_sponsor"
        if training_id:
            query["trainings"] = {"$elemMatch": {"training_id": training_id, "status": "accepted"}}
            index = "demos_training"
        total = self._c.count_documents(query, **on_index(index))
        docs = indexed(self._c.find(query).sort([("created_at", DESCENDING), ("_id", ASCENDING)]), index)
        return [d for d in map(_demo, docs.skip(offset).limit(limit)) if d is not None], total

    def pending_for_trainings(self, training_ids: list[str]) -> list[TechnologyDemo]:
        """Demos with a pending link to any of the trainings."""
        query = {
            "deleted": {"$ne": True},
            "trainings": {"$elemMatch": {"training_id": {"$in": training_ids}, "status": "pending"}},
        }
        return [d for d in map(_demo, narrowed(self._c.find(query), "demos_training").limit(200)) if d is not None]


def _demo(doc: dict[str, Any] | None) -> TechnologyDemo | None:
    if doc is None:
        return None
    doc["id"] = doc.pop("_id")
    known = {f.name for f in dataclasses.fields(TechnologyDemo)}
    return TechnologyDemo(**{k: v for k, v in doc.items() if k in known})


class MongoSponsorships:
    """Purchases of sponsored seats."""

    def __init__(self, db: Database) -> None:
        self._c = db.sponsorships

    def add(self, sponsorship: Sponsorship, announcing: Event | None = None) -> None:
        """Store a new purchase, with the event announcing it."""
        doc = with_pending(dataclasses.asdict(sponsorship), announcing)
        doc["_id"] = doc.pop("id")
        doc["status"] = str(sponsorship.status)
        self._c.insert_one(doc)

    def get(self, sponsorship_id: str) -> Sponsorship | None:
        """The purchase."""
        return _sponsorship(self._c.find_one({"_id": sponsorship_id}))

    def for_sponsor(self, sponsor_id: str) -> list[Sponsorship]:
        """Newest first."""
        docs = self._c.find({"sponsor_id": sponsor_id}).sort("created_at", DESCENDING).limit(200)
        return [s for s in map(_sponsorship, docs) if s is not None]

    def update_payment(self, sponsorship_id: str, payment: dict[str, Any]) -> None:
        """Merge into the payment record."""
        self._c.update_one({"_id": sponsorship_id}, {"$set": {f"payment.{k}": v for k, v in payment.items()}})

    def claim_payment_intent(self, sponsorship_id: str, at: datetime) -> bool:
        """First caller only."""
        result = self._c.update_one(
            {"_id": sponsorship_id, "payment.claimed_at": {"$exists": False}}, {"$set": {"payment.claimed_at": at}}
        )
        return result.modified_count == 1

    def mark_paid(self, sponsorship_id: str, at: datetime) -> bool:
        """payment_pending -> paid, once."""
        result = self._c.update_one(
            {"_id": sponsorship_id, "status": str(SponsorshipStatus.PAYMENT_PENDING)},
            {"$set": {"status": str(SponsorshipStatus.PAID), "paid_at": at}},
        )
        return result.modified_count == 1

    def close(self, sponsorship_id: str, source: SponsorshipStatus, target: SponsorshipStatus, at: datetime) -> bool:
        """source -> target, guarded."""
        result = self._c.update_one(
            {"_id": sponsorship_id, "status": str(source)}, {"$set": {"status": str(target), "closed_at": at}}
        )
        return result.modified_count == 1

    def for_training(self, training_id: str) -> list[Sponsorship]:
        """On the training's index."""
        docs = narrowed(self._c.find({"training_id": training_id}), "sponsorships_training")
        return [s for s in map(_sponsorship, docs) if s is not None]

    def claim_refund(self, sponsorship_id: str, at: datetime) -> bool:
        """First caller only."""
        result = self._c.update_one(
            {"_id": sponsorship_id, "payment.refund_claimed_at": {"$exists": False}},
            {"$set": {"payment.refund_claimed_at": at}},
        )
        return result.modified_count == 1


def _sponsorship(doc: dict[str, Any] | None) -> Sponsorship | None:
    if doc is None:
        return None
    doc["id"] = doc.pop("_id")
    doc["status"] = SponsorshipStatus(doc["status"])
    doc.pop(PENDING, None)
    return Sponsorship(**doc)


class MongoVouchers:
    """Voucher codes, one per (sponsorship, slot), unique by code."""

    def __init__(self, db: Database) -> None:
        self._c = db.vouchers

    def issue(self, voucher: Voucher, slot: int) -> None:
        """Insert for the slot unless present: a replay keeps the codes already sent."""
        doc = {**dataclasses.asdict(voucher), "slot": slot}
        doc["_id"] = f"{voucher.sponsorship_id}:{slot}"
        try:
            self._c.insert_one(doc)
        except DuplicateKeyError:
            pass  # this slot has its voucher (or, astronomically rarely, the code collided)

    def for_sponsorship(self, sponsorship_id: str) -> list[Voucher]:
        """By slot."""
        docs = self._c.find({"sponsorship_id": sponsorship_id}).sort("slot", ASCENDING)
        return [_voucher(d) for d in docs]

    def get(self, code: str) -> Voucher | None:
        """By code (case-insensitive: people type them)."""
        doc = self._c.find_one({"code": code.strip().upper()})
        return _voucher(doc) if doc else None

    def redeem(self, code: str, booking_id: str, at: datetime) -> bool:
        """Free (and not void), or already this booking's: one atomic update."""
        result = self._c.update_one(
            {"code": code.strip().upper(), "redeemed_by_booking": {"$in": [None, booking_id]}, "voided_at": None},
            {"$set": {"redeemed_by_booking": booking_id, "redeemed_at": at}},
        )
        return result.matched_count == 1

    def release(self, code: str, booking_id: str) -> bool:
        """Only the booking that holds the code gives it back: a replay, or a later holder, is left alone."""
        result = self._c.update_one(
            {"code": code.strip().upper(), "redeemed_by_booking": booking_id},
            {"$set": {"redeemed_by_booking": None, "redeemed_at": None}},
        )
        return result.modified_count == 1

    def void_sponsorship(self, sponsorship_id: str, at: datetime) -> int:
        """One bulk update on the purchase's index."""
        result = self._c.update_many({"sponsorship_id": sponsorship_id, "voided_at": None}, {"$set": {"voided_at": at}})
        return result.modified_count


def _voucher(doc: dict[str, Any]) -> Voucher:
    known = {f.name for f in dataclasses.fields(Voucher)}
    return Voucher(**{k: v for k, v in doc.items() if k in known})
