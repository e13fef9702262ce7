"""Fakes of the notification ports: inbox, outbox, mailer, preferences, renderer."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.errors import MailRefused, Unavailable
from core.ports import Email, Notification, QueuedEmail, RenderedEmail


@dataclass
class FakeInbox:
    """One document per (person, event), shaped as ``MongoInbox`` stores it."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_many(self, notifications: list[Notification], at: datetime) -> None:
        """Each once per person and event."""
        for notification in notifications:
            self.add(notification, at)

    def add(self, notification: Notification, at: datetime) -> bool:
        """Once per person and event."""
        _id = f"{notification.user_id}:{notification.event_id}"
        if _id in self.rows:
            return False
        doc = {k: v for k, v in dataclasses.asdict(notification).items() if k not in ("context", "emailed", "calendar")}
        self.rows[_id] = {**doc, "_id": _id, "created_at": at, "read": False}
        return True

    def for_user(self, user_id: str, limit: int, unread_only: bool = False) -> list[dict[str, Any]]:
        """Newest first."""
        mine = [d for d in self.rows.values() if d["user_id"] == user_id and not (unread_only and d["read"])]
        mine.sort(key=lambda d: d["created_at"], reverse=True)
        return copy.deepcopy(mine[:limit])

    def unread_count(self, user_id: str) -> int:
        """Unread ones of the user."""
        return sum(1 for d in self.rows.values() if d["user_id"] == user_id and not d["read"])

    def mark_read(self, user_id: str, notification_id: str, at: datetime) -> bool:
        """False if it is not the user's."""
        doc = self.rows.get(notification_id)
        if doc is None or doc["user_id"] != user_id:
            return False
        if not doc["read"]:
            doc.update(read=True, read_at=at)
        return True

    def mark_all_read(self, user_id: str, at: datetime) -> int:
        """How many were unread."""
        unread = [d for d in self.rows.values() if d["user_id"] == user_id and not d["read"]]
        for doc in unread:
            doc.update(read=True, read_at=at)
        return len(unread)


@dataclass
class FakeOutbox:
    """E-mails by (person, event): status, due time, attempts, last error."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def enqueue_many(self, emails: list[tuple[str, str, Email]], at: datetime) -> None:
        """Each once per (person, event)."""
        for user_id, event_id, email in emails:
            self.enqueue(user_id, event_id, email, at)

    def enqueue(self, user_id: str, event_id: str, email: Email, at: datetime) -> bool:
        """Once per (person, event)."""
        _id = f"{user_id}:{event_id}"
        if _id in self.rows:
            return False
        self.rows[_id] = {"email": email, "status": "queued", "due_at": at, "attempts": 0, "user_id": user_id}
        return True

    def claim_due(self, now: datetime, lease_until: datetime) -> QueuedEmail | None:
        """The oldest due, leased until ``lease_until``."""
        due = sorted((d["due_at"], k) for k, d in self.rows.items() if d["status"] == "queued" and d["due_at"] <= now)
        if not due:
            return None
        _id = due[0][1]
        doc = self.rows[_id]
        doc["due_at"], doc["attempts"] = lease_until, doc["attempts"] + 1
        return QueuedEmail(id=_id, email=doc["email"], attempts=doc["attempts"])

    def mark_sent(self, queued_id: str, at: datetime) -> None:
        """Never again."""
        self.rows[queued_id].update(status="sent", sent_at=at)

    def retry_later(self, queued_id: str, error: str, at: datetime | None) -> None:
        """Back off, or give up (only while queued)."""
        doc = self.rows[queued_id]
        if doc["status"] == "queued":
            doc["last_error"] = error[:1000]
            doc.update({"due_at": at} if at is not None else {"status": "failed"})

    def emails(self) -> list[Email]:
        """Every queued e-mail, whatever its status (a test's view)."""
        return [d["email"] for d in self.rows.values()]


@dataclass
class FakeMailer:
    """Records what it sends; refuses the addresses in ``refuse``; ``down`` is an unreachable server."""

    sent: list[Email] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    down: bool = False

    def send(self, email: Email) -> None:
        """Record it, or fail as the SMTP adapter does."""
        if self.down:
            raise Unavailable("mail server unreachable (fake)")
        if email.to in self.refuse:
            raise MailRefused(f"550 no such user: {email.to}")
        self.sent.append(email)


@dataclass
class FakePreferences:
    """Each person's ``{channel: {category: on}}``."""

    rows: dict[str, dict[str, dict[str, bool]]] = field(default_factory=dict)

    def many(self, user_ids: list[str]) -> dict[str, dict[str, dict[str, bool]]]:
        """Those set."""
        return {u: copy.deepcopy(self.rows[u]) for u in user_ids if u in self.rows}

    def get(self, user_id: str) -> dict[str, dict[str, bool]]:
        """As set, or empty."""
        return copy.deepcopy(self.rows.get(user_id, {}))

    def set(self, user_id: str, preferences: dict[str, dict[str, bool]]) -> None:
        """Replace."""
        self.rows[user_id] = copy.deepcopy(preferences)


@dataclass
class FakeRenderer:
    """Renders ``kind`` and the context's ``title``/``body`` plainly; records what it was asked."""

    rendered: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    locales: list[str | None] = field(default_factory=list)  # the language of each render

    def render(self, kind: str, context: Mapping[str, Any], locale: str | None = None) -> RenderedEmail:
        """A subject naming the kind, the body in text and HTML."""
        self.rendered.append((kind, dict(context)))
        self.locales.append(locale)
        subject = str(context.get("title") or kind)
        body = str(context.get("body") or "")
        return RenderedEmail(subject=subject, text=body, html=f"<p>{body}</p>")
