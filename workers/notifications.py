"""Notifications worker: in-app inbox and e-mail for everyone concerned."""

from __future__ import annotations

from core.services.notifications import HANDLERS
from events.types import Topic
from workers.runner import main as run

GROUP = "notifications"
TOPICS = (Topic.ACCOUNTS, Topic.BOOKINGS, Topic.PAYMENTS, Topic.SPONSORS)


def main() -> None:
    """Run the notifications consumer group member until SIGTERM."""
    run(GROUP, HANDLERS, TOPICS)


if __name__ == "__main__":
    main()
