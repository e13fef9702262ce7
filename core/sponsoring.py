"""Sponsors' side of the domain: technology demos, sponsored seats and their vouchers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class LinkStatus(StrEnum):
    """A demo shown at a training needs the training's expert to agree."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


@dataclass
class TechnologyDemo:
    """A device or technique a sponsor shows, and the trainings where it is shown."""

    id: str
    sponsor_id: str
    title: str
    created_at: datetime
    device: str | None = None
    technique: str | None = None
    description: str | None = None
    specialties: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    # {"training_id", "status", "requested_at", "decided_at"}
    trainings: list[dict[str, Any]] = field(default_factory=list)

    def link(self, training_id: str) -> dict[str, Any] | None:
        """The link to a training, if requested."""
        return next((x for x in self.trainings if x["training_id"] == training_id), None)


class SponsorshipStatus(StrEnum):
    """A purchase of sponsored seats."""

    PAYMENT_PENDING = "payment_pending"
    PAID = "paid"
    CANCELLED = "cancelled"  # the training was cancelled before the sponsor paid: nothing to pay
    REFUNDED = "refunded"  # the training was cancelled after: every cent went back, the vouchers are void


@dataclass
class Sponsorship:
    """Seats a sponsor pays for on one training; each becomes a voucher once paid."""

    id: str
    sponsor_id: str
    training_id: str
    seats: int
    amount: int
    currency: str
    status: SponsorshipStatus
    created_at: datetime
    payment: dict[str, Any] = field(default_factory=dict)
    paid_at: datetime | None = None
    closed_at: datetime | None = None  # cancelled or refunded


@dataclass
class Voucher:
    """One free seat on one training, paid by a sponsor, redeemed once by a trainee."""

    code: str
    sponsorship_id: str
    sponsor_id: str
    training_id: str
    issued_at: datetime
    redeemed_by_booking: str | None = None
    redeemed_at: datetime | None = None
    voided_at: datetime | None = None  # its training was cancelled and the sponsor refunded

    @property
    def state(self) -> str:
        """What the sponsor reads: ``available``, ``redeemed`` or ``void``."""
        if self.voided_at is not None:
            return "void"
        return "redeemed" if self.redeemed_by_booking else "available"


# Purchases whose page stops following them: the training was cancelled, nothing moves on.
FINAL_STATUSES = frozenset({SponsorshipStatus.CANCELLED, SponsorshipStatus.REFUNDED})


def payment_refusal(sponsorship: Sponsorship) -> str | None:
    """Why the purchase cannot be paid now, in words for the sponsor; None when it can.

    Only a pending purchase is paid, and only once the payments worker has made its PaymentIntent.
    """
    if sponsorship.status is SponsorshipStatus.PAID:
        return "This sponsorship is paid."
    if sponsorship.status is not SponsorshipStatus.PAYMENT_PENDING:
        return f"This sponsorship is {sponsorship.status}: its training was cancelled."
    if not sponsorship.payment.get("intent_id"):
        return "The payment is being prepared; try again in a moment."
    return None


def payable(sponsorship: Sponsorship) -> bool:
    """Whether the sponsor can pay the purchase now (the page shows the card form)."""
    return payment_refusal(sponsorship) is None


def vouchers_pending(sponsorship: Sponsorship, vouchers: list[Voucher]) -> bool:
    """Whether the purchase is paid and some of its vouchers are still being issued."""
    return sponsorship.status is SponsorshipStatus.PAID and len(vouchers) != sponsorship.seats


def is_final(sponsorship: Sponsorship, vouchers: list[Voucher]) -> bool:
    """Whether the purchase's page may stop following it: called off, refunded, or paid with every
    voucher issued."""
    if sponsorship.status in FINAL_STATUSES:
        return True
    return sponsorship.status is SponsorshipStatus.PAID and not vouchers_pending(sponsorship, vouchers)
