"""Notifications that reach everyone concerned: the inbox, preferences, e-mail through the
outbox (once, retried with backoff), changes, and the day-before reminder."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.smtp_mailer import SmtpMailer
from core.handlers import inject, notifications
from core.services.delivery import send_due_emails
from core.services.reminders import announce_reminders
from devstack.services import free_port
from events import BookingHeld
from events.envelope import Event, new_event
from tests.support import Stack, text_of, wait_for

WITHOUT_NOTIFICATIONS_WORKER = pytest.mark.parametrize("stack", [["capacity", "payments"]], indirect=True)


def _inbox(stack: Stack, user: dict, **params: Any) -> dict:
    response = stack.api.call("GET", "/api/v1/me/notifications", user["token"], params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _next_morning() -> dict[str, Any]:
    """The next 08:00 UTC: always less than 24 hours away, so due for its reminder."""
    now = datetime.now(UTC)
    day = now.replace(hour=8, minute=0, second=0, microsecond=0)
    day = day if day > now + timedelta(minutes=5) else day + timedelta(days=1)
    return {"starts_at": day.isoformat(), "ends_at": (day + timedelta(hours=9)).isoformat(), "timezone": "UTC"}


def test_the_inbox_counts_unread_and_marks_read(stack: Stack) -> None:
    api = stack.api
    expert, trainee, other = api.expert(), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert)
    booking = stack.book(trainee, training)
    stack.wait_status(booking, "held")
    inbox = wait_for(lambda: (i := _inbox(stack, trainee))["unread"] >= 2 and i, what="two notifications")
    kinds = [n["kind"] for n in inbox["items"]]
    assert {"booking.requested", "booking.held"} <= set(kinds)

    first = inbox["items"][0]["id"]
    read = api.call("POST", f"/api/v1/me/notifications/{first}/read", trainee["token"])
    assert read.status_code == 200 and read.json()["unread"] == inbox["unread"] - 1
    assert [n["id"] for n in _inbox(stack, trainee, unread="true")["items"]] == [n["id"] for n in inbox["items"][1:]]
    assert api.call("POST", f"/api/v1/me/notifications/{first}/read", other["token"]).status_code == 404
    assert api.call("POST", "/api/v1/me/notifications/read-all", trainee["token"]).json() == {"unread": 0}
    assert _inbox(stack, trainee)["unread"] == 0 and all(n["read"] for n in _inbox(stack, trainee)["items"])
    # "Request received" is inbox only: the hold follows at once, and that one is e-mailed.
    wait_for(lambda: [m for m in stack.mails_to(trainee["email"]) if m["Subject"].startswith("Seat held")], what="mail")
    assert not [m for m in stack.mails_to(trainee["email"]) if m["Subject"].startswith("Request received")]


def test_preferences_switch_a_category_off_per_channel(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    defaults = api.call("GET", "/api/v1/me/notification-preferences", trainee["token"]).json()
    assert all(defaults["email"].values()) and all(defaults["inbox"].values())
    assert "reminders" in defaults["categories"]

    bad = api.call("PUT", "/api/v1/me/notification-preferences", trainee["token"],
                   json={"email": {"bookings": False, "gossip": False}})  # fmt: skip
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"email.gossip"}
    channel = api.call("PUT", "/api/v1/me/notification-preferences", trainee["token"], json={"sms": {"bookings": True}})
    assert channel.status_code == 422 and set(channel.json()["errors"]) == {"sms"}
    assert api.call("GET", "/api/v1/me/notification-preferences", trainee["token"]).json() == defaults  # unchanged
    not_bool = api.call("PUT", "/api/v1/me/notification-preferences", trainee["token"], json={"email": {"x": "no"}})
    assert not_bool.status_code == 422

    changed = api.call("PUT", "/api/v1/me/notification-preferences", trainee["token"],
                       json={"email": {"bookings": False}, "inbox": {"waitlist": False}})  # fmt: skip
    assert changed.status_code == 200
    assert changed.json()["email"]["bookings"] is False and changed.json()["email"]["payments"] is True

    first, second = api.user("trainee"), trainee
    training = api.published_training(expert, capacity=1)
    stack.wait_status(stack.book(first, training), "held")
    waiting = stack.book(second, training)
    stack.wait_status(waiting, "waitlisted")
    wait_for(lambda: [m for m in stack.mails_to(second["email"]) if m["Subject"].startswith("Waitlisted")],
             what="waitlist e-mail (e-mail still on for the waitlist)")  # fmt: skip
    kinds = [n["kind"] for n in _inbox(stack, second)["items"]]
    assert "booking.requested" in kinds and "booking.waitlisted" not in kinds  # inbox off for the waitlist
    assert not [m for m in stack.mails_to(second["email"]) if m["Subject"].startswith("Request received")]


@WITHOUT_NOTIFICATIONS_WORKER
def test_a_failing_smtp_server_is_retried_with_backoff_and_holds_up_no_one(stack: Stack) -> None:
    api = stack.api
    expert = api.expert()
    trainees = [api.user("trainee") for _ in range(3)]
    training = api.published_training(expert)
    events = []
    for trainee in trainees:
        booking = stack.book(trainee, training)
        held = stack.wait_status(booking, "held")
        events.append(_held(held))
    for event in events:
        inject(notifications.on_event, stack.deps)(event)
        inject(notifications.on_event, stack.deps)(event)  # a redelivery queues nothing more
    assert stack.db.outbox.count_documents({}) == 3

    down = dataclasses.replace(stack.deps, mailer=SmtpMailer(f"smtp://127.0.0.1:{free_port()}", "x@example.org", 2))
    assert send_due_emails(down) == 0
    records = {r["user_id"]: r for r in stack.db.outbox.find({})}
    failed = [r for r in records.values() if r["attempts"] == 1]
    assert len(failed) == 1 and "SMTP server did not take" in failed[0]["last_error"]
    assert failed[0]["due_at"] > datetime.now(UTC) + timedelta(seconds=25)  # 30 s before the next attempt
    assert all(r["status"] == "queued" for r in records.values())
    # The notifications were not held up: every trainee has it in the inbox already.
    assert all("booking.held" in [n["kind"] for n in _inbox(stack, t)["items"]] for t in trainees)

    assert send_due_emails(stack.deps) == 2  # the server is back: the others go now
    assert send_due_emails(stack.deps) == 0  # the failed one waits for its backoff
    later = dataclasses.replace(stack.deps, clock=lambda: datetime.now(UTC) + timedelta(seconds=31))
    assert send_due_emails(later) == 1
    for trainee in trainees:
        assert len([m for m in stack.mails_to(trainee["email"]) if m["Subject"].startswith("Seat held")]) == 1
    assert {r["status"] for r in stack.db.outbox.find({})} == {"sent"}


def _held(booking: dict) -> Event:
    held = BookingHeld(
        booking_id=booking["_id"], training_id=booking["training_id"], trainee_id=booking["trainee_id"],
        amount=booking["amount"], currency=booking["currency"], expires_at=booking["expires_at"].isoformat(),
    )  # fmt: skip
    return new_event(held, source="test")


def test_a_changed_training_tells_every_booked_and_waitlisted_trainee_once(stack: Stack) -> None:
    api = stack.api
    expert = api.expert()
    paid, waiting = api.user("trainee"), api.user("trainee")
    training = api.published_training(expert, capacity=1)
    booking = stack.book(paid, training)
    stack.pay(paid, booking)
    stack.wait_status(booking, "confirmed")
    stack.wait_status(stack.book(waiting, training), "waitlisted")

    moved = {"venue": {**training["venue"], "address": "Bâtiment C, 12 rue Neuve"}}
    assert api.call("PATCH", f"/api/v1/trainings/{training['id']}", expert["token"], json=moved).status_code == 200
    cosmetic = {"description": "Now with more coffee."}
    assert api.call("PATCH", f"/api/v1/trainings/{training['id']}", expert["token"], json=cosmetic).status_code == 200
    for user in (paid, waiting):
        mail = wait_for(
            lambda u=user: [m for m in stack.mails_to(u["email"]) if m["Subject"].startswith("Training changed")],
            what="change e-mail",
        )
        assert "Bâtiment C, 12 rue Neuve" in text_of(mail[0]) and "venue" in text_of(mail[0])
    wait_for(lambda: stack.db.outbox.count_documents({"status": "queued"}) == 0, what="outbox drained")
    for user in (paid, waiting):
        assert len([m for m in stack.mails_to(user["email"]) if m["Subject"].startswith("Training changed")]) == 1
    [update] = [m for m in stack.mails_to(paid["email"]) if m["Subject"].startswith("Training changed")]
    [invite] = [p for p in update.iter_attachments() if p.get_content_type() == "text/calendar"]
    ics = invite.get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert f"UID:{booking}@" in ics and "SEQUENCE:0" not in ics  # replaces the first invitation
    [waiting_mail] = [m for m in stack.mails_to(waiting["email"]) if m["Subject"].startswith("Training changed")]
    assert list(waiting_mail.iter_attachments()) == []  # no seat yet: no invitation


def test_confirmed_trainees_are_reminded_the_day_before_once(stack: Stack) -> None:
    api = stack.api
    expert, confirmed, holding = api.expert(), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert, **_next_morning())
    booking = stack.book(confirmed, training)
    stack.pay(confirmed, booking)
    stack.wait_status(booking, "confirmed")
    stack.wait_status(stack.book(holding, training), "held")
    far = api.published_training(expert)  # months away: not yet

    assert announce_reminders(stack.deps) == 1
    assert announce_reminders(stack.deps) == 0  # once per training date
    mail = wait_for(lambda: [m for m in stack.mails_to(confirmed["email"]) if m["Subject"].startswith("Tomorrow")],
                    what="reminder")  # fmt: skip
    assert training["title"] in mail[0]["Subject"] and "08:00" in text_of(mail[0])
    assert "Programme of the day" in text_of(mail[0])
    wait_for(lambda: stack.db.outbox.count_documents({"status": "queued"}) == 0, what="outbox drained")
    assert not [m for m in stack.mails_to(holding["email"]) if m["Subject"].startswith("Tomorrow")]
    assert far["id"] not in {d["_id"] for d in stack.db.trainings.find({"reminded_for": {"$exists": True}})}
