"""Delivery: each notification to the inbox and, through the outbox, by e-mail, per the person's choices.

An e-mail is rendered when its event is handled and queued in the outbox, once per person
and event. A periodic sender takes due e-mails one at a time, so an SMTP failure backs off
that e-mail alone and never holds up the events behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core import ports
from core.errors import MailRefused, Unavailable
from core.links import Links
from core.model import User
from core.ports import Attachment, Email, Notification
from core.services.deps import Deps, Policy
from core.unsubscribe import token_for
from core.words import N_
from events.envelope import correlated, current_correlation, derived_id

log = logging.getLogger("core.delivery")

CHANNELS = ("inbox", "email")
# What a person may switch off, per channel.
CATEGORIES = {
    "bookings": N_("My bookings: requests, holds, approvals, confirmations, expiries, cancellations"),
    "waitlist": N_("Waitlist positions and promotions"),
    "payments": N_("Declined payments and refunds"),
    "trainings": N_("Changes to and cancellations of trainings I booked"),
    "reminders": N_("A reminder the day before a training"),
    "certificates": N_("My certificates of attendance, when they are ready"),
    "reviews": N_("Reviews: new ones of my trainings (experts), answers to mine (trainees)"),
    "questions": N_("Questions before booking: new ones on my trainings (experts), answers to mine (trainees)"),
    "alerts": N_("Saved searches: new trainings that match my alerts"),
    "mentoring": N_("Mentoring: assessments of my day and follow-up messages with my expert or trainees"),
    "expert": N_("For experts: new bookings, requests to approve, demos proposed by sponsors"),
    "sponsors": N_("For sponsors: vouchers, redemptions, refunds, the experts' answers to demo proposals"),
    "account": N_("My account: credential checks"),
    "admin": N_("For admins: credentials to check, questions and messages reported"),
}
LEASE = timedelta(minutes=2)  # longer than any SMTP timeout: a live sender always finishes first
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 10  # about five hours of retries, then the e-mail is marked failed


@dataclass(frozen=True)
class Channels:
    """What delivering a notification goes through: the inbox, the outbox and what fills them in."""

    inbox: ports.Inbox
    outbox: ports.Outbox
    preferences: ports.NotificationPreferences
    users: ports.Users
    renderer: ports.EmailRenderer
    policy: Policy
    clock: Callable[[], datetime]


def preferences_of(deps: Deps, user_id: str) -> dict[str, dict[str, bool]]:
    """The person's choices, every channel and category filled in (on unless switched off)."""
    return chosen_by(deps.preferences, user_id)


def chosen_by(preferences: ports.NotificationPreferences, user_id: str) -> dict[str, dict[str, bool]]:
    """The choices stored for the person, every channel and category filled in (on unless switched off)."""
    return _filled(preferences.get(user_id))


def _filled(stored: dict[str, dict[str, bool]]) -> dict[str, dict[str, bool]]:
    return {ch: {cat: bool(stored.get(ch, {}).get(cat, True)) for cat in CATEGORIES} for ch in CHANNELS}


def deliver(channels: Channels, message: Notification) -> None:
    """Put the notification in the inbox and queue its e-mail, each once per person and event."""
    now = channels.clock()
    chosen = chosen_by(channels.preferences, message.user_id)
    if chosen["inbox"][message.category]:
        channels.inbox.add(message, now)  # unique per (person, event): a replay adds nothing
    if not (message.emailed and chosen["email"][message.category]):
        return
    user = channels.users.get(message.user_id)
    if user is None:
        return
    channels.outbox.enqueue(message.user_id, message.event_id, _email(channels, message, user), now)


def deliver_many(channels: Channels, messages: list[Notification]) -> None:
    """``deliver`` for many notifications at once: one read of the preferences and of the people,
    one write to the inbox and one to the outbox (a saved search's hundreds of matches)."""
    if not messages:
        return
    now = channels.clock()
    ids = sorted({m.user_id for m in messages})
    stored = channels.preferences.many(ids)
    chosen = {u: _filled(stored.get(u, {})) for u in ids}
    channels.inbox.add_many([m for m in messages if chosen[m.user_id]["inbox"][m.category]], now)
    emailed = [m for m in messages if m.emailed and chosen[m.user_id]["email"][m.category]]
    people = channels.users.many(sorted({m.user_id for m in emailed}))
    emails = [(m.user_id, m.event_id, _email(channels, m, people[m.user_id])) for m in emailed if m.user_id in people]
    channels.outbox.enqueue_many(emails, now)


def _email(channels: Channels, message: Notification, user: User) -> Email:
    """The e-mail of a notification to this person: rendered, with its links and attachments."""
    context = dict(message.context)
    links = Links(channels.policy.public_base_url)
    unsubscribe_url = links.unsubscribe(token_for(channels.policy.link_key, message.user_id, message.category))
    calendar = message.calendar
    rendered = channels.renderer.render(
        message.kind,
        {
            **context,
            "kind": message.kind,
            "title": message.title,
            "body": message.body,
            "recipient_name": user.name,
            # No label of its own: the templates' "See the details", in the reader's language.
            "action": {"url": message.link, "label": context.pop("action_label", None)} if message.link else None,
            "has_invitation": calendar is not None and calendar.method == "REQUEST",
            "has_cancellation": calendar is not None and calendar.method == "CANCEL",
            "preferences_url": links.preferences(),
            "unsubscribe_url": unsubscribe_url,
            "category_label": CATEGORIES[message.category],
            "marketplace_name": channels.policy.marketplace_name,
        },
        message.locale,
    )
    attachments: tuple[Attachment, ...] = ()
    if calendar is not None:
        name = "cancellation.ics" if calendar.method == "CANCEL" else "invitation.ics"
        attachments = (Attachment(name, f"text/calendar; method={calendar.method}", calendar.content),)
    email = Email(
        to=user.email,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        # Deterministic: a resend after a crash carries the same Message-ID, which mail
        # clients show once.
        message_id=derived_id(message.event_id, f"email/{message.user_id}"),
        attachments=attachments,
        unsubscribe_url=unsubscribe_url,
        correlation_id=current_correlation(),
    )
    return email


def send_due_emails(deps: Deps, limit: int = 50) -> int:
    """Send up to ``limit`` due e-mails; how many went out. Run periodically by the notifications worker."""
    sent = 0
    for _ in range(limit):
        now = deps.clock()
        queued = deps.outbox.claim_due(now, now + LEASE)
        if queued is None:
            break
        with correlated(queued.email.correlation_id):
            try:
                deps.mailer.send(queued.email)
            except MailRefused as refused:
                _back_off(deps, queued.id, queued.attempts, refused.message)
                continue  # this message's problem: the next one may go
            except Unavailable as down:
                _back_off(deps, queued.id, queued.attempts, down.message)
                break  # the server is down: the others would fail the same way
            deps.outbox.mark_sent(queued.id, deps.clock())
            log.info("e-mail %s sent (attempt %d)", queued.id, queued.attempts)
        sent += 1
    return sent


def _back_off(deps: Deps, queued_id: str, attempts: int, error: str) -> None:
    if attempts >= MAX_ATTEMPTS:
        log.error("e-mail %s failed %d times, giving up: %s", queued_id, attempts, error)
        deps.outbox.retry_later(queued_id, error, None)
        return
    delay = min(RETRY_CAP, RETRY_BASE * 2 ** (attempts - 1))
    log.warning("e-mail %s failed (attempt %d), retrying in %s: %s", queued_id, attempts, delay, error)
    deps.outbox.retry_later(queued_id, error, deps.clock() + delay)
