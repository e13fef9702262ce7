"""Payments worker: creates and confirms Stripe PaymentIntents."""

from __future__ import annotations

from core.services import sponsorships
from core.services.payments import HANDLERS as BOOKING_HANDLERS
from events.types import Topic
from workers.runner import main as run

GROUP = "payments"
TOPICS = (Topic.BOOKINGS, Topic.PAYMENTS, Topic.SPONSORS)
HANDLERS = {**BOOKING_HANDLERS, **sponsorships.HANDLERS}


def main() -> None:
    """Run the payments consumer group member until SIGTERM."""
    run(GROUP, HANDLERS, TOPICS)


if __name__ == "__main__":
    main()
