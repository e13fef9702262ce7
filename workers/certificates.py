"""Certificates worker: a signed PDF certificate for each trainee present at a completed training.

A worker of its own because drawing PDFs is the one CPU-bound job of the marketplace: a
training of twenty trainees completing must not delay anyone's seat or e-mail.
"""

from __future__ import annotations

from core.handlers.certificates import HANDLERS
from events.types import Topic
from workers.launch import main as run

GROUP = "certificates"
TOPICS = (Topic.TRAININGS,)


def main() -> None:
    """Run the certificates consumer group member until SIGTERM."""
    run(GROUP, HANDLERS, TOPICS)


if __name__ == "__main__":
    main()
