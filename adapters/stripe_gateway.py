"""Stripe through the official library; the base URL decides real Stripe or localstripe."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import stripe

from adapters import metrics
from core.errors import InvalidSignature, PaymentDeclined, Unavailable
from core.ports import PaymentIntent, ProviderEvent, ProviderPayment, ProviderRefund

# Signed webhooks older than this are refused, as Stripe's own libraries do.
WEBHOOK_TOLERANCE_S = 300


class StripeGateway:
    """Implements ``PaymentGateway``."""

    def __init__(self, api_key: str, api_base: str, webhook_secret: str) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            max_network_retries=2,
        )
        self._webhook_secret = webhook_secret

    def create_intent(
        self, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str
    ) -> PaymentIntent:
        """Create a PaymentIntent (real Stripe dedupes by the idempotency key)."""
        intent = _call(
            lambda: self._client.v1.payment_intents.create(
                params={
                    "amount": amount,
                    "currency": currency,
                    "metadata": metadata,
                    "payment_method_types": ["card"],
                },
                options={"idempotency_key": idempotency_key},
            )
        )
        metrics.PAYMENT_INTENTS.labels(_currency(currency)).inc()
        return intent

    def find_intent(self, reference: str) -> PaymentIntent | None:
        """Scan PaymentIntents for one made for ``reference``; the crash-recovery path only."""
        try:
            page = self._client.v1.payment_intents.list(params={"limit": 100})
            for intent in page.auto_paging_iter():
                if (intent.to_dict().get("metadata") or {}).get("reference") == reference:
                    return _intent(intent)
        except stripe.APIConnectionError as exc:
            raise Unavailable(f"Stripe unreachable: {exc}") from exc
        return None

    def retrieve_intent(self, intent_id: str) -> PaymentIntent:
        """Re-fetch a PaymentIntent."""
        return _call(lambda: self._client.v1.payment_intents.retrieve(intent_id))

    def confirm_intent(self, intent_id: str, payment_method: str) -> PaymentIntent:
        """Attach the payment method, then confirm (server-side confirmation)."""
        try:
            _call(lambda: self._client.v1.payment_intents.update(intent_id, params={"payment_method": payment_method}))
            return _call(lambda: self._client.v1.payment_intents.confirm(intent_id))
        except stripe.InvalidRequestError as exc:
            # E.g. an unknown payment method, or (localstripe) a PaymentIntent whose
            # earlier charge failed: the trainee must see it, not a dead letter.
            raise PaymentDeclined(f"The payment could not be confirmed: {exc.user_message or exc}", exc.code) from exc

    def cancel_intent(self, intent_id: str) -> None:
        """Cancel an unpaid PaymentIntent; a paid or already cancelled one is left as it is."""
        intent = self.retrieve_intent(intent_id)
        if intent.status in ("requires_payment_method", "requires_confirmation", "requires_action"):
            try:
                self._client.v1.payment_intents.cancel(intent_id)
            except stripe.InvalidRequestError:
                pass  # it moved on meanwhile (paid or cancelled): the webhook tells what happened
            except stripe.APIConnectionError as exc:
                raise Unavailable(f"Stripe unreachable: {exc}") from exc

    def refund(self, intent_id: str, amount: int, idempotency_key: str) -> str:
        """Refund part or all of a paid PaymentIntent."""
        try:
            refund = self._client.v1.refunds.create(
                params={"payment_intent": intent_id, "amount": amount},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.APIConnectionError as exc:
            raise Unavailable(f"Stripe unreachable: {exc}") from exc
        currency = _currency(str(refund.currency or ""))
        metrics.REFUNDS.labels(currency).inc()
        metrics.REFUNDED_AMOUNT.labels(currency).inc(int(refund.amount or amount))
        return str(refund.id)

    def refunds_of(self, intent_id: str) -> list[str]:
        """The refunds of a PaymentIntent."""
        try:
            page = self._client.v1.refunds.list(params={"payment_intent": intent_id, "limit": 100})
        except stripe.APIConnectionError as exc:
            raise Unavailable(f"Stripe unreachable: {exc}") from exc
        return [str(r.id) for r in page.auto_paging_iter()]

    def verify_webhook(self, payload: bytes, signature: str) -> ProviderEvent:
        """Check the ``Stripe-Signature`` header against the endpoint secret."""
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, self._webhook_secret, tolerance=WEBHOOK_TOLERANCE_S
            )
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise InvalidSignature(f"Webhook signature does not verify: {exc}") from exc
        obj = event.to_dict()["data"]["object"]
        return ProviderEvent(id=event["id"], type=event["type"], object_id=str(obj.get("id", "")))

    def payments_since(self, since: datetime) -> list[ProviderPayment]:
        """Every PaymentIntent created since ``since``."""
        return [
            ProviderPayment(
                id=o["id"],
                status=o["status"],
                amount_received=int(o.get("amount_received") or (o["amount"] if o["status"] == "succeeded" else 0)),
                currency=o["currency"],
                created=datetime.fromtimestamp(o["created"], UTC),
                metadata=dict(o.get("metadata") or {}),
            )
            for o in self._list_since(self._client.v1.payment_intents, since)
        ]

    def refunds_since(self, since: datetime) -> list[ProviderRefund]:
        """Every refund created since ``since``."""
        return [
            ProviderRefund(
                id=o["id"],
                payment_intent_id=o.get("payment_intent"),
                amount=int(o["amount"]),
                currency=o["currency"],
                status=o["status"],
                created=datetime.fromtimestamp(o["created"], UTC),
            )
            for o in self._list_since(self._client.v1.refunds, since)
        ]

    @staticmethod
    def _list_since(service: Any, since: datetime) -> list[dict[str, Any]]:
        start = int(since.timestamp())
        try:
            try:
                page = service.list(params={"limit": 100, "created": {"gte": start}})
            except (stripe.InvalidRequestError, stripe.APIError):
                # localstripe filters lists by nothing but their parent object (it answers
                # 400 or 500 to the filter): list everything, filtered below.
                page = service.list(params={"limit": 100})
            found = [o.to_dict() for o in page.auto_paging_iter()]
        except stripe.APIConnectionError as exc:
            raise Unavailable(f"Stripe unreachable: {exc}") from exc
        return [o for o in found if o["created"] >= start]


def _call(request: Any) -> PaymentIntent:
    try:
        return _intent(request())
    except stripe.CardError as exc:
        raise PaymentDeclined(exc.user_message or str(exc), exc.code) from exc
    except stripe.APIConnectionError as exc:
        raise Unavailable(f"Stripe unreachable: {exc}") from exc


def _intent(resource: Any) -> PaymentIntent:
    obj = resource.to_dict()  # plain dicts all the way down
    charge = obj.get("latest_charge")
    # Real Stripe sends the charge id; localstripe expands the charge object.
    charge_id = charge if isinstance(charge, str) or charge is None else charge.get("id")
    error = obj.get("last_payment_error")
    return PaymentIntent(
        id=obj["id"],
        status=obj["status"],
        amount=int(obj["amount"]),
        currency=obj["currency"],
        client_secret=obj.get("client_secret"),
        metadata=dict(obj.get("metadata") or {}),
        last_error=error.get("message") if error else None,
        charge_id=charge_id,
    )


# The currencies the marketplace prices in; anything else is counted as "other" (bounded labels).
_CURRENCIES = frozenset({"eur", "usd", "gbp", "chf", "inr", "cad", "aud"})


def _currency(code: str) -> str:
    code = code.lower()
    return code if code in _CURRENCIES else "other"
