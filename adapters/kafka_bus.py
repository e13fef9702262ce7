"""Kafka: the acknowledged publisher, topic creation and the consumer the runner drives."""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.errors import (
    CommitFailedError,
    IllegalGenerationError,
    KafkaError,
    RebalanceInProgressError,
    TopicAlreadyExistsError,
    UnknownMemberIdError,
)
from kafka.structs import OffsetAndMetadata, TopicPartition

from adapters import metrics
from core.errors import PublishFailed
from events import event_class
from events.codec import encode
from events.envelope import Event
from events.types import PARTITIONS, topic_name

log = logging.getLogger(__name__)


class KafkaPublisher:
    """Publishes events and waits for the broker's acknowledgement (acks=all, idempotent)."""

    def __init__(self, bootstrap_servers: str, prefix: str, timeout_s: float = 10.0) -> None:
        self._bootstrap = bootstrap_servers
        self._prefix = prefix
        self._timeout = timeout_s
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()

    def _client(self) -> KafkaProducer:
        # Created on first use, not at import or start-up: the API must start (and
        # answer 503) even while the broker is down.
        with self._lock:
            if self._producer is None:
                self._producer = KafkaProducer(
                    bootstrap_servers=self._bootstrap,
                    acks="all",
                    enable_idempotence=True,
                    linger_ms=2,
                    max_block_ms=int(self._timeout * 1000),
                    request_timeout_ms=int(self._timeout * 1000),
                    delivery_timeout_ms=int(self._timeout * 1000) + 2000,
                    retry_backoff_ms=100,
                    client_id="marketplace",
                )
            return self._producer

    def publish(self, event: Event) -> None:
        """Send ``event`` keyed by its aggregate and wait for the ack, else ``PublishFailed``."""
        self.publish_many([event])

    def publish_many(self, events: list[Event]) -> None:
        """Send every event, then wait for all the acks (one wait for the batch), else ``PublishFailed``."""
        # The type names its topic.
        records = [(topic_name(self._prefix, event_class(e.type).TOPIC), e.key, encode(e),
                    [("type", str(e.type).encode()), ("id", e.id.encode())]) for e in events]  # fmt: skip
        try:
            self._send(records)
        except PublishFailed:
            for e in events:
                metrics.PUBLISH_FAILURES.labels(str(e.type)).inc()
            raise
        for e in events:
            metrics.EVENTS_PUBLISHED.labels(str(e.type)).inc()

    def send_raw(
        self, topic: str, key: str | None, value: bytes, headers: list[tuple[str, bytes]] | None = None
    ) -> None:
        """Send bytes as they are (the dead-letter path) and wait for the ack."""
        self._send([(topic, key, value, headers or [])])

    def _send(self, records: list[tuple[str, str | None, bytes, list[tuple[str, bytes]]]]) -> None:
        if not records:
            return
        producer = None
        try:
            producer = self._client()
            futures = [producer.send(topic, key=key.encode() if key else None, value=value, headers=headers)
                       for topic, key, value, headers in records]  # fmt: skip
            for future in futures:
                future.get(timeout=self._timeout + 5)
        except KafkaError as exc:
            self._discard(producer)
            raise PublishFailed(f"The event broker did not acknowledge: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - kafka-python raises plain errors when it cannot connect
            self._discard(producer)
            raise PublishFailed(f"The event broker is unreachable: {exc}") from exc

    def _discard(self, producer: KafkaProducer | None) -> None:
        """Drop a producer whose send failed; the next send makes a new one.

        An idempotent producer whose batch expired unacknowledged keeps sequence numbers the
        broker never saw; kafka-python does not reset its producer id then (the Java client
        does), and every later send waited in vain after a broker restart (the chaos suite).
        A new producer gets a new id. Records sent twice that way carry the same event id,
        which consumers apply once.
        """
        with self._lock:
            if producer is None or producer is not self._producer:
                return  # another thread replaced it already
            self._producer = None
        try:
            producer.close(timeout=0)
        except Exception:  # noqa: BLE001 - it failed already; closing is best effort
            log.debug("closing a failed producer", exc_info=True)

    def reachable(self, timeout_s: float = 2.0) -> bool:
        """Whether the broker answers a metadata request now."""
        admin = None
        if not _listening(self._bootstrap):
            return False
        try:
            admin = KafkaAdminClient(bootstrap_servers=self._bootstrap, request_timeout_ms=int(timeout_s * 1000))
            admin.describe_cluster()
            return True
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False
        finally:
            if admin is not None:
                admin.close()

    def close(self) -> None:
        """Flush and close the producer."""
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=5)
                self._producer = None


def ensure_topics(bootstrap_servers: str, names: list[str], deadline_s: float = 60.0) -> None:
    """Create the topics that do not exist yet; waits for the broker up to ``deadline_s``."""
    deadline = time.monotonic() + deadline_s
    while True:
        # A plain TCP check first: a kafka-python client that fails while being built
        # leaves a background thread behind.
        if _listening(bootstrap_servers):
            try:
                admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
                break
            except Exception:  # noqa: BLE001 - broker still starting
                pass
        if time.monotonic() > deadline:
            raise PublishFailed(f"The event broker at {bootstrap_servers} is unreachable.")
        time.sleep(0.5)
    try:
        existing = set(admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing:  # one request for all: each creation is a metadata commit on a KRaft controller
            try:
                admin.create_topics([NewTopic(name, PARTITIONS, 1) for name in missing])
            except TopicAlreadyExistsError:  # another process created some meanwhile: the rest, one by one
                for name in missing:
                    try:
                        admin.create_topics([NewTopic(name, PARTITIONS, 1)])
                    except TopicAlreadyExistsError:
                        pass
    finally:
        admin.close()


def delete_topics(bootstrap_servers: str, names: list[str]) -> None:
    """Delete these topics (those that exist); the broker frees their partitions in the background."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=30000)
    try:
        existing = [n for n in names if n in set(admin.list_topics())]
        if existing:
            admin.delete_topics(existing)
    finally:
        admin.close()


def _listening(bootstrap_servers: str) -> bool:
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=1):
                return True
        except OSError:
            continue
    return False


PARTITIONS_KNOWN_WITHIN_S = 30.0


def partitions_known(consumer: KafkaConsumer, topics: list[str], within_s: float) -> bool:
    """Wait up to ``within_s`` until the consumer's metadata lists every topic's partitions; whether it does."""
    end = time.monotonic() + within_s
    while True:
        if all(consumer.partitions_for_topic(t) for t in topics):
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.2)


@dataclass(frozen=True)
class Delivery:
    """One record as the runner sees it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]


class KafkaSource:
    """A consumer-group member with manual commits, for the worker runner."""

    def __init__(self, bootstrap_servers: str, group: str, topics: list[str], max_poll_records: int = 50) -> None:
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=group,
            enable_auto_commit=False,  # committed by the runner after the effect is durable
            auto_offset_reset="earliest",
            # Short session: a killed member's partitions move on to the others within seconds.
            session_timeout_ms=6000,
            heartbeat_interval_ms=1000,
            max_poll_interval_ms=120000,
            max_poll_records=max_poll_records,
            # Co-partitioning: partition i of every topic goes to the same member, so one
            # member applies every event keyed by one training, whatever its topic.
            partition_assignment_strategy=[RangePartitionAssignor],
            # Small fetches per partition: the consumer drains one partition's fetched
            # records before the next partition's, so a 1 MB backlog of requests would make
            # a payment on another partition wait behind it.
            max_partition_fetch_bytes=64 * 1024,
            client_id=f"marketplace-{group}",
        )
        # Joined before the broker's metadata lists the topics' partitions (topics created a moment
        # ago), a member is assigned nothing, and kafka-python may never rebalance it: the group
        # then sits idle with events waiting. Subscribe once they are known.
        if not partitions_known(self._consumer, topics, PARTITIONS_KNOWN_WITHIN_S):
            log.warning("the broker does not list every partition of %s yet; joining the group anyway", topics)
        self._consumer.subscribe(topics)

    def poll(self, timeout_s: float) -> list[Delivery]:
        """Records fetched within ``timeout_s``, in partition order."""
        batches = self._consumer.poll(timeout_ms=int(timeout_s * 1000))
        out = []
        for records in batches.values():
            for r in records:
                out.append(Delivery(r.topic, r.partition, r.offset, r.key, r.value, list(r.headers or [])))
        return out

    def commit(self, *deliveries: Delivery) -> bool:
        """Commit, in one synchronous request, each partition's offset after its last record here.

        False when this member is no longer in the group (the broker restarted, or the session
        expired): no commit can succeed until the next poll rejoins, and the partitions may have
        moved on; their records come again from the last committed offset, to whichever member
        holds them then, and its markers skip what was applied.
        """
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for d in deliveries:
            tp = TopicPartition(d.topic, d.partition)
            if tp not in offsets or offsets[tp].offset <= d.offset:
                offsets[tp] = OffsetAndMetadata(d.offset + 1, None, -1)
        if not offsets:
            return True
        try:
            self._consumer.commit(offsets)
        except (CommitFailedError, IllegalGenerationError, UnknownMemberIdError, RebalanceInProgressError) as lost:
            log.warning("commit refused, this member left the group (%s); rejoining on the next poll", lost)
            return False
        return True

    def assigned(self) -> bool:
        """Whether the group gave this member partitions yet."""
        return bool(self._consumer.assignment())

    def assignment_size(self) -> int:
        """How many partitions the group gave this member (from the consumer's own thread only)."""
        return len(self._consumer.assignment())

    def lag(self) -> dict[tuple[str, int], int]:
        """Records this member has yet to consume, per assigned partition: the broker's end offset
        (as its last fetch response gave it) minus this member's position. Costs no request; a
        partition not fetched from yet is left out. From the consumer's own thread only."""
        lag = {}
        for tp in self._consumer.assignment():
            end = self._consumer.highwater(tp)
            if end is None:
                continue
            try:
                position = self._consumer.position(tp, timeout_ms=0)
            except KafkaError:
                continue  # not known without asking the coordinator: next poll
            if position is not None:
                lag[(tp.topic, tp.partition)] = max(0, end - position)
        return lag

    def close(self) -> None:
        """Leave the group cleanly."""
        self._consumer.close()
