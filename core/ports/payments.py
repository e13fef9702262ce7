"""Ports: the payment provider, its webhooks, and the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from core.ledger import LedgerEntry


@dataclass(frozen=True)
class PaymentIntent:
    """What we keep of a Stripe PaymentIntent."""

    id: str
    status: str
    amount: int
    currency: str
    client_secret: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    last_error: str | None = None
    charge_id: str | None = None


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event from the payment provider."""

    id: str
    type: str
    object_id: str


class PaymentGateway(Protocol):
    def create_intent(
        self, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str
    ) -> PaymentIntent:
        """Create a PaymentIntent."""

    def find_intent(self, reference: str) -> PaymentIntent | None:
        """The PaymentIntent whose metadata ``reference`` is this, if any (recovery after a crash)."""

    def retrieve_intent(self, intent_id: str) -> PaymentIntent:
        """Re-fetch a PaymentIntent from the provider."""

    def confirm_intent(self, intent_id: str, payment_method: str) -> PaymentIntent:
        """Attach the payment method and confirm; raise ``PaymentDeclined`` if refused."""

    def cancel_intent(self, intent_id: str) -> None:
        """Cancel a PaymentIntent that was not paid (nothing happens to one that was)."""

    def refund(self, intent_id: str, amount: int, idempotency_key: str) -> str:
        """Refund ``amount`` of a paid PaymentIntent; the refund id."""

    def refunds_of(self, intent_id: str) -> list[str]:
        """Ids of the refunds made on a PaymentIntent (recovery after a crash)."""

    def verify_webhook(self, payload: bytes, signature: str) -> ProviderEvent:
        """Check the webhook signature; raise ``InvalidSignature`` if it does not verify."""

    def payments_since(self, since: datetime) -> list[ProviderPayment]:
        """Every PaymentIntent created at or after ``since``."""

    def refunds_since(self, since: datetime) -> list[ProviderRefund]:
        """Every refund created at or after ``since``."""


@dataclass(frozen=True)
class ProviderPayment:
    """A PaymentIntent as the provider lists it, for reconciliation."""

    id: str
    status: str
    amount_received: int
    currency: str
    created: datetime
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderRefund:
    """A refund as the provider lists it, for reconciliation."""

    id: str
    payment_intent_id: str | None
    amount: int
    currency: str
    status: str
    created: datetime


class ProviderEvents(Protocol):
    def seen(self, provider_event_id: str) -> bool:
        """Whether this provider event was already turned into our events."""

    def record(self, provider_event_id: str, at: datetime) -> None:
        """Remember that this provider event was handled."""


class Ledger(Protocol):
    def record(self, entry: LedgerEntry) -> bool:
        """Store the entry once (by id); False if it was there."""

    def charge(self, payment_intent_id: str) -> LedgerEntry | None:
        """The charge entry of a PaymentIntent, if recorded."""

    def refunds_of(self, payment_intent_id: str) -> list[LedgerEntry]:
        """The refund entries of a PaymentIntent, oldest first."""

    def entries(self, start: datetime, end: datetime, expert_id: str | None = None) -> list[LedgerEntry]:
        """Entries with ``start <= at < end`` (one expert's, or all), oldest first."""
