"""Events of sponsors: technology demos and sponsored seats, keyed by the training."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import validate

from events.base import DomainEvent, amount, optional, wire
from events.types import Topic


@dataclass(frozen=True, kw_only=True)
class DemoChanged(DomainEvent):
    """A technology demo, and the training it is linked to (shared by the four ``demo.*`` types)."""

    TOPIC = Topic.SPONSORS

    demo_id: str
    sponsor_id: str
    title: str
    training_id: str | None = None
    expert_id: str | None = None

    def key(self) -> str:
        """Keyed by the training it is linked to, else by the demo."""
        return self.training_id or self.demo_id

    def subject(self) -> str:
        """The demo."""
        return self.demo_id


@dataclass(frozen=True, kw_only=True)
class DemoCreated(DemoChanged):
    """A sponsor described a demo."""

    TYPE = "demo.created"


@dataclass(frozen=True, kw_only=True)
class DemoLinkRequested(DemoChanged):
    """A sponsor asked to show a demo at a training."""

    TYPE = "demo.link_requested"


@dataclass(frozen=True, kw_only=True)
class DemoLinkAccepted(DemoChanged):
    """The expert accepted the demo at the training."""

    TYPE = "demo.link_accepted"


@dataclass(frozen=True, kw_only=True)
class DemoLinkDeclined(DemoChanged):
    """The expert declined the demo."""

    TYPE = "demo.link_declined"


@dataclass(frozen=True, kw_only=True)
class SponsorshipChanged(DomainEvent):
    """A purchase of seats for a training (shared by the six sponsorship types); each type sends
    the optional fields it is about, and only those."""

    TOPIC = Topic.SPONSORS

    sponsorship_id: str
    sponsor_id: str
    training_id: str
    seats: int = wire(check=validate.Range(min=1))
    amount: int = amount()
    currency: str
    payment_intent_id: str | None = optional(nullable=True)
    payment_method: str | None = optional(nullable=True)
    codes: list[str] | None = optional()
    refund_id: str | None = optional(nullable=True)
    reason: str | None = optional(nullable=True)

    def subject(self) -> str:
        """The sponsorship."""
        return self.sponsorship_id


@dataclass(frozen=True, kw_only=True)
class SponsorshipRequested(SponsorshipChanged):
    """A sponsor ordered seats."""

    TYPE = "sponsorship.requested"


@dataclass(frozen=True, kw_only=True)
class SponsorshipPaymentSubmitted(SponsorshipChanged):
    """The sponsor submitted a payment method."""

    TYPE = "sponsorship.payment_submitted"


@dataclass(frozen=True, kw_only=True)
class SponsorshipPaid(SponsorshipChanged):
    """The sponsor's money came in."""

    TYPE = "sponsorship.paid"


@dataclass(frozen=True, kw_only=True)
class VouchersIssued(SponsorshipChanged):
    """The purchase's voucher codes exist."""

    TYPE = "vouchers.issued"


@dataclass(frozen=True, kw_only=True)
class SponsorshipCancelled(SponsorshipChanged):
    """The purchase was called off before it was paid."""

    TYPE = "sponsorship.cancelled"


@dataclass(frozen=True, kw_only=True)
class SponsorshipRefunded(SponsorshipChanged):
    """The sponsor got the whole purchase back."""

    TYPE = "sponsorship.refunded"
