"""Capacity worker: the single writer of seats (holds, waitlist, confirmations)."""

from __future__ import annotations

from core.services.capacity import HANDLERS
from events.types import Topic
from workers.runner import main as run

GROUP = "capacity"
TOPICS = (Topic.TRAININGS, Topic.BOOKINGS, Topic.PAYMENTS)


def main() -> None:
    """Run the capacity consumer group member until SIGTERM."""
    run(GROUP, HANDLERS, TOPICS)


if __name__ == "__main__":
    main()
