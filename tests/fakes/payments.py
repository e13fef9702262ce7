"""Fakes of the payment ports: a Stripe-like gateway, its webhook markers' sibling, the ledger."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from core.errors import InvalidSignature, PaymentDeclined, Unavailable
from core.ledger import EntryKind, LedgerEntry
from core.ports import PaymentIntent, ProviderEvent, ProviderPayment, ProviderRefund

SIGNATURE = "fake-signature"  # the one webhook signature the fake gateway accepts
DECLINED = "pm_card_chargeDeclined"  # the payment method the fake bank refuses (Stripe's test name)
UNPAID = ("requires_payment_method", "requires_confirmation", "requires_action")


def webhook(event_id: str, type: str, object_id: str) -> bytes:
    """The body of a provider webhook, as ``FakeGateway.verify_webhook`` reads it."""
    return json.dumps({"id": event_id, "type": type, "data": {"object": {"id": object_id}}}).encode()


@dataclass
class FakeGateway:
    """PaymentIntents and refunds in memory, deduped by idempotency key as Stripe does.

    ``down = True`` makes every call raise ``Unavailable``; paying with ``DECLINED`` fails.
    """

    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    intents: dict[str, PaymentIntent] = field(default_factory=dict)
    created: dict[str, datetime] = field(default_factory=dict)
    refunds: dict[str, ProviderRefund] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # idempotency key -> object id
    down: bool = False

    def _up(self) -> None:
        if self.down:
            raise Unavailable("Stripe unreachable (fake)")

    def create_intent(
        self, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str
    ) -> PaymentIntent:
        """A new intent waiting for a payment method; the same one again for the same key."""
        self._up()
        if idempotency_key in self.keys:
            return self.intents[self.keys[idempotency_key]]
        intent_id = f"pi_{len(self.intents) + 1}"
        intent = PaymentIntent(intent_id, "requires_payment_method", amount, currency, f"{intent_id}_secret",
                               dict(metadata))  # fmt: skip
        self.intents[intent_id], self.created[intent_id] = intent, self.clock()
        self.keys[idempotency_key] = intent_id
        return intent

    def find_intent(self, reference: str) -> PaymentIntent | None:
        """The intent made for ``reference``."""
        self._up()
        return next((i for i in self.intents.values() if i.metadata.get("reference") == reference), None)

    def retrieve_intent(self, intent_id: str) -> PaymentIntent:
        """The intent as it stands."""
        self._up()
        return self.intents[intent_id]

    def set_status(self, intent_id: str, status: str, last_error: str | None = None) -> PaymentIntent:
        """What happened at the provider meanwhile (a test's lever)."""
        self.intents[intent_id] = replace(self.intents[intent_id], status=status, last_error=last_error)
        return self.intents[intent_id]

    def confirm_intent(self, intent_id: str, payment_method: str) -> PaymentIntent:
        """Succeeds, except with ``DECLINED``: the intent waits for another method and ``PaymentDeclined``."""
        self._up()
        charge = f"ch_{intent_id}_{payment_method}"
        if payment_method == DECLINED:
            self.intents[intent_id] = replace(self.set_status(intent_id, "requires_payment_method",
                                                              "Your card was declined."), charge_id=charge)  # fmt: skip
            raise PaymentDeclined("Your card was declined.", "card_declined")
        self.intents[intent_id] = replace(self.set_status(intent_id, "succeeded"), charge_id=charge)
        return self.intents[intent_id]

    def cancel_intent(self, intent_id: str) -> None:
        """Cancel an unpaid intent; a paid or cancelled one stays as it is."""
        self._up()
        if self.intents[intent_id].status in UNPAID:
            self.set_status(intent_id, "canceled", self.intents[intent_id].last_error)

    def refund(self, intent_id: str, amount: int, idempotency_key: str) -> str:
        """A refund id; the same one again for the same key."""
        self._up()
        if idempotency_key not in self.keys:
            refund_id = f"re_{len(self.refunds) + 1}"
            currency = self.intents[intent_id].currency
            self.refunds[refund_id] = ProviderRefund(refund_id, intent_id, amount, currency, "succeeded", self.clock())
            self.keys[idempotency_key] = refund_id
        return self.keys[idempotency_key]

    def refunds_of(self, intent_id: str) -> list[str]:
        """The refund ids of an intent."""
        self._up()
        return [r.id for r in self.refunds.values() if r.payment_intent_id == intent_id]

    def verify_webhook(self, payload: bytes, signature: str) -> ProviderEvent:
        """Only ``SIGNATURE`` verifies; the body is what ``webhook()`` builds."""
        if signature != SIGNATURE:
            raise InvalidSignature("Webhook signature does not verify (fake).")
        body = json.loads(payload)
        return ProviderEvent(id=body["id"], type=body["type"], object_id=str(body["data"]["object"].get("id", "")))

    def payments_since(self, since: datetime) -> list[ProviderPayment]:
        """Intents created at or after ``since``."""
        self._up()
        return [
            ProviderPayment(
                i.id,
                i.status,
                i.amount if i.status == "succeeded" else 0,
                i.currency,
                self.created[i.id],
                dict(i.metadata),
            )  # fmt: skip
            for i in self.intents.values()
            if self.created[i.id] >= since
        ]

    def refunds_since(self, since: datetime) -> list[ProviderRefund]:
        """Refunds created at or after ``since``."""
        self._up()
        return [r for r in self.refunds.values() if r.created >= since]


@dataclass
class FakeLedger:
    """Entries unique by id, never changed."""

    rows: dict[str, LedgerEntry] = field(default_factory=dict)

    def record(self, entry: LedgerEntry) -> bool:
        """Once by id."""
        if entry.id in self.rows:
            return False
        self.rows[entry.id] = entry
        return True

    def charge(self, payment_intent_id: str) -> LedgerEntry | None:
        """The charge entry of an intent."""
        return self.rows.get(f"charge:{payment_intent_id}")

    def refunds_of(self, payment_intent_id: str) -> list[LedgerEntry]:
        """Oldest first."""
        mine = [e for e in self.rows.values() if e.payment_intent_id == payment_intent_id]
        return sorted((e for e in mine if e.kind is EntryKind.REFUND), key=lambda e: e.at)

    def entries(self, start: datetime, end: datetime, expert_id: str | None = None) -> list[LedgerEntry]:
        """``start <= at < end``, one expert's or all, oldest first."""
        found = [e for e in self.rows.values() if start <= e.at < end and expert_id in (None, e.expert_id)]
        return sorted(found, key=lambda e: e.at)
