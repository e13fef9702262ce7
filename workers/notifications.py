"""Notifications worker: in-app inbox and e-mail for everyone concerned, and the day-before reminders.

Its handler (core/handlers/notifications.py) is bound to the ports it names; the periodic jobs
(sending due e-mails, announcing reminders) take the whole ``Deps``: they are jobs, not reactions.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters import metrics
from adapters.config import Config
from core.handlers import account_mail, alerts
from core.handlers.notifications import HANDLERS as NOTICES
from core.services.delivery import send_due_emails
from core.services.deps import Deps
from core.services.reminders import announce_reminders
from events import BookingRequested, BookingWaitlisted
from events.types import Topic
from workers.launch import main as run
from workers.runner import merge_handlers

GROUP = "notifications"
TOPICS = (Topic.ACCOUNTS, Topic.TRAININGS, Topic.BOOKINGS, Topic.PAYMENTS, Topic.SPONSORS)
# "Request received" (inbox only) and a place on the waitlist are told after what is urgent: in
# a storm, 2,000 and 1,900 of them arrive before the first confirmations, which must reach the
# inbox within seconds (bench/RESULTS.md, run 6).
DEFERRED = frozenset({BookingRequested, BookingWaitlisted})
# Set aside in one write per poll: the bigger the poll, the sooner a confirmation behind 2,000
# requests on the training's partition is reached.
MAX_POLL_RECORDS = 500
# Each event's notices, for a training newly bookable the saved searches it matches, and the account's own e-mails.
HANDLERS = merge_handlers(NOTICES, alerts.HANDLERS, account_mail.HANDLERS)


def email_outbox(deps: Deps) -> None:
    """The e-mail outbox's depth and the age of its oldest e-mail, for /metrics."""
    metrics.backlog(metrics.EMAIL_OUTBOX, metrics.EMAIL_OUTBOX_OLDEST_AGE, *deps.outbox.backlog())


# E-mails go out from a thread of their own: the outbox is theirs alone, and sending them
# between polls held a storm's confirmations back (bench/RESULTS.md, run 7). The outbox's gauges
# are read there too: a scrape or a poll never waits on the database for them.
APART = frozenset({send_due_emails, email_outbox})


def periodic(config: Config) -> list[tuple[float, Callable[[Deps], object]]]:
    """Send queued e-mails every ``OUTBOX_SEND_SECONDS``; announce reminders every ``REMINDER_SWEEP_SECONDS``;
    send the day's alert digests when they are due (looked at as often as the reminders); read the
    e-mail outbox's gauges every ``GAUGE_SAMPLE_SECONDS``."""
    return [
        (config.outbox_send_seconds, send_due_emails),
        (config.reminder_sweep_seconds, announce_reminders),
        (config.reminder_sweep_seconds, alerts.send_alert_digests),
        (config.gauge_sample_seconds, email_outbox),
    ]


def main() -> None:
    """Run the notifications consumer group member until SIGTERM."""
    for reason in ("refused", "unavailable"):
        metrics.EMAILS_REFUSED.labels(reason)  # at 0 from the start, for the EmailsRefused alert
    run(GROUP, HANDLERS, TOPICS, periodic, deferred=DEFERRED, max_poll_records=MAX_POLL_RECORDS, apart=APART,
        exported=metrics.EMAIL)  # fmt: skip


if __name__ == "__main__":
    main()
