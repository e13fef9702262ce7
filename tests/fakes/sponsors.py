"""Fakes of the sponsors' ports: demos with their training links, sponsorships, vouchers."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.sponsoring import LinkStatus, Sponsorship, SponsorshipStatus, TechnologyDemo, Voucher
from events.envelope import Event
from tests.fakes.messaging import FakePendingEvents


@dataclass
class FakeDemos:
    """Demos by id; ``deleted`` ids are hidden from reads, as the adapter hides them."""

    pending: FakePendingEvents = field(default_factory=FakePendingEvents)
    rows: dict[str, TechnologyDemo] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)

    def add(self, demo: TechnologyDemo, announcing: Event | None = None) -> None:
        """Store a new demo."""
        self.rows[demo.id] = copy.deepcopy(demo)
        self.pending.keep("demos", demo.id, announcing)

    def _live(self) -> list[TechnologyDemo]:
        return [d for d in self.rows.values() if d.id not in self.deleted]

    def get(self, demo_id: str) -> TechnologyDemo | None:
        """A live demo."""
        return None if demo_id in self.deleted else copy.deepcopy(self.rows.get(demo_id))

    def update(self, demo_id: str, fields: dict[str, Any]) -> None:
        """Set fields (``deleted`` hides the demo)."""
        for name, value in fields.items():
            if name == "deleted":
                (self.deleted.add if value else self.deleted.discard)(demo_id)
            else:
                setattr(self.rows[demo_id], name, copy.deepcopy(value))

    def request_link(self, demo_id: str, training_id: str, at: datetime, announcing: Event | None = None) -> bool:
        """A pending link, once per training."""
        demo = self.rows.get(demo_id)
        if demo is None or demo.link(training_id) is not None:
            return False
        demo.trainings.append({"training_id": training_id, "status": str(LinkStatus.PENDING),
                               "requested_at": at, "decided_at": None})  # fmt: skip
        self.pending.keep("demos", demo_id, announcing)
        return True

    def decide_link(
        self, demo_id: str, training_id: str, status: LinkStatus, at: datetime, announcing: Event | None = None
    ) -> bool:
        """Only a pending link."""
        demo = self.rows.get(demo_id)
        link = demo.link(training_id) if demo else None
        if link is None or link["status"] != LinkStatus.PENDING:
            return False
        link.update(status=str(status), decided_at=at)
        self.pending.keep("demos", demo_id, announcing)
        return True

    def search(
        self, specialty: str | None, sponsor_id: str | None, training_id: str | None, limit: int, offset: int
    ) -> tuple[list[TechnologyDemo], int]:
        """Newest first, then id."""
        found = [
            d for d in self._live()
            if (not specialty or specialty.lower() in d.specialties)
            and (not sponsor_id or d.sponsor_id == sponsor_id)
            and (not training_id or (d.link(training_id) or {}).get("status") == LinkStatus.ACCEPTED)
        ]  # fmt: skip
        found.sort(key=lambda d: d.id)
        found.sort(key=lambda d: d.created_at, reverse=True)
        return copy.deepcopy(found[offset : offset + limit]), len(found)

    def pending_for_trainings(self, training_ids: list[str]) -> list[TechnologyDemo]:
        """With a pending link to any of the trainings."""
        return [
            copy.deepcopy(d) for d in self._live()
            if any(x["training_id"] in training_ids and x["status"] == LinkStatus.PENDING for x in d.trainings)
        ]  # fmt: skip


@dataclass
class FakeSponsorships:
    """Purchases by id; every status change guarded."""

    pending: FakePendingEvents = field(default_factory=FakePendingEvents)
    rows: dict[str, Sponsorship] = field(default_factory=dict)

    def add(self, sponsorship: Sponsorship, announcing: Event | None = None) -> None:
        """Store a new purchase."""
        self.rows[sponsorship.id] = copy.deepcopy(sponsorship)
        self.pending.keep("sponsorships", sponsorship.id, announcing)

    def get(self, sponsorship_id: str) -> Sponsorship | None:
        """A copy."""
        return copy.deepcopy(self.rows.get(sponsorship_id))

    def for_sponsor(self, sponsor_id: str) -> list[Sponsorship]:
        """Newest first."""
        mine = sorted((s for s in self.rows.values() if s.sponsor_id == sponsor_id), key=lambda s: s.created_at)
        return copy.deepcopy(mine[::-1][:200])

    def update_payment(self, sponsorship_id: str, payment: dict[str, Any]) -> None:
        """Merge."""
        if sponsorship_id in self.rows:
            self.rows[sponsorship_id].payment.update(copy.deepcopy(payment))

    def _claim(self, sponsorship_id: str, name: str, at: datetime) -> bool:
        s = self.rows.get(sponsorship_id)
        if s is None or name in s.payment:
            return False
        s.payment[name] = at
        return True

    def claim_payment_intent(self, sponsorship_id: str, at: datetime) -> bool:
        """First caller only."""
        return self._claim(sponsorship_id, "claimed_at", at)

    def mark_paid(self, sponsorship_id: str, at: datetime) -> bool:
        """payment_pending -> paid, once."""
        s = self.rows.get(sponsorship_id)
        if s is None or s.status is not SponsorshipStatus.PAYMENT_PENDING:
            return False
        s.status, s.paid_at = SponsorshipStatus.PAID, at
        return True

    def close(self, sponsorship_id: str, source: SponsorshipStatus, target: SponsorshipStatus, at: datetime) -> bool:
        """source -> target, guarded."""
        s = self.rows.get(sponsorship_id)
        if s is None or s.status is not source:
            return False
        s.status, s.closed_at = target, at
        return True

    def for_training(self, training_id: str) -> list[Sponsorship]:
        """Every purchase on the training."""
        return [copy.deepcopy(s) for s in self.rows.values() if s.training_id == training_id]

    def claim_refund(self, sponsorship_id: str, at: datetime) -> bool:
        """First caller only."""
        return self._claim(sponsorship_id, "refund_claimed_at", at)


@dataclass
class FakeVouchers:
    """Vouchers by (sponsorship, slot), codes unique."""

    rows: dict[tuple[str, int], Voucher] = field(default_factory=dict)

    def issue(self, voucher: Voucher, slot: int) -> None:
        """Unless the slot (or the code) has one: a replay keeps the codes already sent."""
        if (voucher.sponsorship_id, slot) not in self.rows and self.get(voucher.code) is None:
            self.rows[(voucher.sponsorship_id, slot)] = copy.deepcopy(voucher)

    def for_sponsorship(self, sponsorship_id: str) -> list[Voucher]:
        """By slot."""
        return [copy.deepcopy(v) for (s, _), v in sorted(self.rows.items()) if s == sponsorship_id]

    def _by_code(self, code: str) -> Voucher | None:
        return next((v for v in self.rows.values() if v.code == code.strip().upper()), None)

    def get(self, code: str) -> Voucher | None:
        """By code, as typed."""
        return copy.deepcopy(self._by_code(code))

    def redeem(self, code: str, booking_id: str, at: datetime) -> bool:
        """Free and not void, or already this booking's."""
        v = self._by_code(code)
        if v is None or v.voided_at is not None or v.redeemed_by_booking not in (None, booking_id):
            return False
        v.redeemed_by_booking, v.redeemed_at = booking_id, at
        return True

    def release(self, code: str, booking_id: str) -> bool:
        """Only the holder gives it back."""
        v = self._by_code(code)
        if v is None or v.redeemed_by_booking != booking_id:
            return False
        v.redeemed_by_booking = v.redeemed_at = None
        return True

    def void_sponsorship(self, sponsorship_id: str, at: datetime) -> int:
        """How many were still live."""
        live = [v for v in self.rows.values() if v.sponsorship_id == sponsorship_id and v.voided_at is None]
        for v in live:
            v.voided_at = at
        return len(live)
