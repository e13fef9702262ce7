"""Ports: bookings and the seat counter."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from core.model import ACTIVE_STATUSES, Booking, BookingStatus, SeatHold


class Bookings(Protocol):
    def add_requested(self, booking: Booking) -> Booking:
        """Create the booking in ``requested`` unless it exists (idempotent); the stored booking."""

    def get(self, booking_id: str) -> Booking | None:
        """The booking with this id, if any."""

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
    ) -> bool:
        """Move to ``target`` only from a status the state machine allows; False if not."""

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
    def ensure(self, training_id: str, capacity: int) -> None:
        """Create the seat counter of a training unless it exists."""

    def hold(self, training_id: str, booking_id: str, capacity: int) -> SeatHold:
        """Take one seat for the booking atomically, never past capacity; the counter is
        created with ``capacity`` if the training has none yet. The outcome, and the seats
        left free after it."""

    def enqueue(self, training_id: str, booking_id: str) -> int:
        """Put the booking on the waitlist (once); its 1-based FIFO position."""

    def release(self, training_id: str, booking_id: str) -> bool:
        """Give the booking's seat back; False if it held none."""

    def leave_waitlist(self, training_id: str, booking_id: str) -> None:
        """Take the booking off the waitlist (once)."""

    def first_waitlisted(self, training_id: str) -> str | None:
        """The booking at the head of the waitlist, if there is a free seat for it."""

    def set_capacity(self, training_id: str, capacity: int) -> int:
        """Change the capacity, never below the seats held; the capacity now in force."""

    def holds(self, training_id: str, booking_id: str) -> bool:
        """Whether the booking holds a seat of the training."""

    def snapshot(self, training_id: str) -> dict[str, Any] | None:
        """Capacity, holders and waitlist of a training."""
