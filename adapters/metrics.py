"""Every Prometheus metric the processes export, defined once (prometheus_client's default registry).

Names follow Prometheus's conventions: a ``marketplace_`` namespace, counters end in ``_total``,
durations are ``_seconds``, and every label has a bounded set of values: a route template (never
a path), an HTTP method and status, an event type, a consumer group, a topic and partition, a
currency. deploy/prometheus/alerts.yml and deploy/grafana/marketplace.json use these names;
tests/unit/test_operations_files.py checks that each name they use is defined here.

The core never imports this module: the API's middleware, the worker runner and the adapters
(the mailer, the Stripe gateway, the publisher) count what passes through them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import prometheus_client
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.registry import Collector

# Defined unregistered: a process exports only the families of what it does (``export``), so a
# worker shows no HTTP counters at 0 and the API no consumer lag.
Counter = partial(prometheus_client.Counter, registry=None)
Gauge = partial(prometheus_client.Gauge, registry=None)
Histogram = partial(prometheus_client.Histogram, registry=None)

# Batches of up to 500 records (the notifications and capacity workers' polls).
_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500)
# Event handling runs from a millisecond (a marker) to seconds (an e-mail fan-out, a Stripe call).
_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# --- the API ---------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "marketplace_http_requests", "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)  # fmt: skip
HTTP_DURATION = Histogram(
    "marketplace_http_request_duration_seconds", "Time to answer an HTTP request, by route template and method.",
    ["route", "method"], buckets=_SECONDS,
)  # fmt: skip
HTTP_IN_FLIGHT = Gauge("marketplace_http_requests_in_flight", "HTTP requests being answered now.")
OUTBOX_EVENTS = Gauge(
    "marketplace_outbox_events", "Events stored with their change and not yet acknowledged by the broker."
)
OUTBOX_OLDEST_AGE = Gauge(
    "marketplace_outbox_oldest_age_seconds", "Age of the oldest event waiting in the outbox (0 when empty)."
)

# --- publishing, in every process -------------------------------------------------------------
EVENTS_PUBLISHED = Counter(
    "marketplace_events_published", "Events the broker acknowledged, by event type.", ["event_type"]
)
PUBLISH_FAILURES = Counter(
    "marketplace_event_publish_failures", "Publishes the broker did not acknowledge in time.", ["event_type"]
)

# --- the workers ------------------------------------------------------------------------------
EVENTS_RECEIVED = Counter(
    "marketplace_events_received", "Records a worker polled, by group and event type.", ["group", "event_type"]
)
EVENTS_HANDLED = Counter(
    "marketplace_events_handled", "Events a worker applied, by group and event type.", ["group", "event_type"]
)
EVENTS_DUPLICATE = Counter(
    "marketplace_events_duplicate", "Events skipped because the group had applied them before.",
    ["group", "event_type"],
)  # fmt: skip
EVENTS_RETRIED = Counter(
    "marketplace_events_retried", "Failed attempts at an event that were tried again.", ["group", "event_type"]
)
EVENTS_DEAD_LETTERED = Counter(
    "marketplace_events_dead_lettered", "Events given up on and sent to the group's dead-letter topic.",
    ["group", "event_type"],
)  # fmt: skip
HANDLER_DURATION = Histogram(
    "marketplace_handler_duration_seconds", "Time to apply one event (or one batch handler's run), by event type.",
    ["group", "event_type"], buckets=_SECONDS,
)  # fmt: skip
BATCH_DURATION = Histogram(
    "marketplace_batch_duration_seconds", "Time to apply, mark and commit one poll's records.", ["group"],
    buckets=_SECONDS,
)  # fmt: skip
BATCH_SIZE = Histogram("marketplace_batch_size_records", "Records in one poll.", ["group"], buckets=_SIZES)
CONSUMER_LAG = Gauge(
    "marketplace_consumer_lag_records", "Records on a partition the group has not committed yet (from the broker's "
    "end offset and the group's committed offset).", ["group", "topic", "partition"],
)  # fmt: skip
ASSIGNED_PARTITIONS = Gauge(
    "marketplace_consumer_assigned_partitions", "Partitions assigned to this member.", ["group"]
)
LAST_POLL = Gauge(
    "marketplace_consumer_last_poll_timestamp_seconds", "When this member last came back from a poll (Unix time).",
    ["group"],
)  # fmt: skip
EMAIL_OUTBOX = Gauge("marketplace_email_outbox_messages", "E-mails queued and not sent yet.")
EMAIL_OUTBOX_OLDEST_AGE = Gauge(
    "marketplace_email_outbox_oldest_age_seconds", "Age of the oldest queued e-mail not sent yet (0 when none)."
)
EMAILS_SENT = Counter("marketplace_emails_sent", "E-mails the SMTP server accepted.")
EMAILS_REFUSED = Counter(
    "marketplace_emails_refused", "E-mails the SMTP server refused or could not take, by reason.", ["reason"]
)
PAYMENT_INTENTS = Counter(
    "marketplace_payment_intents_created", "PaymentIntents created at Stripe, by currency.", ["currency"]
)
REFUNDS = Counter("marketplace_refunds_issued", "Refunds asked of Stripe, by currency.", ["currency"])
REFUNDED_AMOUNT = Counter(
    "marketplace_refunded_minor_units", "Money refunded, in the currency's minor unit (cents).", ["currency"]
)
RECONCILIATION_DIFFERENCES = Gauge(
    "marketplace_reconciliation_differences", "Differences between the ledger and Stripe at the last check, by kind.",
    ["kind"],
)  # fmt: skip
RECONCILIATION_LAST_RUN = Gauge(
    "marketplace_reconciliation_last_run_timestamp_seconds", "When the ledger was last compared with Stripe."
)

# The kinds ``core.services.ledger.reconcile`` reports, so that a kind that was found once and
# then mended reads 0 again instead of keeping its last value.
RECONCILIATION_KINDS = ("missing_in_ledger", "missing_in_stripe", "amount_mismatch")


# What each kind of process exports (besides Python's own process and GC collectors).
PUBLISHING = (EVENTS_PUBLISHED, PUBLISH_FAILURES)
STRIPE = (PAYMENT_INTENTS, REFUNDS, REFUNDED_AMOUNT)
API = (HTTP_REQUESTS, HTTP_DURATION, HTTP_IN_FLIGHT, OUTBOX_EVENTS, OUTBOX_OLDEST_AGE, *PUBLISHING, *STRIPE)
WORKER = (
    EVENTS_RECEIVED, EVENTS_HANDLED, EVENTS_DUPLICATE, EVENTS_RETRIED, EVENTS_DEAD_LETTERED, HANDLER_DURATION,
    BATCH_DURATION, BATCH_SIZE, CONSUMER_LAG, ASSIGNED_PARTITIONS, LAST_POLL, *PUBLISHING, *STRIPE,
)  # fmt: skip
EMAIL = (EMAIL_OUTBOX, EMAIL_OUTBOX_OLDEST_AGE, EMAILS_SENT, EMAILS_REFUSED)
RECONCILIATION = (RECONCILIATION_DIFFERENCES, RECONCILIATION_LAST_RUN)

_exported: set[int] = set()


def export(*families: Collector) -> None:
    """Show these on this process's /metrics (once each, whoever asks first: the tests run the
    API and the workers in one process)."""
    for family in families:
        if id(family) not in _exported:
            _exported.add(id(family))
            REGISTRY.register(family)


def backlog(depth: prometheus_client.Gauge, oldest_age: prometheus_client.Gauge, count: int,
            oldest: datetime | None) -> float:  # fmt: skip
    """Set an outbox's two gauges from its ``backlog()``; the oldest one's age in seconds (0 when empty)."""
    age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
    depth.set(count)
    oldest_age.set(age)
    return age


def exposition() -> tuple[bytes, str]:
    """The process's metrics in Prometheus's text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
