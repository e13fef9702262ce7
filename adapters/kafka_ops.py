"""What an operator reads from the broker: consumer lag, dead letters, and their replay.

Lag is the broker's end offset of each partition minus the group's committed offset; reading
a topic stops at the end offsets it had when the reading began.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer
from kafka.admin import OffsetSpec
from kafka.errors import CoordinatorNotAvailableError
from kafka.structs import TopicPartition
from pymongo.database import Database

from adapters.kafka_bus import KafkaPublisher
from adapters.mongo_compat import narrowed
from events.types import dead_letter_topic

REPLAY_HEADER = "dlq.replayed_from"


def read_from(
    bootstrap_servers: str, starts: Mapping[TopicPartition, int | None], timeout_s: float = 120.0
) -> dict[TopicPartition, list[Any]]:
    """Every record of each partition from its start offset (None: its beginning) up to its end
    offset at the time of the call, without a consumer group.

    An offset the broker no longer holds (retention) reads from the earliest it still has.
    Raises ``TimeoutError`` if the records are not all read within ``timeout_s``.
    """
    out: dict[TopicPartition, list[Any]] = {tp: [] for tp in starts}
    if not starts:
        return out
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    try:
        consumer.assign(list(starts))
        ends = offsets_of(bootstrap_servers, list(starts), OffsetSpec.LATEST)
        for tp, offset in starts.items():
            if offset is None:
                consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, offset)
        deadline = time.monotonic() + timeout_s
        waiting = {tp for tp in starts if consumer.position(tp) < ends[tp]}
        while waiting:
            if time.monotonic() > deadline:
                raise TimeoutError(f"records of {sorted(map(str, waiting))} not all read in {timeout_s:.0f}s")
            for tp, records in consumer.poll(timeout_ms=200).items():
                out[tp].extend(r for r in records if r.offset < ends[tp])
            waiting = {tp for tp in waiting if consumer.position(tp) < ends[tp]}
        return out
    finally:
        consumer.close()


def read_topic(bootstrap_servers: str, topic: str, timeout_s: float = 120.0) -> list[Any]:
    """Every record of a topic from its beginning to its end now, partition after partition."""
    parts = partitions_of(bootstrap_servers, [topic])
    records = read_from(bootstrap_servers, dict.fromkeys(parts), timeout_s)
    return [r for tp in parts for r in records[tp]]


def offsets_of(
    bootstrap_servers: str, parts: list[TopicPartition], spec: OffsetSpec, admin: KafkaAdminClient | None = None
) -> dict[TopicPartition, int]:
    """Each partition's end (``OffsetSpec.LATEST``) or first (``EARLIEST``) offset, from its leader."""
    if not parts:
        return {}
    own = admin is None
    client = KafkaAdminClient(bootstrap_servers=bootstrap_servers) if admin is None else admin
    try:
        found = client.list_partition_offsets(dict.fromkeys(parts, spec))
        return {tp: int(found[tp].offset) for tp in parts}
    finally:
        if own:
            client.close()


def partitions_of(bootstrap_servers: str, topics: list[str]) -> list[TopicPartition]:
    """Every partition of these topics (a topic that does not exist has none)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False)
    try:
        return [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or [])]
    finally:
        consumer.close()


@dataclass(frozen=True)
class PartitionLag:
    """How far one group is behind on one partition."""

    group: str
    topic: str
    partition: int
    committed: int | None  # None: the group never committed here (it starts from the beginning)
    pending: int  # records after the committed offset
    oldest_pending_at: datetime | None  # when the oldest of them was produced


def consumer_lag(bootstrap_servers: str, prefix: str, groups: Mapping[str, tuple[str, ...]]) -> list[PartitionLag]:
    """Each group's committed offset and pending records, per partition of the topics it reads.

    ``groups`` maps a group to its logical topics; the broker's group id is ``prefix + group``.
    Pending is the broker's end offset minus the committed one (from the start offset when the
    group never committed); the age is the produce time of the first pending record.
    """
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False)
    try:
        lags: list[PartitionLag] = []
        for group, topics in groups.items():
            parts = partitions_of(bootstrap_servers, [f"{prefix}{t}" for t in topics])
            if not parts:
                continue
            committed = _committed(admin, f"{prefix}{group}", parts)
            ends = offsets_of(bootstrap_servers, parts, OffsetSpec.LATEST, admin)
            firsts = offsets_of(bootstrap_servers, parts, OffsetSpec.EARLIEST, admin)
            for tp in parts:
                done = committed[tp].offset if tp in committed and committed[tp].offset >= 0 else None
                start = max(done if done is not None else 0, firsts[tp])
                pending = max(0, ends[tp] - start)
                oldest = _produced_at(consumer, tp, start) if pending else None
                lags.append(PartitionLag(group, tp.topic[len(prefix) :], tp.partition, done, pending, oldest))
        return lags
    finally:
        consumer.close()
        admin.close()


def _committed(admin: KafkaAdminClient, group: str, parts: list[TopicPartition]) -> dict[TopicPartition, Any]:
    """The group's committed offsets; the coordinator may still be coming up (a new broker creates
    its offsets topic on the first request), which is worth a few seconds of retries."""
    deadline = time.monotonic() + 15
    while True:
        try:
            return dict(admin.list_group_offsets({group: parts}).get(group, {}))
        except CoordinatorNotAvailableError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _produced_at(consumer: KafkaConsumer, tp: TopicPartition, offset: int) -> datetime | None:
    """When the record at ``offset`` was produced (one fetch)."""
    consumer.assign([tp])
    consumer.seek(tp, offset)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=200, max_records=1).values():
            return datetime.fromtimestamp(records[0].timestamp / 1000, UTC)
    return None


@dataclass(frozen=True)
class DeadLetter:
    """One record a group gave up on, with the error the runner attached."""

    group: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]
    produced_at: datetime

    @property
    def ref(self) -> str:
        """How an operator names it: ``partition:offset`` in the group's dead-letter topic."""
        return f"{self.partition}:{self.offset}"

    @property
    def error(self) -> str:
        """The exception the last attempt raised, as the runner formatted it."""
        return self.headers.get("dlq.error", "")

    @property
    def source(self) -> str:
        """Where it was read from: ``topic/partition@offset``."""
        topic, partition, offset = (self.headers.get(f"dlq.source_{k}", "?") for k in ("topic", "partition", "offset"))
        return f"{topic}/{partition}@{offset}"


def read_dead_letters(bootstrap_servers: str, prefix: str, group: str, timeout_s: float = 120.0) -> list[DeadLetter]:
    """Every record of ``group``'s dead-letter topic, oldest first per partition (``TimeoutError``
    if they are not all read within ``timeout_s``)."""
    letters = []
    for r in read_topic(bootstrap_servers, dead_letter_topic(prefix, group), timeout_s):
        headers = {k: v.decode(errors="replace") for k, v in (r.headers or [])}
        at = datetime.fromtimestamp(r.timestamp / 1000, UTC)
        letters.append(DeadLetter(group, r.partition, r.offset, r.key, r.value, headers, at))
    return sorted(letters, key=lambda d: (d.produced_at, d.partition, d.offset))


class MongoReplays:
    """Which dead letters were replayed, and when: a second replay of one is refused."""

    def __init__(self, db: Database) -> None:
        self._c = db["dead_letter_replays"]

    def replayed(self, group: str) -> dict[str, datetime]:
        """The refs of ``group``'s replayed dead letters, with when."""
        found = narrowed(self._c.find({"group": group}, {"ref": 1, "at": 1}), [("group", 1), ("ref", 1)])
        return {doc["ref"]: doc["at"] for doc in found}

    def record(self, letter: DeadLetter, at: datetime) -> None:
        """Remember that ``letter`` went back to its source topic."""
        doc = {"group": letter.group, "ref": letter.ref, "at": at, "source": letter.source}
        self._c.update_one({"_id": f"{letter.group}:{letter.ref}"}, {"$setOnInsert": doc}, upsert=True)

    def create_indexes(self) -> None:
        """The one query's index."""
        self._c.create_index([("group", 1), ("ref", 1)])


def replay(publisher: KafkaPublisher, letter: DeadLetter) -> str:
    """Send the record back to its source topic, as it was, with its key; the topic it went to.

    Only the failing group applies it again: the others marked its event id as applied
    the first time, and skip it. The runner's own headers are left out, and one header
    says where the replay came from.
    """
    topic = letter.headers.get("dlq.source_topic")
    if not topic:
        raise ValueError(f"dead letter {letter.ref} does not say which topic it came from")
    headers = [(k, v.encode()) for k, v in letter.headers.items() if not k.startswith("dlq.")]
    headers.append((REPLAY_HEADER, f"{letter.group}/{letter.ref}".encode()))
    key = letter.key.decode(errors="replace") if letter.key else None
    publisher.send_raw(topic, key, letter.value, headers)
    return topic
