"""The outbox sender's rules, with fakes of its ports: a refused message backs off alone,
an unreachable server stops the batch, and an e-mail that keeps failing is given up."""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core.errors import MailRefused, Unavailable
from core.ports import Email, QueuedEmail
from core.services.delivery import MAX_ATTEMPTS, RETRY_BASE, send_due_emails

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@dataclass
class FakeOutbox:
    queued: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, to: str, attempts: int = 0) -> None:
        email = Email(to=to, subject="s", text="t", message_id=to)
        self.queued[to] = {"email": email, "attempts": attempts, "due_at": NOW, "status": "queued"}

    def claim_due(self, now: datetime, lease_until: datetime) -> QueuedEmail | None:
        due = sorted((r["due_at"], k) for k, r in self.queued.items() if r["status"] == "queued" and r["due_at"] <= now)
        if not due:
            return None
        record = self.queued[due[0][1]]
        record["attempts"] += 1
        record["due_at"] = lease_until
        return QueuedEmail(id=due[0][1], email=record["email"], attempts=record["attempts"])

    def mark_sent(self, queued_id: str, at: datetime) -> None:
        self.queued[queued_id]["status"] = "sent"

    def retry_later(self, queued_id: str, error: str, at: datetime | None) -> None:
        record = self.queued[queued_id]
        record["error"] = error
        if at is None:
            record["status"] = "failed"
        else:
            record["due_at"] = at


@dataclass
class FakeMailer:
    refuse: set[str] = field(default_factory=set)
    down: bool = False
    sent: list[str] = field(default_factory=list)

    def send(self, email: Email) -> None:
        if self.down:
            raise Unavailable("connection refused")
        if email.to in self.refuse:
            raise MailRefused("550 no such user")
        self.sent.append(email.to)


def _deps(outbox: FakeOutbox, mailer: FakeMailer, now: datetime = NOW) -> Any:
    return types.SimpleNamespace(outbox=outbox, mailer=mailer, clock=lambda: now)


def test_a_refused_message_backs_off_alone_and_the_others_go() -> None:
    outbox, mailer = FakeOutbox(), FakeMailer(refuse={"b@x.org"})
    for to in ("a@x.org", "b@x.org", "c@x.org"):
        outbox.add(to)
    assert send_due_emails(_deps(outbox, mailer)) == 2
    assert mailer.sent == ["a@x.org", "c@x.org"]
    refused = outbox.queued["b@x.org"]
    assert refused["status"] == "queued" and refused["due_at"] == NOW + RETRY_BASE and "550" in refused["error"]


def test_an_unreachable_server_stops_the_batch() -> None:
    outbox, mailer = FakeOutbox(), FakeMailer(down=True)
    outbox.add("a@x.org")
    outbox.add("b@x.org")
    assert send_due_emails(_deps(outbox, mailer)) == 0
    tried = [k for k, r in outbox.queued.items() if r["attempts"]]
    assert len(tried) == 1  # the second was not even tried: it would fail the same way
    assert outbox.queued[tried[0]]["due_at"] == NOW + RETRY_BASE


def test_each_failure_doubles_the_wait() -> None:
    outbox, mailer = FakeOutbox(), FakeMailer(down=True)
    outbox.add("a@x.org")
    at = NOW
    for attempt in range(1, 5):
        assert send_due_emails(_deps(outbox, mailer, at)) == 0
        assert outbox.queued["a@x.org"]["attempts"] == attempt
        assert outbox.queued["a@x.org"]["due_at"] == at + RETRY_BASE * 2 ** (attempt - 1)
        assert send_due_emails(_deps(outbox, mailer, at + timedelta(seconds=1))) == 0  # not due yet: untouched
        assert outbox.queued["a@x.org"]["attempts"] == attempt
        at = outbox.queued["a@x.org"]["due_at"]
    mailer.down = False
    assert send_due_emails(_deps(outbox, mailer, at)) == 1 and mailer.sent == ["a@x.org"]


def test_an_email_failing_every_time_is_given_up_after_the_last_attempt() -> None:
    outbox, mailer = FakeOutbox(), FakeMailer(refuse={"a@x.org"})
    outbox.add("a@x.org", attempts=MAX_ATTEMPTS - 1)
    send_due_emails(_deps(outbox, mailer))
    assert outbox.queued["a@x.org"]["status"] == "failed"
    assert send_due_emails(_deps(outbox, mailer, NOW + timedelta(days=1))) == 0
