"""Stripe's signed webhook, turned into our events."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import deps
from core.services.webhooks import handle_stripe_webhook
from schemas.http import ErrorSchema, WebhookOut

PREFIX = "/webhooks"
blp = Blueprint("webhooks", __name__, description="Inbound webhooks")


@blp.route("/stripe")
class StripeWebhook(MethodView):
    @blp.response(200, WebhookOut)
    @blp.alt_response(400, schema=ErrorSchema, description="Signature does not verify")
    @blp.alt_response(503, schema=ErrorSchema, description="Not recorded: Stripe will retry")
    def post(self) -> Any:
        """Verify the ``Stripe-Signature``, re-fetch the object, publish our event."""
        # The raw bytes: the signature covers them exactly, not a re-serialisation.
        payload = request.get_data(cache=False)
        signature = request.headers.get("Stripe-Signature", "")
        outcome = handle_stripe_webhook(deps(), payload, signature)
        return {"received": True, "outcome": outcome}
