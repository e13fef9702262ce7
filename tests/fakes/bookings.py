"""Fake of the ``Bookings`` port: guarded transitions from the state machine in ``core.model``."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.cancellation import RefundTerms
from core.model import ACTIVE_STATUSES, Booking, BookingStatus, sources_of
from core.ports.bookings import Move

_LIVE = frozenset(
    {BookingStatus.PENDING_APPROVAL, BookingStatus.HELD, BookingStatus.WAITLISTED, BookingStatus.CONFIRMED}
)


def _set(booking: Booking, name: str, value: Any) -> None:
    """``$set`` of one field as the adapter reads it back: statuses and terms typed, ``a.b`` nested."""
    if "." in name:
        head, _, rest = name.partition(".")
        getattr(booking, head)[rest] = copy.deepcopy(value)
    elif name in ("status", "cancelled_from") and value is not None:
        setattr(booking, name, BookingStatus(value))
    elif name == "refund_terms" and isinstance(value, dict):
        setattr(booking, name, RefundTerms.from_dict(value))
    else:
        setattr(booking, name, copy.deepcopy(value))


@dataclass
class FakeBookings:
    """Bookings by id; a read returns a copy, as a database read does."""

    rows: dict[str, Booking] = field(default_factory=dict)

    def add_requested(self, booking: Booking) -> Booking:
        """Insert unless present; the stored booking either way."""
        if booking.id not in self.rows:
            self.rows[booking.id] = copy.deepcopy(booking)
        return copy.deepcopy(self.rows[booking.id])

    def add_requested_many(self, bookings: list[Booking]) -> dict[str, Booking]:
        """``add_requested`` of each."""
        return {b.id: self.add_requested(b) for b in bookings}

    def get(self, booking_id: str) -> Booking | None:
        """A copy of the booking."""
        return copy.deepcopy(self.rows.get(booking_id))

    def many(self, booking_ids: list[str]) -> dict[str, Booking]:
        """Copies of the stored ones."""
        return {i: copy.deepcopy(self.rows[i]) for i in booking_ids if i in self.rows}

    def decided_among(
        self, training_id: str, trainee_ids: list[str], statuses: frozenset[BookingStatus]
    ) -> dict[str, set[str]]:
        """Their bookings on the training in ``statuses``, by trainee."""
        out: dict[str, set[str]] = {}
        for b in self.rows.values():
            if b.training_id == training_id and b.trainee_id in trainee_ids and b.status in statuses:
                out.setdefault(b.trainee_id, set()).add(b.id)
        return out

    def active_for(
        self,
        trainee_id: str,
        training_id: str,
        exclude: str | None = None,
        statuses: frozenset[BookingStatus] = ACTIVE_STATUSES,
    ) -> Booking | None:
        """The trainee's booking on the training in ``statuses``, other than ``exclude``."""
        for b in self.rows.values():
            if (b.trainee_id, b.training_id) == (trainee_id, training_id) and b.status in statuses and b.id != exclude:
                return copy.deepcopy(b)
        return None

    def for_trainee(self, trainee_id: str) -> list[Booking]:
        """Newest first, at most 200."""
        mine = sorted((b for b in self.rows.values() if b.trainee_id == trainee_id), key=lambda b: b.requested_at)
        return [copy.deepcopy(b) for b in reversed(mine)][:200]

    def transition(
        self,
        booking_id: str,
        target: BookingStatus,
        event_id: str,
        at: datetime,
        fields: dict[str, Any] | None = None,
    ) -> Booking | None:
        """Only from a status ``sources_of(target)`` allows; the step goes to the history. The booking
        (a copy) if ``event_id`` left it in ``target``, now or on an earlier delivery."""
        booking = self.rows.get(booking_id)
        if booking is None:
            return None
        if booking.status in sources_of(target):
            booking.status = target
            for name, value in (fields or {}).items():
                _set(booking, name, value)
            booking.history.append({"step": str(target), "at": at, "event_id": event_id})
        moved = booking.status is target and any(
            h.get("event_id") == event_id and h["step"] == str(target) for h in booking.history
        )
        return self.get(booking_id) if moved else None

    def transition_many(self, moves: list[Move]) -> dict[str, Booking]:
        """Each guarded transition, then the moved bookings as stored."""
        for m in moves:
            self.transition(m.booking_id, m.target, m.event_id, m.at, m.fields)
        return self.many([m.booking_id for m in moves])

    def update_payment(self, booking_id: str, payment: dict[str, Any], event_id: str, at: datetime, step: str) -> bool:
        """Merge once per (event, step)."""
        booking = self.rows.get(booking_id)
        if booking is None or any(h.get("event_id") == event_id and h["step"] == step for h in booking.history):
            return False
        booking.payment.update(copy.deepcopy(payment))
        booking.history.append({"step": step, "at": at, "event_id": event_id})
        return True

    def claim_payment_intent(self, booking_id: str, attempt: int, at: datetime) -> bool:
        """First caller of each attempt only; attempts only move forward."""
        booking = self.rows.get(booking_id)
        if booking is None or booking.payment.get("claimed_attempt", -1) >= attempt:
            return False
        booking.payment.update(claimed_attempt=attempt, claimed_at=at)
        return True

    def due_for_expiry(self, now: datetime, limit: int) -> list[Booking]:
        """Held or pending approval, expired by ``now``, oldest expiry first."""
        waiting = (BookingStatus.HELD, BookingStatus.PENDING_APPROVAL)
        due = [b for b in self.rows.values() if b.status in waiting and b.expires_at and b.expires_at <= now]
        return [copy.deepcopy(b) for b in sorted(due, key=lambda b: b.expires_at or now)][:limit]

    def live_on_training(self, training_id: str) -> list[Booking]:
        """Pending approval, held, waitlisted or confirmed."""
        return [copy.deepcopy(b) for b in self.rows.values() if b.training_id == training_id and b.status in _LIVE]

    def pending_approval_for(self, training_ids: list[str]) -> list[Booking]:
        """Oldest request first."""
        found = [b for b in self.rows.values()
                 if b.training_id in training_ids and b.status is BookingStatus.PENDING_APPROVAL]  # fmt: skip
        return [copy.deepcopy(b) for b in sorted(found, key=lambda b: b.requested_at)]

    def set_attendance(self, booking_id: str, present: bool, at: datetime) -> bool:
        """Only a confirmed booking."""
        booking = self.rows.get(booking_id)
        if booking is None or booking.status is not BookingStatus.CONFIRMED:
            return False
        booking.attendance, booking.attendance_at = ("present" if present else "absent"), at
        return True

    def claim_refund(self, booking_id: str, at: datetime) -> bool:
        """First caller only."""
        booking = self.rows.get(booking_id)
        if booking is None or "refund_claimed_at" in booking.payment:
            return False
        booking.payment["refund_claimed_at"] = at
        return True
