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
FORGOTTEN_AFTER_S = 60.0  # a waiter whose request failed before its wait is dropped after this
REMEMBERED_S = 30.0  # an accepted booking answers its polls from memory this long at most
MAX_REMEMBERED = 20_000


class KafkaOutcomes:
    """Waiters by booking id, woken by the decisions on the bookings topic."""

    def __init__(self, bootstrap_servers: str, prefix: str) -> None:
        self._bootstrap = bootstrap_servers
        self._topic = topic_name(prefix, BookingHeld.TOPIC)
        self._waiting: dict[str, tuple[threading.Event, float]] = {}
        self._undecided: OrderedDict[str, tuple[Booking, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._reading = threading.Event()  # positioned at the end of every partition, and polling
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def expect(self, booking_id: str) -> None:
        """Listen for the booking's decision from now on."""
        self.start()
        now = time.monotonic()
        with self._lock:
            self._waiting[booking_id] = (threading.Event(), now)
            if len(self._waiting) > 10_000:  # requests that failed before their wait
                for stale in [k for k, (_, at) in self._waiting.items() if now - at > FORGOTTEN_AFTER_S]:
                    del self._waiting[stale]

    def wait(self, booking_id: str, timeout_s: float) -> bool:
        """Whether the decision came within ``timeout_s``."""
        with self._lock:
            entry = self._waiting.get(booking_id)
        try:
            if entry is None or not self._reading.is_set():
                return False
            return entry[0].wait(timeout_s)
        finally:
            with self._lock:
                self._waiting.pop(booking_id, None)

    def remember(self, booking: Booking) -> None:
        """Keep the accepted booking until its decision goes by (at most ``REMEMBERED_S``)."""
        if not self._reading.is_set():
            return
        with self._lock:
            self._undecided[booking.id] = (copy.deepcopy(booking), time.monotonic())
            while len(self._undecided) > MAX_REMEMBERED:
                self._undecided.popitem(last=False)

    def undecided(self, booking_id: str) -> Booking | None:
        """The booking as accepted, while this reader runs and has seen no decision about it."""
        if not self._reading.is_set():
            return None
        with self._lock:
            entry = self._undecided.get(booking_id)
            if entry is None:
                return None
            if time.monotonic() - entry[1] > REMEMBERED_S:  # no decision for long: ask the store
                del self._undecided[booking_id]
                return None
            return copy.deepcopy(entry[0])

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
                    self._undecided.clear()  # decisions may go by unseen from now on
                if consumer is not None:
                    consumer.close()
            self._closed.wait(1.0)

    def _wake(self, headers: list[tuple[str, bytes]], value: bytes) -> None:
        if dict(headers).get("type") not in DECISIONS or not (self._waiting or self._undecided):
            return
        try:
            booking_id = decode(value).data.get("booking_id")
        except InvalidEvent:
            return
        with self._lock:
            entry = self._waiting.get(booking_id)
            self._undecided.pop(booking_id, None)
        if entry is not None:
            entry[0].set()
