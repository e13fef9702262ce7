"""Payments worker: creates and confirms Stripe PaymentIntents."""

from __future__ import annotations

from core.handlers import ledger, payments, sponsorships
from events.types import Topic
from workers.runner import main as run
from workers.runner import merge_handlers

GROUP = "payments"
TOPICS = (Topic.BOOKINGS, Topic.PAYMENTS, Topic.SPONSORS)
HANDLERS = merge_handlers(payments.HANDLERS, sponsorships.HANDLERS, ledger.HANDLERS)


def main() -> None:
    """Run the payments consumer group member until SIGTERM."""
    run(GROUP, HANDLERS, TOPICS)


if __name__ == "__main__":
    main()
