"""Ports: bookings and the seat counter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from core.model import ACTIVE_STATUSES, Booking, BookingStatus
from core.seats import SeatLedger


@dataclass(frozen=True)
class Move:
    """One guarded transition of ``Bookings.transition``, for a bulk of them."""

    booking_id: str
    training_id: str
    target: BookingStatus
    event_id: str
    at: datetime
    fields: dict[str, Any] = field(default_factory=dict)


class Bookings(Protocol):
    def add_requested(self, booking: Booking) -> Booking:
        """Create the booking in ``requested`` unless it exists (idempotent); the stored booking."""

    def add_requested_many(self, bookings: list[Booking]) -> dict[str, Booking]:
        """``add_requested`` of each, in one write; every booking as stored, by id."""

    def get(self, booking_id: str) -> Booking | None:
        """The booking with this id, if any."""

    def many(self, booking_ids: list[str]) -> dict[str, Booking]:
        """The stored bookings among these ids, by id, in one read."""

    def decided_among(
        self, training_id: str, trainee_ids: list[str], statuses: frozenset[BookingStatus]
    ) -> dict[str, set[str]]:
        """For each of these trainees with bookings on the training in ``statuses``: their ids, in one read."""

    def active_for(
        self,
        trainee_id: str,
        training_id: str,
        exclude: str | None = None,
        statuses: frozenset[BookingStatus] = ACTIVE_STATUSES,
    ) -> Booking | None:
        """The trainee's booking on this training in ``statuses`` (other than ``exclude``), if any."""

    def for_trainee(self, trainee_id: str) -> list[Booking]:
        """Every booking of a trainee, newest first."""

    def transition(
        self,
        booking_id: str,
        target: BookingStatus,
        event_id: str,
        at: datetime,
        fields: dict[str, Any] | None = None,
    ) -> Booking | None:
        """Move to ``target`` only from a status the state machine allows; the booking as ``event_id``
        left it in ``target`` (now or on an earlier delivery of the same event), else None."""

    def transition_many(self, moves: list[Move]) -> dict[str, Booking]:
        """Each ``transition`` in one write; then every moved booking as stored, by id (a caller checks
        that its status and history are the move's, as ``transition`` would have)."""

    def update_payment(self, booking_id: str, payment: dict[str, Any], event_id: str, at: datetime, step: str) -> bool:
        """Merge ``payment`` into the booking's payment record once per ``event_id``."""

    def claim_payment_intent(self, booking_id: str, attempt: int, at: datetime) -> bool:
        """Reserve the right to create the PaymentIntent of payment ``attempt``; False if reserved before."""

    def due_for_expiry(self, now: datetime, limit: int) -> list[Booking]:
        """Held bookings whose hold ended before ``now``, oldest first."""

    def live_on_training(self, training_id: str) -> list[Booking]:
        """Every held, waitlisted or confirmed booking of a training."""

    def pending_approval_for(self, training_ids: list[str]) -> list[Booking]:
        """Requests waiting for the expert on any of these trainings, oldest first."""

    def set_attendance(self, booking_id: str, present: bool, at: datetime) -> bool:
        """Mark a confirmed booking's trainee present or absent; False if the booking is not confirmed."""

    def claim_refund(self, booking_id: str, at: datetime) -> bool:
        """Reserve the right to refund the booking; False if reserved before."""


class Seats(Protocol):
    """Where seat ledgers are kept; the capacity worker is their only writer."""

    def load(self, training_id: str) -> SeatLedger | None:
        """The training's ledger as stored, at its version; None before its first save."""

    def save(self, ledger: SeatLedger) -> SeatLedger | None:
        """Store ``ledger`` if the stored one is still at ``ledger.version`` (compare-and-set); the
        ledger at its new version, or None when someone else changed it first (read and decide again)."""
