"""Payments worker: creates and confirms Stripe PaymentIntents; compares the ledger with Stripe."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from adapters import metrics
from adapters.config import Config
from core.handlers import ledger, payments, sponsorships
from core.services import ledger as ledger_service
from core.services.deps import Deps
from events.types import Topic
from workers.launch import main as run
from workers.runner import merge_handlers

log = logging.getLogger("workers.payments")

GROUP = "payments"
TOPICS = (Topic.BOOKINGS, Topic.PAYMENTS, Topic.SPONSORS)
HANDLERS = merge_handlers(payments.HANDLERS, sponsorships.HANDLERS, ledger.HANDLERS)
# The day checked ends this long ago: a payment of the last seconds is not in the ledger yet,
# and would read as a difference that mends itself.
SETTLED_AFTER = timedelta(minutes=10)


def reconcile_last_day(deps: Deps) -> None:
    """What ``flask --app api reconcile`` does, for the day that ended ``SETTLED_AFTER`` ago: the
    differences by kind go to /metrics (an alert fires on any), each one to the log."""
    end = deps.clock() - SETTLED_AFTER
    differences = ledger_service.reconcile(deps, ledger_service.check_period(end - timedelta(days=1), end))
    for kind in metrics.RECONCILIATION_KINDS:
        metrics.RECONCILIATION_DIFFERENCES.labels(kind).set(sum(d.kind == kind for d in differences))
    metrics.RECONCILIATION_LAST_RUN.set(time.time())
    for d in differences:
        log.error("reconciliation: %s %s: %s", d.kind, d.object_id, d.detail, extra={"difference": d.kind})
    log.info("reconciliation: %d difference(s) between the ledger and Stripe", len(differences))


def periodic(config: Config) -> list[tuple[float, Callable[[Deps], object]]]:
    """Compare the last day's ledger with Stripe every ``RECONCILE_SECONDS`` (0: never)."""
    return [(config.reconcile_seconds, reconcile_last_day)] if config.reconcile_seconds > 0 else []


# Listing Stripe's PaymentIntents takes seconds: never between polls.
APART = frozenset({reconcile_last_day})


def main() -> None:
    """Run the payments consumer group member until SIGTERM."""
    run(GROUP, HANDLERS, TOPICS, periodic, apart=APART, exported=metrics.RECONCILIATION)


if __name__ == "__main__":
    main()
