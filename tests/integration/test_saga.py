"""The booking saga beyond the happy path: expiry, waitlist promotion, cancellations,
refunds by policy, the expert's mass cancellation and late payments."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from core.handlers.releases import sweep_expired_holds
from devstack.services import register_stripe_webhook
from tests.support import Stack, text_of, wait_for


def _sweep_later(stack: Stack, minutes: int) -> int:
    """Run the expiry sweep as if ``minutes`` had passed."""
    later = dataclasses.replace(stack.deps, clock=lambda: datetime.now(UTC) + timedelta(minutes=minutes))
    return sweep_expired_holds(later)


def _kinds(stack: Stack, user: dict) -> list[str]:
    return [n["kind"] for n in stack.api.call("GET", "/api/v1/me/notifications", user["token"]).json()["items"]]


def _soon(days: int) -> dict[str, Any]:
    day = (datetime.now(UTC) + timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)
    return {"starts_at": day.isoformat(), "ends_at": (day + timedelta(hours=9)).isoformat(), "timezone": "UTC"}


def test_an_expired_hold_goes_to_the_first_waitlisted_then_the_next_moves_up(stack: Stack) -> None:
    api = stack.api
    expert = api.expert()
    first, second, third = (api.user("trainee") for _ in range(3))
    training = api.published_training(expert, capacity=1)
    a = stack.book(first, training)
    stack.wait_status(a, "held")
    intent = stack.intent_of(a)
    b, c = stack.book(second, training), None
    stack.wait_status(b, "waitlisted")
    c = stack.book(third, training)
    stack.wait_status(c, "waitlisted")
    assert api.call("GET", f"/api/v1/bookings/{c}", third["token"]).json()["waitlist_position"] == 2

    assert _sweep_later(stack, 5) == 0  # not yet: the hold lasts 30 minutes
    assert _sweep_later(stack, 31) == 1
    stack.wait_status(a, "expired")
    promoted = stack.wait_status(b, "held")
    assert promoted["expires_at"] > datetime.now(UTC) + timedelta(minutes=25)  # a fresh window
    assert stack.deps.seats.snapshot(training["id"])["holders"] == [b]
    assert api.call("GET", f"/api/v1/bookings/{c}", third["token"]).json()["waitlist_position"] == 1
    wait_for(lambda: stack.stripe.v1.payment_intents.retrieve(intent).status == "canceled", what="intent cancelled")
    wait_for(lambda: "booking.expired" in _kinds(stack, first), what="told of expiry")
    wait_for(lambda: "waitlist.promoted" in _kinds(stack, second), what="told of promotion")
    stack.intent_of(b)  # the promoted trainee gets a PaymentIntent to pay
    assert _sweep_later(stack, 29) == 0  # the old hold is gone; the new one is not due yet


def test_leaving_the_waitlist(stack: Stack) -> None:
    api = stack.api
    expert, holder, leaver, stayer = api.expert(), api.user("trainee"), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert, capacity=1)
    stack.wait_status(stack.book(holder, training), "held")
    leaving = stack.book(leaver, training)
    stack.wait_status(leaving, "waitlisted")
    staying = stack.book(stayer, training)
    stack.wait_status(staying, "waitlisted")
    response = api.call("POST", f"/api/v1/bookings/{leaving}/cancel", leaver["token"])
    assert response.status_code == 202
    cancelled = stack.wait_status(leaving, "cancelled")
    assert cancelled["refund_amount"] == 0
    # The booking moves first and the ledger just after, in the same handler.
    wait_for(lambda: stack.deps.seats.snapshot(training["id"])["waitlist"] == [staying], what="the line without them")
    assert api.call("GET", f"/api/v1/bookings/{staying}", stayer["token"]).json()["waitlist_position"] == 1
    assert api.call("POST", f"/api/v1/bookings/{leaving}/cancel", leaver["token"]).status_code == 409
    assert api.call("POST", f"/api/v1/bookings/{staying}/cancel", leaver["token"]).status_code == 404


def test_cancelling_a_paid_seat_refunds_per_policy_and_frees_it(stack: Stack) -> None:
    api = stack.api
    expert, early, late, waiting = api.expert(), api.user("trainee"), api.user("trainee"), api.user("trainee")
    far = api.published_training(expert, capacity=1, price=45000)  # months away
    near = api.published_training(expert, capacity=1, price=45000, **_soon(10))

    paid_far = stack.book(early, far)
    stack.pay(early, paid_far)
    stack.wait_status(paid_far, "confirmed")
    queued = stack.book(waiting, far)
    stack.wait_status(queued, "waitlisted")
    assert api.call("POST", f"/api/v1/bookings/{paid_far}/cancel", early["token"]).status_code == 202
    cancelled = stack.wait_status(paid_far, "cancelled")
    assert cancelled["refund_amount"] == 45000
    refunded = wait_for(lambda: stack.booking(paid_far)["payment"].get("refund_id"), what="refund made")
    refunds = stack.stripe.v1.refunds.list(params={"payment_intent": cancelled["payment"]["intent_id"]}).data
    assert [(r.id, r.amount) for r in refunds] == [(refunded, 45000)]
    stack.wait_status(queued, "held")  # the seat went to the waitlist
    wait_for(lambda: "payment.refunded" in _kinds(stack, early), what="told of refund")

    paid_near = stack.book(late, near)
    stack.pay(late, paid_near)
    stack.wait_status(paid_near, "confirmed")
    assert api.call("POST", f"/api/v1/bookings/{paid_near}/cancel", late["token"]).status_code == 202
    assert stack.wait_status(paid_near, "cancelled")["refund_amount"] == 0  # 10 days before: nothing back
    wait_for(lambda: "booking.cancelled" in _kinds(stack, late), what="told of cancellation")
    intent = stack.booking(paid_near)["payment"]["intent_id"]
    assert stack.stripe.v1.refunds.list(params={"payment_intent": intent}).data == []
    assert stack.deps.seats.snapshot(near["id"])["holders"] == []


def test_the_expert_cancelling_refunds_every_paid_seat_in_full_and_tells_everyone(stack: Stack) -> None:
    api = stack.api
    expert = api.expert()
    paid, holding, waiting = api.user("trainee"), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert, capacity=2, price=30000, **_soon(5))  # inside 30 days: still full
    a = stack.book(paid, training)
    stack.pay(paid, a)
    stack.wait_status(a, "confirmed")
    b = stack.book(holding, training)
    stack.intent_of(b)
    c = stack.book(waiting, training)
    stack.wait_status(c, "waitlisted")

    cancel = api.call("POST", f"/api/v1/trainings/{training['id']}/cancel", expert["token"],
                      json={"reason": "The operating room is closed for works."})  # fmt: skip
    assert cancel.status_code == 200
    for booking_id in (a, b, c):
        assert (
            stack.wait_status(booking_id, "cancelled")["cancellation_reason"]
            == "The operating room is closed for works."
        )
    assert stack.booking(a)["refund_amount"] == 31500  # in full: the price and the 5 % service fee
    wait_for(lambda: stack.booking(a)["payment"].get("refund_id"), what="refund")
    client = stack.stripe
    assert [
        r.amount
        for r in client.v1.refunds.list(params={"payment_intent": stack.booking(a)["payment"]["intent_id"]}).data
    ] == [31500]
    wait_for(lambda: client.v1.payment_intents.retrieve(stack.booking(b)["payment"]["intent_id"]).status == "canceled",
             what="unpaid intent cancelled")  # fmt: skip

    # Every notice of the path has arrived (the cancellations travel on the bookings topic, the
    # receipt on payments, in no set order between them); then nothing may be left to send.
    def cancelled(user: dict) -> list:
        return [m for m in stack.mails_to(user["email"]) if m["Subject"].startswith("Training cancelled")]

    for user in (paid, holding, waiting):
        wait_for(lambda u=user: cancelled(u), what=f"cancellation e-mail to {user['email']}")
    wait_for(lambda: "payment.refunded" in _kinds(stack, paid), what="refund receipt in the inbox")
    wait_for(lambda: stack.db.outbox.count_documents({"status": "queued"}) == 0, what="outbox drained")
    for user in (paid, holding, waiting):
        mails = [
            m
            for m in stack.mails_to(user["email"])
            if not m["Subject"].startswith(("Seat held", "Waitlisted", "Booking confirmed", "Confirm your e-mail"))
        ]
        assert [m["Subject"] for m in mails] == [f"Training cancelled: {training['title']}"], user["email"]
        assert "operating room is closed" in text_of(mails[0])
    assert "€315.00 will be refunded" in text_of(
        next(m for m in stack.mails_to(paid["email"]) if m["Subject"].startswith("Training cancelled"))
    )
    [confirmation] = [m for m in stack.mails_to(paid["email"]) if m["Subject"].startswith("Booking confirmed")]
    assert [p.get_content_type() for p in confirmation.iter_attachments()] == ["text/calendar"]
    assert stack.deps.seats.snapshot(training["id"])["holders"] == []


def _signed_success(stack: Stack, intent_id: str, event_id: str) -> tuple[bytes, dict[str, str]]:
    payload = json.dumps({"id": event_id, "object": "event", "type": "payment_intent.succeeded",
                          "created": int(time.time()), "data": {"object": {"id": intent_id}}}).encode()  # fmt: skip
    at = int(time.time())
    mac = hmac.new(stack.config.stripe_webhook_secret.encode(), f"{at}.".encode() + payload, hashlib.sha256)
    return payload, {"Stripe-Signature": f"t={at},v1={mac.hexdigest()}", "Content-Type": "application/json"}


def _pay_in_stripe_only(stack: Stack, intent_id: str) -> None:
    client = stack.stripe
    client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    assert client.v1.payment_intents.confirm(intent_id).status == "succeeded"


def test_a_late_payment_is_seated_again_when_a_seat_is_free(stack: Stack) -> None:
    register_stripe_webhook(
        stack.infra.stripe.url, "tests", "http://127.0.0.1:9/nowhere", stack.config.stripe_webhook_secret
    )
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, capacity=1)
    booking = stack.book(trainee, training)
    intent = stack.intent_of(booking)
    _pay_in_stripe_only(stack, intent)  # paid, but Stripe's notice has not arrived yet
    _sweep_later(stack, 31)
    stack.wait_status(booking, "expired")
    payload, headers = _signed_success(stack, intent, "evt_late_free_seat")
    assert api.call("POST", "/api/v1/webhooks/stripe", data=payload, headers=headers).json()["outcome"] == "published"
    stack.wait_status(booking, "confirmed")
    assert stack.deps.seats.snapshot(training["id"])["holders"] == [booking]
    assert stack.stripe.v1.refunds.list(params={"payment_intent": intent}).data == []


def test_a_late_payment_without_a_seat_is_refunded_automatically(stack: Stack) -> None:
    register_stripe_webhook(
        stack.infra.stripe.url, "tests", "http://127.0.0.1:9/nowhere", stack.config.stripe_webhook_secret
    )
    api = stack.api
    expert, late, next_in_line = api.expert(), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert, capacity=1, price=45000)
    booking = stack.book(late, training)
    intent = stack.intent_of(booking)
    waiting = stack.book(next_in_line, training)
    stack.wait_status(waiting, "waitlisted")
    _pay_in_stripe_only(stack, intent)
    _sweep_later(stack, 31)
    stack.wait_status(booking, "expired")
    stack.wait_status(waiting, "held")  # the seat went on
    payload, headers = _signed_success(stack, intent, "evt_late_no_seat")
    assert api.call("POST", "/api/v1/webhooks/stripe", data=payload, headers=headers).json()["outcome"] == "published"
    refund_id = wait_for(lambda: stack.booking(booking)["payment"].get("refund_id"), what="automatic refund")
    refunds = stack.stripe.v1.refunds.list(params={"payment_intent": intent}).data
    assert [(r.id, r.amount) for r in refunds] == [(refund_id, 47250)]  # all of it, service fee included
    assert stack.booking(booking)["status"] == "expired"
    assert stack.deps.seats.snapshot(training["id"])["holders"] == [waiting]  # never oversold
    wait_for(lambda: "payment.refunded" in _kinds(stack, late), what="told of refund")
    again = api.call("POST", "/api/v1/webhooks/stripe", data=payload, headers=headers)
    assert again.json()["outcome"] == "duplicate"


def test_expert_approval_holds_the_seat_then_payment_is_asked_only_after_approval(stack: Stack) -> None:
    from events import BookingHeld
    from events.codec import decode
    from events.types import topic_name
    from tests.support import read_topic

    api = stack.api
    expert, other_expert = api.expert(), api.expert()
    first, second = api.user("trainee", "Dr First"), api.user("trainee", "Dr Second")
    api.call("PATCH", "/api/v1/me", first["token"], json={"specialty": "cardiology", "country": "IT"})
    training = api.published_training(expert, capacity=1, requires_approval=True, approval_hours=48)
    a = stack.book(first, training)
    pending = stack.wait_status(a, "pending_approval")
    assert pending["expires_at"] > datetime.now(UTC) + timedelta(hours=47)
    b = stack.book(second, training)
    stack.wait_status(b, "waitlisted")
    early = api.call("POST", f"/api/v1/bookings/{a}/payment", first["token"])
    assert early.status_code == 409

    queue = api.call("GET", "/api/v1/me/approvals", expert["token"]).json()["items"]
    assert [q["booking"]["id"] for q in queue] == [a]
    assert queue[0]["trainee"] == {"id": first["id"], "name": "Dr First", "specialty": "cardiology",
                                   "country": "IT", "languages": []}  # fmt: skip
    assert api.call("GET", "/api/v1/me/approvals", other_expert["token"]).json()["items"] == []
    assert api.call("POST", f"/api/v1/bookings/{a}/approve", other_expert["token"]).status_code == 403
    wait_for(lambda: "approval.requested" in _kinds(stack, expert), what="expert told")

    rejected = api.call("POST", f"/api/v1/bookings/{a}/reject", expert["token"],
                        json={"reason": "This course needs two years of cath-lab practice."})  # fmt: skip
    assert rejected.status_code == 202
    assert stack.wait_status(a, "rejected")["rejection_reason"] == "This course needs two years of cath-lab practice."
    stack.wait_status(b, "pending_approval")  # promoted, and waiting for the expert in turn
    assert api.call("POST", f"/api/v1/bookings/{a}/approve", expert["token"]).status_code == 409

    assert api.call("POST", f"/api/v1/bookings/{b}/approve", expert["token"]).status_code == 202
    stack.wait_status(b, "held")
    stack.pay(second, b)
    stack.wait_status(b, "confirmed")
    events = [
        decode(r.value) for r in read_topic(stack.config, topic_name(stack.config.kafka_topic_prefix, "bookings"))
    ]
    held = [e for e in events if e.type == BookingHeld.TYPE]
    assert [e.subject for e in held] == [b]  # a PaymentIntent was asked for after approval only
    assert stack.booking(a)["payment"] == {}
    wait_for(lambda: "booking.rejected" in _kinds(stack, first), what="rejection told")
    wait_for(lambda: "booking.approved" in _kinds(stack, second), what="approval told")


def test_an_undecided_request_expires_after_its_own_window(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, capacity=1, requires_approval=True, approval_hours=24)
    a = stack.book(trainee, training)
    stack.wait_status(a, "pending_approval")
    assert _sweep_later(stack, 60) == 0  # an hour is nothing for a decision
    assert _sweep_later(stack, 24 * 60 + 1) == 1
    stack.wait_status(a, "expired")
    # The status changes first, then the seat goes back, in one handler: wait for both.
    wait_for(lambda: stack.deps.seats.snapshot(training["id"])["holders"] == [], what="the seat given back")
