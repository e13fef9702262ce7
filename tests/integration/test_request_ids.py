"""Each request's id: taken from X-Request-ID or made, answered, and carried by what it causes.

A booking keeps the id of the request that made it: its events, the requests about it later
(paying), the PaymentIntent's metadata and the webhook's events all carry that one correlation.
And the API's own metrics name route templates, never paths.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from events.types import Topic, topic_name
from tests.support import Stack, read_topic, wait_for


def test_the_request_id_is_taken_when_it_looks_like_one_and_made_otherwise(stack: Stack) -> None:
    api = stack.api
    given = f"client-{uuid.uuid4().hex}"
    answered = api.call("GET", "/api/v1/trainings", headers={"X-Request-ID": given})
    assert answered.headers["X-Request-ID"] == given
    for bad in ("short", "has spaces in it", "x" * 200, 'quote"injected-0001', "{json-like}-0001"):
        made = api.call("GET", "/api/v1/trainings", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"]), bad
    first, second = (api.call("GET", "/healthz").headers["X-Request-ID"] for _ in range(2))
    assert first != second
    # Answered on errors too, where a client most needs it.
    missing = api.call("GET", f"/api/v1/bookings/{uuid.uuid4()}", api.user("trainee")["token"])
    assert missing.status_code == 404 and missing.headers["X-Request-ID"]


def test_a_booking_s_events_and_its_payment_s_carry_the_request_that_made_it(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert)
    request_id = f"booking-{uuid.uuid4().hex}"
    accepted = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"],
                        headers={"X-Request-ID": request_id})  # fmt: skip
    assert accepted.status_code == 202
    booking_id = accepted.json()["booking"]["id"]
    stored = stack.booking(booking_id)
    assert stored is not None and stored["correlation_id"] == request_id
    # Paid by another request, with another id: the payment still joins the booking's chain.
    intent_id = stack.intent_of(booking_id)
    another = {"X-Request-ID": f"pay-{uuid.uuid4().hex}"}
    paid = api.call("POST", f"/api/v1/bookings/{booking_id}/payment", trainee["token"],
                    json={"payment_method": "pm_card_visa"}, headers=another)  # fmt: skip
    assert paid.status_code == 202
    stack.wait_status(booking_id, "confirmed")
    assert stack.stripe.v1.payment_intents.retrieve(intent_id).metadata["correlation_id"] == request_id

    prefix = stack.config.kafka_topic_prefix

    def chain() -> dict[str, set[str]] | None:
        events = [json.loads(r.value) for t in (Topic.BOOKINGS, Topic.PAYMENTS)
                  for r in read_topic(stack.config, topic_name(prefix, t))]  # fmt: skip
        mine = [e for e in events if booking_id in (e.get("subject"), e.get("data", {}).get("booking_id"))]
        by_type: dict[str, set[str]] = {}
        for e in mine:
            by_type.setdefault(e["type"], set()).add(e["correlation_id"])
        wanted = {"booking.requested", "booking.held", "payment.submitted", "payment.succeeded", "booking.confirmed"}
        return by_type if wanted <= by_type.keys() else None

    by_type = wait_for(chain, what="the booking's events on the broker")
    assert {t: ids for t, ids in by_type.items() if ids != {request_id}} == {}


def test_metrics_name_route_templates_and_count_what_was_answered(stack: Stack) -> None:
    api = stack.api
    trainee = api.user("trainee")
    for _ in range(2):
        assert api.call("GET", f"/api/v1/bookings/{uuid.uuid4()}", trainee["token"]).status_code == 404
    assert api.call("GET", f"/no/such/page/{uuid.uuid4()}").status_code == 404
    page = requests.get(f"{api.base_url}/metrics", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/plain")
    text = page.text
    assert re.search(r'marketplace_http_requests_total\{method="GET",route="/api/v1/bookings/<booking_id>",'
                     r'status="404"\} [2-9]', text)  # fmt: skip
    assert 'route="unmatched",status="404"' in text
    # No path, query or id reaches a label: their values stay bounded.
    labels = re.findall(r'route="([^"]*)"', text)
    assert labels and all(r == "unmatched" or r.startswith("/") for r in labels)
    assert not [r for r in labels if re.search(r"[0-9a-f]{8}-[0-9a-f]{4}", r)]
    assert "marketplace_http_request_duration_seconds_bucket" in text


@pytest.mark.workers()  # no capacity worker: nothing relays what waits
def test_health_and_metrics_report_the_outbox_backlog(stack: Stack) -> None:
    assert stack.api.call("GET", "/healthz").json()["outbox"] == {"events": 0, "oldest_age_seconds": 0.0}
    # Two events a crashed API stored with their changes and never sent, the older 5 minutes ago.
    now = datetime.now(UTC)
    for kind, doc_id, age in (("goals", "g-1", 300), ("reviews", "r-1", 60)):
        entry = {"id": f"e-{doc_id}", "at": now - timedelta(seconds=age), "event": {}}
        stack.db[kind].insert_one({"_id": doc_id, "pending_events": [entry]})
    health = stack.api.call("GET", "/healthz")
    assert health.status_code == 200
    outbox = health.json()["outbox"]
    assert outbox["events"] == 2 and 300 <= outbox["oldest_age_seconds"] < 330
    text = requests.get(f"{stack.api.base_url}/metrics", timeout=10).text
    assert re.search(r"^marketplace_outbox_events 2\.0$", text, re.M)
    age = float(re.search(r"^marketplace_outbox_oldest_age_seconds (\S+)$", text, re.M).group(1))  # type: ignore[union-attr]
    assert 300 <= age < 330
    ready = stack.api.call("GET", "/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
