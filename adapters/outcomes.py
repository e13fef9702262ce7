"""The decisions an API process waits for, read from the bookings topic (``Prefer: wait``).

Each API process reads every partition of the bookings topic from its end, outside any consumer
group (it commits nothing and takes no partition from a worker), and wakes the request waiting
for a booking when the capacity worker's decision about it (held, awaiting approval,
waitlisted, rejected) goes by. A request that is not decided in time, or while this reader is
not running (starting, broker down), is answered as before, still ``requested``, and its client
polls; nothing depends on this reader but the latency.

The same reader answers those polls: a booking this process accepted is kept until its decision
goes by, and a poll for it meanwhile is answered from memory (``requested``, as the store would
say), so a storm's clients polling twice a second cost the database nothing until there is news.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from core.model import Booking
from events import BookingAwaitingApproval, BookingHeld, BookingRejected, BookingWaitlisted
from events.codec import InvalidEvent, decode
from events.types import topic_name

log = logging.getLogger(__name__)

DECISIONS = frozenset(
    t.TYPE.encode() for t in (BookingHeld, BookingAwaitingApproval, BookingWaitlisted, BookingRejected)
)
KEPT_S = 30.0  # a request undecided this long is dropped: its polls read the store again
MAX_KEPT = 20_000


@dataclass
class _Tracked:
    """One request this process accepted: decided yet, and the booking as accepted while not."""

    decided: threading.Event = field(default_factory=threading.Event)
    since: float = field(default_factory=time.monotonic)
    accepted: Booking | None = None


class KafkaOutcomes:
    """The requests this process accepted, by booking id, until their decisions go by."""

    def __init__(self, bootstrap_servers: str, prefix: str) -> None:
        self._bootstrap = bootstrap_servers
        self._topic = topic_name(prefix, BookingHeld.TOPIC)
        self._tracked: OrderedDict[str, _Tracked] = OrderedDict()
        self._lock = threading.Lock()
        self._reading = threading.Event()  # positioned at the end of every partition, and polling
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def expect(self, booking_id: str) -> None:
        """Listen for the booking's decision from now on (before its request is published)."""
        self.start()
        with self._lock:
            self._tracked[booking_id] = _Tracked()
            now = time.monotonic()
            while self._tracked and (
                len(self._tracked) > MAX_KEPT or now - next(iter(self._tracked.values())).since > KEPT_S
            ):
                self._tracked.popitem(last=False)  # the oldest: decided long ago, or never accepted

    def wait(self, booking_id: str, timeout_s: float, accepted: Booking) -> bool:
        """Whether the decision came within ``timeout_s``; if not, ``accepted`` answers the polls until it does.

        One step under the lock decides between the two, so a decision that goes by just as the
        wait ends is never missed (the booking would be shown undecided after its decision).
        """
        with self._lock:
            tracked = self._tracked.get(booking_id)
        if tracked is None or not self._reading.is_set():
            self._forget(booking_id)
            return False
        if timeout_s > 0:
            tracked.decided.wait(timeout_s)
        with self._lock:
            if tracked.decided.is_set():
                return True
            if self._reading.is_set() and self._tracked.get(booking_id) is tracked:
                tracked.accepted = copy.deepcopy(accepted)
            else:
                self._tracked.pop(booking_id, None)
        return False

    def undecided(self, booking_id: str) -> Booking | None:
        """The booking as accepted, while this reader runs and has seen no decision about it."""
        with self._lock:
            tracked = self._tracked.get(booking_id)
            if tracked is None or tracked.accepted is None or not self._reading.is_set():
                return None
            if time.monotonic() - tracked.since > KEPT_S:
                del self._tracked[booking_id]
                return None
            return copy.deepcopy(tracked.accepted)

    def _forget(self, booking_id: str) -> None:
        with self._lock:
            self._tracked.pop(booking_id, None)

    def close(self) -> None:
        """Stop reading (within one poll)."""
        self._closed.set()

    def start(self) -> None:
        """Read the decisions from now on, in a daemon thread (once)."""
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, daemon=True, name="booking-outcomes")
                    self._thread.start()

    def _run(self) -> None:
        while not self._closed.is_set():
            consumer = None
            try:
                consumer = KafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None, enable_auto_commit=False,
                                         fetch_max_wait_ms=200, client_id="marketplace-api-outcomes")  # fmt: skip
                partitions = [
                    TopicPartition(self._topic, p) for p in sorted(consumer.partitions_for_topic(self._topic) or ())
                ]
                if not partitions:
                    raise RuntimeError(f"no partitions for {self._topic} yet")
                consumer.assign(partitions)
                consumer.seek_to_end()
                for tp in partitions:
                    consumer.position(tp)  # resolved now: every decision after this point is seen
                self._reading.set()
                while not self._closed.is_set():
                    for records in consumer.poll(timeout_ms=200).values():
                        for record in records:
                            self._wake(record.headers or [], record.value)
            except Exception as exc:  # noqa: BLE001 - the broker is down or restarting: waits answer at once meanwhile
                log.warning("reading booking decisions stopped (%s); retrying", exc)
            finally:
                self._reading.clear()
                with self._lock:
                    self._tracked.clear()  # decisions may go by unseen from now on
                if consumer is not None:
                    consumer.close()
            self._closed.wait(1.0)

    def _wake(self, headers: list[tuple[str, bytes]], value: bytes) -> None:
        if dict(headers).get("type") not in DECISIONS or not self._tracked:
            return
        try:
            booking_id = decode(value).data.get("booking_id")
        except InvalidEvent:
            return
        with self._lock:
            tracked = self._tracked.pop(booking_id, None)
            if tracked is not None:
                tracked.decided.set()
