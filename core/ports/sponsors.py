"""Ports: technology demos, sponsored seats and their vouchers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from core.sponsoring import LinkStatus, Sponsorship, SponsorshipStatus, TechnologyDemo, Voucher
from events.envelope import Event


class Demos(Protocol):
    def add(self, demo: TechnologyDemo, announcing: Event | None = None) -> None:
        """Store a new demo."""

    def get(self, demo_id: str) -> TechnologyDemo | None:
        """The demo with this id."""

    def update(self, demo_id: str, fields: dict[str, Any]) -> None:
        """Change a demo's own fields."""

    def request_link(self, demo_id: str, training_id: str, at: datetime, announcing: Event | None = None) -> bool:
        """Ask to show the demo at a training (once); False if asked before."""

    def decide_link(
        self, demo_id: str, training_id: str, status: LinkStatus, at: datetime, announcing: Event | None = None
    ) -> bool:
        """Accept or decline a pending link; False if it was not pending."""

    def search(
        self, specialty: str | None, sponsor_id: str | None, training_id: str | None, limit: int, offset: int
    ) -> tuple[list[TechnologyDemo], int]:
        """Demos by specialty, sponsor or accepted training, newest first, and the total."""

    def pending_for_trainings(self, training_ids: list[str]) -> list[TechnologyDemo]:
        """Demos waiting for consent on any of these trainings."""


class Sponsorships(Protocol):
    def add(self, sponsorship: Sponsorship, announcing: Event | None = None) -> None:
        """Store a new purchase."""

    def get(self, sponsorship_id: str) -> Sponsorship | None:
        """The purchase with this id."""

    def for_sponsor(self, sponsor_id: str) -> list[Sponsorship]:
        """A sponsor's purchases, newest first."""

    def update_payment(self, sponsorship_id: str, payment: dict[str, Any]) -> None:
        """Merge into the purchase's payment record."""

    def claim_payment_intent(self, sponsorship_id: str, at: datetime) -> bool:
        """Reserve the right to create the PaymentIntent; False if reserved before."""

    def mark_paid(self, sponsorship_id: str, at: datetime) -> bool:
        """``payment_pending -> paid``; False if it was paid before."""

    def close(self, sponsorship_id: str, source: SponsorshipStatus, target: SponsorshipStatus, at: datetime) -> bool:
        """``source -> target`` (cancelled or refunded), guarded; False if it was not in ``source``."""

    def for_training(self, training_id: str) -> list[Sponsorship]:
        """Every purchase of seats on one training."""

    def claim_refund(self, sponsorship_id: str, at: datetime) -> bool:
        """Reserve the right to refund the purchase; False if reserved before."""


class Vouchers(Protocol):
    def issue(self, voucher: Voucher, slot: int) -> None:
        """Store the voucher for (sponsorship, slot) unless that slot has one (a replay)."""

    def for_sponsorship(self, sponsorship_id: str) -> list[Voucher]:
        """The vouchers of a purchase."""

    def get(self, code: str) -> Voucher | None:
        """The voucher with this code."""

    def redeem(self, code: str, booking_id: str, at: datetime) -> bool:
        """Claim the voucher for the booking (idempotent for that booking); False if taken or void."""

    def release(self, code: str, booking_id: str) -> bool:
        """Give the code back to its sponsor's pool if ``booking_id`` holds it; False otherwise."""

    def void_sponsorship(self, sponsorship_id: str, at: datetime) -> int:
        """Void every voucher of the purchase (its money went back); how many were still live."""
