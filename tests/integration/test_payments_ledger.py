"""Payments that reconcile: the ledger's fee split, declined cards, refunds, replays, and the
reconciliation command, all against the embedded Stripe (localstripe)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import time
from datetime import UTC, datetime, timedelta

from api import create_app
from core.handlers import inject, ledger, payments
from core.handlers.releases import sweep_expired_holds
from events import PaymentSucceeded, RefundRequested
from events.codec import decode
from events.types import topic_name
from tests.support import Stack, read_topic, wait_for

PRICE = 45_000  # 450.00 EUR; the default fees: 5 % service fee on top, 10 % commission out of it
FEE = 2_250
COMMISSION = 4_500


def _ledger(stack: Stack, reference: str) -> list[dict]:
    return list(stack.db.ledger.find({"reference": reference}).sort("at", 1))


def _intents_of(stack: Stack, booking_id: str) -> list:
    return [
        i
        for i in stack.stripe.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        if (i.to_dict().get("metadata") or {}).get("booking_id") == booking_id
    ]


def _month() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=2)).isoformat()}


def test_a_paid_booking_enters_the_ledger_with_its_fee_split_and_the_payout_reports(stack: Stack) -> None:
    api = stack.api
    expert, trainee, admin = api.expert("Dr Split"), api.user("trainee"), api.admin()
    training = api.published_training(expert, price=PRICE)
    booking = stack.book(trainee, training)
    stack.pay(trainee, booking)
    stack.wait_status(booking, "confirmed")

    [charge] = wait_for(lambda: _ledger(stack, booking), what="ledger charge")
    intent = stack.booking(booking)["payment"]["intent_id"]
    assert charge["_id"] == f"charge:{intent}" and charge["kind"] == "charge" and charge["payer"] == "booking"
    assert (charge["gross"], charge["service_fee"], charge["platform_fee"], charge["expert_amount"]) == (
        PRICE + FEE, FEE, COMMISSION, PRICE - COMMISSION,
    )  # fmt: skip
    assert charge["expert_id"] == expert["id"] and charge["currency"] == "eur"
    assert stack.stripe.v1.payment_intents.retrieve(intent).amount == charge["gross"]

    report = api.call("GET", "/api/v1/me/payouts", expert["token"], params=_month())
    assert report.status_code == 200, report.text
    [totals] = report.json()["totals"]
    assert totals == {"currency": "eur", "charges": 1, "refunds": 0, "gross": PRICE + FEE, "service_fees": FEE,
                      "platform_fees": COMMISSION, "owed": PRICE - COMMISSION}  # fmt: skip
    assert [e["reference"] for e in report.json()["entries"]] == [booking]
    assert api.call("GET", "/api/v1/me/payouts", api.expert()["token"], params=_month()).json()["totals"] == []

    export = api.call("GET", "/api/v1/admin/payouts.csv", admin["token"], params=_month())
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    [row] = [r for r in rows if r["expert_id"] == expert["id"]]
    assert (row["expert_name"], row["currency"], row["gross"], row["owed_to_expert"]) == (
        "Dr Split", "EUR", "472.50", "405.00",
    )  # fmt: skip

    bad = api.call("GET", "/api/v1/me/payouts", expert["token"], params={"from": "2026-12-01", "to": "2026-11-01"})
    assert bad.status_code == 422 and "to" in bad.json()["errors"]


def test_a_declined_card_is_shown_and_the_next_card_pays_through_a_new_payment_intent(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, price=PRICE)
    booking = stack.book(trainee, training)
    first = stack.intent_of(booking)
    stack.pay(trainee, booking, "pm_card_chargeCustomerFail")  # localstripe's 4000000000000341

    second = stack.intent_of(booking, attempt=2)
    shown = api.call("GET", f"/api/v1/bookings/{booking}", trainee["token"]).json()
    assert shown["status"] == "held"  # the hold stays until it expires
    assert shown["payment"]["failure"] == "Your card was declined." and shown["payment"]["attempt"] == 2
    assert second != first
    assert stack.stripe.v1.payment_intents.retrieve(first).status == "canceled"  # can never be paid now
    fresh = api.call("POST", f"/api/v1/bookings/{booking}/payment", trainee["token"])
    assert fresh.status_code == 200 and fresh.json()["client_secret"].startswith(second)  # for Stripe.js

    stack.pay(trainee, booking)
    stack.wait_status(booking, "confirmed")
    succeeded = [i.id for i in _intents_of(stack, booking) if i.status == "succeeded"]
    assert succeeded == [second]
    wait_for(lambda: _ledger(stack, booking), what="ledger charge")
    assert [e["payment_intent_id"] for e in _ledger(stack, booking)] == [second]


def test_a_declined_booking_is_payable_only_until_its_hold_expires(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, price=PRICE)
    booking = stack.book(trainee, training)
    stack.pay(trainee, booking, "pm_card_chargeCustomerFail")
    stack.intent_of(booking, attempt=2)

    later = dataclasses.replace(stack.deps, clock=lambda: datetime.now(UTC) + timedelta(minutes=31))
    assert sweep_expired_holds(later) == 1
    stack.wait_status(booking, "expired")
    refused = api.call("POST", f"/api/v1/bookings/{booking}/payment", trainee["token"],
                       json={"payment_method": "pm_card_visa"})  # fmt: skip
    assert refused.status_code == 409
    wait_for(lambda: all(i.status == "canceled" for i in _intents_of(stack, booking)), what="every attempt cancelled")
    assert _ledger(stack, booking) == []


def test_a_refund_appears_in_stripe_and_in_the_ledger_once_whatever_the_replays(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, price=PRICE)  # months away: a full refund of the price
    booking = stack.book(trainee, training)
    stack.pay(trainee, booking)
    stack.wait_status(booking, "confirmed")
    assert api.call("POST", f"/api/v1/bookings/{booking}/cancel", trainee["token"]).status_code == 202
    refund_id = wait_for(lambda: stack.booking(booking)["payment"].get("refund_id"), what="refund")
    intent = stack.booking(booking)["payment"]["intent_id"]
    assert [(r.id, r.amount) for r in stack.stripe.v1.refunds.list(params={"payment_intent": intent}).data] == [
        (refund_id, PRICE)  # the service fee is never refunded
    ]
    wait_for(lambda: len(_ledger(stack, booking)) == 2, what="ledger refund")
    charge, refund = _ledger(stack, booking)
    assert refund["_id"] == f"refund:{refund_id}" and refund["kind"] == "refund"
    assert (refund["gross"], refund["service_fee"], refund["platform_fee"], refund["expert_amount"]) == (
        -PRICE, 0, -COMMISSION, -(PRICE - COMMISSION),
    )  # fmt: skip
    owed = api.call("GET", "/api/v1/me/payouts", expert["token"], params=_month()).json()["totals"][0]
    assert (owed["owed"], owed["service_fees"], owed["platform_fees"]) == (0, FEE, 0)

    # Deliver the refund request and the payment success again, past the runner's dedupe.
    requested = wait_for(lambda: _events(stack, "payments", RefundRequested.TYPE, booking), what="event")
    succeeded = _events(stack, "payments", PaymentSucceeded.TYPE, booking)
    inject(payments.on_refund_requested, stack.deps)(requested[0])
    inject(ledger.on_payment_succeeded, stack.deps)(succeeded[0])
    assert len(stack.stripe.v1.refunds.list(params={"payment_intent": intent}).data) == 1
    assert [e["_id"] for e in _ledger(stack, booking)] == [charge["_id"], refund["_id"]]
    assert len(_intents_of(stack, booking)) == 1


def _events(stack: Stack, topic: str, event_type: str, booking_id: str) -> list:
    records = read_topic(stack.config, topic_name(stack.config.kafka_topic_prefix, topic))
    found = [decode(r.value) for r in records]
    return [e for e in found if e.type == event_type and e.data.get("booking_id") == booking_id]


def test_reconciliation_agrees_then_reports_what_was_done_in_stripe_behind_our_back(stack: Stack) -> None:
    api = stack.api
    # Stripe dates objects to the second, and every test shares one Stripe: the period starts at
    # a second after the previous test's last object, so nothing of it falls in the period.
    time.sleep(1.1)
    start = datetime.now(UTC).replace(microsecond=0)
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, price=PRICE)
    booking = stack.book(trainee, training)
    stack.pay(trainee, booking)
    stack.wait_status(booking, "confirmed")
    wait_for(lambda: _ledger(stack, booking), what="ledger charge")
    intent = stack.booking(booking)["payment"]["intent_id"]

    cli = create_app(stack.config).test_cli_runner()
    since = ["reconcile", "--from", start.strftime("%Y-%m-%dT%H:%M:%S")]
    clean = cli.invoke(args=since)
    assert clean.exit_code == 0, clean.output
    assert "0 difference(s)" in clean.output

    planted_refund = stack.stripe.v1.refunds.create(params={"payment_intent": intent, "amount": 1_000})
    stray = stack.stripe.v1.payment_intents.create(
        params={"amount": 9_900, "currency": "eur", "payment_method_types": ["card"]}
    )
    stack.stripe.v1.payment_intents.update(stray.id, params={"payment_method": "pm_card_visa"})
    stack.stripe.v1.payment_intents.confirm(stray.id)
    stack.db.ledger.update_one({"_id": f"charge:{intent}"}, {"$inc": {"gross": 1}})

    found = cli.invoke(args=[*since, "--json"])
    assert found.exit_code == 1, found.output
    lines = [line for line in found.output.splitlines() if line.startswith("{")]
    reported = {(d["kind"], d["object_id"]) for d in map(json.loads, lines)}
    assert reported == {
        ("missing_in_ledger", planted_refund.id),
        ("missing_in_ledger", stray.id),
        ("amount_mismatch", intent),
    }
