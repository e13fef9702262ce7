"""The topics events travel on, the consumer groups and their dead-letter topics.

Each event type names its own topic: see its class in ``events/`` (``BookingHeld.TOPIC``).
"""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    """Logical topic names; the deployment may prefix them (see ``topic_name``)."""

    ACCOUNTS = "accounts"
    TRAININGS = "trainings"
    BOOKINGS = "bookings"
    PAYMENTS = "payments"
    SPONSORS = "sponsors"


# The consumer groups, one per worker; each has its dead-letter topic.
GROUPS = ("capacity", "payments", "notifications", "certificates")

# Three partitions: enough for two or three members of one consumer group to share
# the work, while one training (the Kafka key) always lands on one partition.
PARTITIONS = 3


def topic_name(prefix: str, topic: Topic | str) -> str:
    """The broker-level name of a logical topic under a deployment prefix."""
    return f"{prefix}{topic}"


def dead_letter_topic(prefix: str, group: str) -> str:
    """The dead-letter topic of one consumer group: what that group could not apply."""
    return f"{prefix}deadletter.{group}"


def all_topics(prefix: str, groups: tuple[str, ...] = ()) -> list[str]:
    """Every topic a deployment needs, dead-letter topics of ``groups`` included."""
    names = [topic_name(prefix, t) for t in Topic]
    names += [dead_letter_topic(prefix, g) for g in groups]
    return names
