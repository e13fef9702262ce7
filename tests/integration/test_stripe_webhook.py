"""The Stripe webhook: signatures verified, replays without a second effect."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from devstack.services import register_stripe_webhook
from events import PaymentSucceeded
from events.codec import decode
from events.types import topic_name
from tests.support import Stack, read_topic, wait_for


def _signed(secret: str, payload: bytes, at: int | None = None) -> str:
    at = at or int(time.time())
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def _notice(event_id: str, intent_id: str) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": {"id": intent_id, "object": "payment_intent", "status": "succeeded"}},
        }
    ).encode()


def test_a_webhook_with_a_bad_signature_is_refused(stack: Stack) -> None:
    payload = _notice("evt_forged", "pi_forged")
    secret = stack.config.stripe_webhook_secret
    cases = {
        "wrong secret": _signed("whsec_attacker", payload),
        "missing": "",
        "stale": _signed(secret, payload, at=int(time.time()) - 301),
    }
    for name, signature in cases.items():
        response = stack.api.call(
            "POST",
            "/api/v1/webhooks/stripe",
            data=payload,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )
        assert response.status_code == 400, (name, response.text)
        assert response.json()["code"] == "invalid_signature", name
    assert stack.db.provider_events.count_documents({}) == 0


def test_a_replayed_webhook_has_no_second_effect(stack: Stack) -> None:
    # Stripe's own notices go nowhere in this test: we deliver them by hand.
    register_stripe_webhook(
        stack.infra.stripe.url, "tests", "http://127.0.0.1:9/nowhere", stack.config.stripe_webhook_secret
    )
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, price=30000)
    booking = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"]).json()["booking"]
    intent_id = wait_for(
        lambda: (stack.booking(booking["id"]) or {}).get("payment", {}).get("intent_id"), what="PaymentIntent"
    )
    pay = api.call(
        "POST", f"/api/v1/bookings/{booking['id']}/payment", trainee["token"], json={"payment_method": "pm_card_visa"}
    )
    assert pay.status_code == 202, pay.text
    # Stripe's webhook went nowhere (the API down, say): the worker's own view of Stripe's
    # answer confirms the booking all the same.
    wait_for(lambda: stack.booking(booking["id"])["status"] == "confirmed", what="confirmed without a webhook")

    payload = _notice("evt_replayed_once", intent_id)
    headers = {
        "Stripe-Signature": _signed(stack.config.stripe_webhook_secret, payload),
        "Content-Type": "application/json",
    }
    first = api.call("POST", "/api/v1/webhooks/stripe", data=payload, headers=headers)
    assert first.status_code == 200 and first.json()["outcome"] == "published", first.text
    wait_for(lambda: stack.booking(booking["id"])["status"] == "confirmed", what="confirmation")

    second = api.call("POST", "/api/v1/webhooks/stripe", data=payload, headers=headers)
    assert second.status_code == 200 and second.json()["outcome"] == "duplicate"

    records = read_topic(stack.config, topic_name(stack.config.kafka_topic_prefix, "payments"))
    succeeded = [e for e in map(decode, (r.value for r in records)) if e.type == PaymentSucceeded.TYPE]
    # The payments worker saw the success in Stripe's answer and the webhook saw it too:
    # one event id between them, which every consumer applies once.
    assert len({e.id for e in succeeded}) == 1
    assert {e.source for e in succeeded} == {"payments-worker", "stripe-webhook"}
    doc = stack.booking(booking["id"])
    assert [s["step"] for s in doc["history"]].count("confirmed") == 1
    mails = wait_for(
        lambda: [m for m in stack.mails_to(trainee["email"]) if m["Subject"].startswith("Booking confirmed")],
        what="e-mail",
    )
    assert len(mails) == 1


def test_a_declined_card_is_shown_and_the_booking_stays_payable(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert)
    booking = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"]).json()["booking"]
    wait_for(lambda: (stack.booking(booking["id"]) or {}).get("payment", {}).get("intent_id"), what="intent")

    declined = api.call(
        "POST",
        f"/api/v1/bookings/{booking['id']}/payment",
        trainee["token"],
        json={"payment_method": "pm_card_chargeCustomerFail"},
    )
    assert declined.status_code == 202
    failed = wait_for(
        lambda: (
            (b := api.call("GET", f"/api/v1/bookings/{booking['id']}", trainee["token"]).json())["payment"].get(
                "failure"
            )
            and b
        ),
        what="decline recorded",
    )
    assert failed["status"] == "held"
    assert failed["payment"]["failure"] == "Your card was declined."
    wait_for(
        lambda: [
            n
            for n in api.call("GET", "/api/v1/me/notifications", trainee["token"]).json()["items"]
            if n["kind"] == "payment.failed"
        ],
        what="failure notification",
    )

    again = api.call("POST", f"/api/v1/bookings/{booking['id']}/payment", trainee["token"])
    assert again.status_code == 200, again.text  # still payable: the client secret is there
    assert again.json()["client_secret"].startswith(again.json()["payment_intent_id"])
