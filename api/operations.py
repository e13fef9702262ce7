"""What operators do by hand on the consumer groups: read a group's dead letters, replay them
once their cause is fixed, see each group's lag, and follow one booking's journey.

The ``flask`` commands (api/cli.py) and the admin's operations desk (api/web/operations.py)
both call these. Each read takes ``timeout_s``: a command waits as long as a broker may take,
a web page a few seconds; a broker that does not answer in that time is ``Unavailable``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from kafka.errors import KafkaError

from adapters import kafka_ops
from adapters.config import Config
from adapters.journey import Journey, booking_journey
from adapters.kafka_bus import KafkaPublisher
from adapters.mongo import connect
from core.errors import NotFound, Unavailable
from events.types import GROUPS
from workers import capacity, certificates, notifications, payments

# What each consumer group reads, as its worker module declares it.
GROUP_TOPICS = {w.GROUP: tuple(w.TOPICS) for w in (capacity, payments, notifications, certificates)}

COMMAND_TIMEOUT_S = 120.0  # what the broker reads allow by default


@dataclass(frozen=True)
class GroupLetters:
    """A group's dead letters, oldest first, and when each of the replayed ones was replayed."""

    group: str
    letters: list[kafka_ops.DeadLetter]
    replayed: dict[str, datetime]  # ref -> when; may name letters the broker no longer keeps

    def find(self, ref: str) -> kafka_ops.DeadLetter:
        """The letter named ``ref`` (``partition:offset``), or ``NotFound``."""
        for letter in self.letters:
            if letter.ref == ref:
                return letter
        raise NotFound(f"no such dead letter in {self.group}: {ref}", {"refs": [ref]})


@dataclass(frozen=True)
class Replay:
    """What became of one chosen dead letter: sent back to ``topic``, or (``topic`` None) left
    alone because it was replayed at ``before`` and no one asked for it again."""

    letter: kafka_ops.DeadLetter
    topic: str | None
    before: datetime | None


def dead_letters(config: Config, group: str, timeout_s: float = COMMAND_TIMEOUT_S) -> GroupLetters:
    """``group``'s dead letters with their replay marks; ``NotFound`` for a group we do not run."""
    _known(group)
    with _replays(config) as store:
        return _letters(config, group, store, timeout_s)


def replay(
    config: Config, group: str, refs: Sequence[str], again: bool = False, timeout_s: float = COMMAND_TIMEOUT_S
) -> list[Replay]:
    """Send the chosen dead letters (``refs``; every one of the group when empty) back to their
    source topic, and record each replay. A letter replayed before is left alone unless ``again``.

    A ref the group does not have is ``NotFound``, and then nothing is sent. Only ``group``
    applies a replayed event again: the others skip its id (``kafka_ops.replay``).
    """
    _known(group)
    with _replays(config) as store:
        found = _letters(config, group, store, timeout_s)
        by_ref = {d.ref: d for d in found.letters}
        wanted = list(dict.fromkeys(refs))  # a ref named twice is still one replay
        unknown = [r for r in wanted if r not in by_ref]
        if unknown:
            raise NotFound(f"no such dead letter in {group}: {', '.join(unknown)}", {"refs": unknown})
        done: list[Replay] = []
        publisher = KafkaPublisher(config.kafka_bootstrap_servers, config.kafka_topic_prefix)
        try:
            for letter in [by_ref[r] for r in wanted] if wanted else found.letters:
                before = found.replayed.get(letter.ref)
                if before is not None and not again:
                    done.append(Replay(letter, None, before))
                    continue
                topic = kafka_ops.replay(publisher, letter)
                store.record(letter, datetime.now(UTC))
                done.append(Replay(letter, topic, before))
        finally:
            publisher.close()
        return done


def lag(
    config: Config, groups: Sequence[str] = (), timeout_s: float = COMMAND_TIMEOUT_S
) -> list[kafka_ops.PartitionLag]:
    """Each group's committed offset and pending records per partition of what it reads (every
    group when ``groups`` is empty), counted by reading the broker."""
    for group in groups:
        _known(group)
    wanted = {g: GROUP_TOPICS[g] for g in groups or GROUPS}
    with _broker(config, timeout_s):
        return kafka_ops.consumer_lag(config.kafka_bootstrap_servers, config.kafka_topic_prefix, wanted)


def journey(config: Config, booking_id: str, timeout_s: float = COMMAND_TIMEOUT_S) -> Journey:
    """The booking's journey through the processes (``flask trace``); ``NotFound`` if there is no such booking."""
    db = connect(config.mongodb_uri, config.mongodb_database)
    try:
        with _broker(config, timeout_s):
            found = booking_journey(config.kafka_bootstrap_servers, config.kafka_topic_prefix, db, booking_id,
                                    timeout_s)  # fmt: skip
    finally:
        db.client.close()
    if found is None:
        raise NotFound(f"No booking {booking_id}.")
    return found


def _letters(config: Config, group: str, store: kafka_ops.MongoReplays, timeout_s: float) -> GroupLetters:
    with _broker(config, timeout_s):
        letters = kafka_ops.read_dead_letters(config.kafka_bootstrap_servers, config.kafka_topic_prefix, group,
                                              timeout_s)  # fmt: skip
    return GroupLetters(group, letters, store.replayed(group))


def _known(group: str) -> None:
    if group not in GROUPS:
        raise NotFound(f"No consumer group {group}; there are {', '.join(GROUPS)}.")


@contextlib.contextmanager
def _broker(config: Config, timeout_s: float) -> Iterator[None]:
    """Kafka's failures as ``Unavailable``. A quick check first: kafka-python's clients wait
    30 seconds for a broker that is down before they give up, whatever the read's timeout."""
    where = config.kafka_bootstrap_servers
    if not KafkaPublisher(where, config.kafka_topic_prefix).reachable(min(timeout_s, 5.0)):
        raise Unavailable(f"The event broker ({where}) does not answer: nothing was read or sent. "
                          "Try again once it is back.")  # fmt: skip
    try:
        yield
    except (KafkaError, TimeoutError) as exc:
        raise Unavailable(f"The event broker ({where}) did not answer in time ({timeout_s:.0f} s): {exc}. "
                          "Nothing more was read or sent.") from exc  # fmt: skip


@contextlib.contextmanager
def _replays(config: Config) -> Iterator[kafka_ops.MongoReplays]:
    """The replay records, on a connection of their own, closed after use."""
    db = connect(config.mongodb_uri, config.mongodb_database)
    try:
        store = kafka_ops.MongoReplays(db)
        store.create_indexes()
        yield store
    finally:
        db.client.close()
