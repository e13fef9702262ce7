"""Ports: the inbox, e-mail and its outbox, and each person's preferences."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class CalendarFile:
    """An iCalendar attachment: an invitation (``REQUEST``) or its cancellation (``CANCEL``)."""

    method: str
    content: str


@dataclass(frozen=True)
class Notification:
    """One message for one person about one event."""

    user_id: str
    event_id: str
    kind: str  # e.g. booking.confirmed: picks the e-mail templates
    title: str
    body: str
    link: str | None = None
    category: str = "bookings"  # what the person's preferences switch on or off, per channel
    emailed: bool = True  # False: inbox only, whatever the preferences (e.g. "request received")
    # Extra template context: "training" (details), "codes", "action_label".
    context: Mapping[str, Any] = field(default_factory=dict)
    calendar: CalendarFile | None = None  # attached to the e-mail
    locale: str = "en"  # the language its words are in (its person's): the e-mail is rendered in it too


@dataclass(frozen=True)
class Attachment:
    """A file sent with an e-mail, e.g. the ``.ics`` invitation of a confirmed booking."""

    filename: str
    content_type: str  # full MIME type with parameters: "text/calendar; method=REQUEST"
    content: str


@dataclass(frozen=True)
class Email:
    """An e-mail ready to send; ``message_id`` is deterministic so resends are recognisable."""

    to: str
    subject: str
    text: str
    message_id: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # The one-click unsubscribe link of the e-mail's category (List-Unsubscribe, RFC 8058).
    unsubscribe_url: str | None = None
    # The correlation of the event it tells of, so that its sending is logged with that event's chain.
    correlation_id: str = ""


@dataclass(frozen=True)
class RenderedEmail:
    """One notification put into words: subject line, plain-text part, HTML part."""

    subject: str
    text: str
    html: str


class EmailRenderer(Protocol):
    def render(self, kind: str, context: Mapping[str, Any], locale: str | None = None) -> RenderedEmail:
        """Render the templates of a notification ``kind`` (falling back to the default ones) in the
        words of ``locale`` (None: the default language)."""


class Inbox(Protocol):
    def add_many(self, notifications: list[Notification], at: datetime) -> None:
        """Insert each once per (person, event) in one write; replays are left as they are."""

    def add(self, notification: Notification, at: datetime) -> bool:
        """Store the notification once per person and event; False if it was there."""

    def for_user(self, user_id: str, limit: int, unread_only: bool = False) -> list[dict[str, Any]]:
        """The newest notifications of a user."""

    def unread_count(self, user_id: str) -> int:
        """How many of the user's notifications are unread."""

    def mark_read(self, user_id: str, notification_id: str, at: datetime) -> bool:
        """Mark one of the user's notifications read; False if the user has no such notification."""

    def mark_all_read(self, user_id: str, at: datetime) -> int:
        """Mark every unread notification of the user read; how many there were."""


class Mailer(Protocol):
    def send(self, email: Email) -> None:
        """Hand the e-mail to the mail server; raise ``Unavailable`` if it cannot be reached, or
        ``MailRefused`` if it refused this one message."""


@dataclass(frozen=True)
class QueuedEmail:
    """An e-mail waiting in the outbox, and how often sending it failed."""

    id: str
    email: Email
    attempts: int


class Outbox(Protocol):
    def enqueue_many(self, emails: list[tuple[str, str, Email]], at: datetime) -> None:
        """Queue (person, event, e-mail)s in one write, each once per (person, event)."""

    def enqueue(self, user_id: str, event_id: str, email: Email, at: datetime) -> bool:
        """Queue the e-mail once per (person, event); False if it was queued before."""

    def claim_due(self, now: datetime, lease_until: datetime) -> QueuedEmail | None:
        """Take the oldest e-mail due by ``now`` (or whose earlier sender died) until ``lease_until``."""

    def mark_sent(self, queued_id: str, at: datetime) -> None:
        """It went out."""

    def retry_later(self, queued_id: str, error: str, at: datetime | None) -> None:
        """Try again at ``at``; None gives up (the e-mail stays, marked failed, with its error)."""

    def backlog(self) -> tuple[int, datetime | None]:
        """How many e-mails wait to be sent, and when the oldest of them was queued (for operators)."""


class NotificationPreferences(Protocol):
    def many(self, user_ids: list[str]) -> dict[str, dict[str, dict[str, bool]]]:
        """The choices stored for each of these people (those who never chose are left out)."""

    def get(self, user_id: str) -> dict[str, dict[str, bool]]:
        """``{channel: {category: on}}`` as the user set it (empty where unset)."""

    def set(self, user_id: str, preferences: dict[str, dict[str, bool]]) -> None:
        """Replace the user's choices."""
