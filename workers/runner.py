"""The one consumer loop every worker runs.

Poll a batch, decode, skip what this group already applied, dispatch to the registered
handlers, then record the batch as applied and commit each partition's offset + 1, only
after the effects are durable. A failing message is retried a bounded number of times,
then goes to the group's dead-letter topic with its error, and the worker goes on.
Infrastructure outages are retried until the service is back, never dead-lettered.
SIGTERM finishes the current message and leaves the group cleanly.

The dedupe read, the markers' write and the offset commit are made once per batch, not
once per message (bench/RESULTS.md, run 3). A crash before they are written replays the
batch, which handlers already allow: every handler is idempotent, since a crash between
an effect and its marker was always possible.

The process around it (configuration, logs, its HTTP port, signals) is workers/launch.py.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from adapters import metrics
from adapters.kafka_bus import Delivery, KafkaPublisher, KafkaSource
from adapters.logs import log_context
from adapters.transient import TRANSIENT_ERRORS
from core.handlers import bind_all, inject
from core.services.deps import Deps
from events import DomainEvent, event_class
from events.codec import InvalidEvent, decode, encode
from events.envelope import Event, correlated
from workers.health import Pulse

log = logging.getLogger("workers.runner")

T = TypeVar("T")

UNREADABLE = "unreadable"  # the event type label of a record that is not an event (bounded labels)

Handler = Callable[..., None]  # ``handler(event, **ports)``, or ``handler(deps, event)`` (see core.handlers)
# Keyed by the event's class (``{BookingRequested: [on_booking_requested]}``); a wire name
# (``BookingRequested.TYPE``) is taken too and stands for its class.
Registry = Mapping[type[DomainEvent], list[Handler]] | Mapping[str, list[Handler]]


def merge_handlers(*registries: Registry) -> dict[type[DomainEvent], list[Handler]]:
    """One registry from several, keyed by class: each event type runs every registry's handlers, in order."""
    merged: dict[type[DomainEvent], list[Handler]] = {}
    for registry in registries:
        for kind, handlers in registry.items():
            merged.setdefault(event_class(kind) if isinstance(kind, str) else kind, []).extend(handlers)
    return merged


class StopRequested(Exception):
    """Raised inside a retry wait when the worker is asked to stop."""


@dataclass
class Runner:
    """Drives one consumer-group member."""

    group: str
    handlers: Registry
    source: KafkaSource
    deps: Deps
    dead_letters: KafkaPublisher
    dead_letter_topic: str
    max_attempts: int = 3
    stop: threading.Event = field(default_factory=threading.Event)
    backoff_s: float = 0.2
    max_backoff_s: float = 5.0
    # (interval in seconds, task): e.g. the capacity worker's sweep of expired holds.
    periodic: list[tuple[float, Callable[[Deps], object]]] = field(default_factory=list)
    # Periodic tasks that run in a thread of their own instead of between polls: sending e-mails
    # (a database round trip or three and an SMTP session each) held a storm's confirmations back
    # for seconds (bench/RESULTS.md, run 7). Only tasks that touch nothing the handlers write.
    apart: frozenset[Callable[[Deps], object]] = frozenset()
    # ``{BookingRequested: on_booking_requests}``: a run of consecutive events of that class in one
    # poll goes to ``handler(events, **ports)`` at once, in place of their handlers one by one; if
    # it fails, the run's events are applied one by one (every handler is idempotent).
    batch_handlers: Mapping[type[DomainEvent], Handler] = field(default_factory=dict)
    # Event classes set aside when they arrive (one write per poll) and handled a few at a time
    # after a poll that brought nothing else to do: a storm's 1,900 waitlist notices must not
    # delay a confirmation's, nor take the database from the decisions (bench/RESULTS.md, run 6).
    # Marked applied once set aside.
    deferred: frozenset[type[DomainEvent]] = frozenset()
    deferred_per_poll: int = 20
    deferred_every_s: float = 5.0
    # What the loop tells /healthz and /readyz (workers/health.py).
    pulse: Pulse = field(init=False)
    _drained: float = 0.0
    _next_run: dict[int, float] = field(default_factory=dict)
    _by_class: dict[type[DomainEvent], list[Callable[[Event], None]]] = field(init=False)
    _batch_of: dict[type[DomainEvent], Callable[[list[Event]], None]] = field(init=False)

    def __post_init__(self) -> None:
        # Keyed by class, whatever it was given; each handler bound once to the ports it names.
        self._by_class = bind_all(merge_handlers(self.handlers), self.deps)
        self._batch_of = {kind: inject(handler, self.deps) for kind, handler in self.batch_handlers.items()}
        self.pulse = Pulse(self.group)

    def handled_types(self) -> list[str]:
        """The wire names of the event types this group applies."""
        return sorted(kind.TYPE for kind, handlers in self._by_class.items() if handlers)

    def _handlers_of(self, event: Event) -> list[Callable[[Event], None]]:
        # decode() lets only known types through, so the class exists.
        return self._by_class.get(event_class(event.type), [])

    def run(self) -> None:
        """Consume until ``stop`` is set; always leaves the group on the way out."""
        log.info("%s worker consuming", self.group)
        for interval, task in self.periodic:
            if task in self.apart:
                threading.Thread(target=self._run_apart, args=(interval, task), daemon=True,
                                 name=f"{self.group}-{task.__name__}").start()  # fmt: skip
        try:
            while not self.stop.is_set():
                self.pulse.turned()
                self._run_periodic()
                try:
                    # A broker restart makes poll raise: wait for it, do not die (the chaos suite).
                    deliveries = self._until_available(lambda: self.source.poll(0.5))
                    self.pulse.polled(self.source.assignment_size(), self.source.lag())
                    urgent = self.handle_batch(deliveries) if deliveries else 0
                    # What was set aside waits while records keep coming, a few at least every
                    # ``deferred_every_s`` when nothing urgent came with them.
                    calm = not deliveries or (not urgent and time.monotonic() - self._drained > self.deferred_every_s)
                    if self.deferred and calm:
                        self._drained = time.monotonic()
                        self.handle_deferred(self.deferred_per_poll)
                except StopRequested:
                    pass  # uncommitted: the next member starts again from there
        finally:
            self.pulse.stopping = True
            self.source.close()
            log.info("%s worker stopped", self.group)

    def _run_apart(self, interval: float, task: Callable[[Deps], object]) -> None:
        while not self.stop.is_set():
            try:
                task(self.deps)
            except Exception:  # noqa: BLE001 - logged with its traceback; the next tick retries
                log.exception("%s: periodic task %s failed; retrying in %ss", self.group, task.__name__, interval)
            self.stop.wait(interval)

    def _run_periodic(self) -> None:
        now = time.monotonic()
        for i, (interval, task) in enumerate(self.periodic):
            if task in self.apart or now < self._next_run.get(i, 0.0):
                continue
            self._next_run[i] = now + interval
            try:
                task(self.deps)
            except Exception:  # noqa: BLE001 - logged with its traceback; the next tick retries
                log.exception("%s: periodic task %s failed; retrying in %ss", self.group, task.__name__, interval)

    def handle_batch(self, deliveries: list[Delivery]) -> int:
        """Apply a poll's records in order, then mark them applied and commit them at once; how many
        events it applied now (not counting those it set aside, nor those applied before).

        If asked to stop midway, what was applied so far is marked and committed, and the
        rest is left to the next member.
        """
        started = time.perf_counter()
        events = [self._decode(d) for d in deliveries]
        metrics.BATCH_SIZE.labels(self.group).observe(len(deliveries))
        # One label lookup per type and poll, not per record (a storm's polls hold 500).
        received = Counter(e.type if isinstance(e, Event) else UNREADABLE for e in events)
        for kind, n in received.items():
            metrics.EVENTS_RECEIVED.labels(self.group, kind).inc(n)
        wanted = [e.id for e in events if isinstance(e, Event) and self._handlers_of(e)]
        done = self._until_available(lambda: self.deps.processed.seen_many(self.group, wanted)) if wanted else set()
        for kind, n in Counter(e.type for e in events if isinstance(e, Event) and e.id in done).items():
            metrics.EVENTS_DUPLICATE.labels(self.group, kind).inc(n)
        applied = self._defer([e for e in events if isinstance(e, Event) and e.id not in done])
        set_aside = len(applied)
        done.update(applied)
        handled: list[Delivery] = []
        try:
            i = 0
            while i < len(deliveries) and not self.stop.is_set():
                run = self._batch_run(events, i)
                if len(run) > 1:
                    kind = event_class(events[i].type)  # type: ignore[union-attr]
                    fresh = [e for j in run if (e := events[j]).id not in done and event_class(e.type) is kind]  # type: ignore[union-attr]
                    fresh = list({e.id: e for e in fresh}.values())  # the same event twice in one batch runs once
                    applied += self._apply_run([deliveries[j] for j in run], fresh)  # type: ignore[arg-type]
                    done.update(e.id for e in fresh)
                    handled += [deliveries[j] for j in run]
                    i = run[-1] + 1
                    continue
                delivery, event = deliveries[i], events[i]
                if isinstance(event, InvalidEvent):
                    # A message that cannot even be read will never succeed: no retries.
                    self._dead_letter(delivery, event, 1, UNREADABLE)
                elif self._handlers_of(event) and event.id not in done:
                    if self._apply(delivery, event):
                        applied.append(event.id)
                    done.add(event.id)  # the same event twice in one batch runs once
                handled.append(delivery)
                i += 1
        finally:
            if handled:
                self._settle(applied, handled)
            metrics.BATCH_DURATION.labels(self.group).observe(time.perf_counter() - started)
        return len(applied) - set_aside

    def _defer(self, events: list[Event]) -> list[str]:
        """Set aside the batch's events of the deferred classes, in one write; their ids."""
        later = list(
            {e.id: e for e in events if event_class(e.type) in self.deferred and self._handlers_of(e)}.values()
        )
        if later:
            at = datetime.now(UTC)
            self._until_available(lambda: self.deps.deferred.defer(self.group, later, at))
        return [e.id for e in later]

    def handle_deferred(self, limit: int) -> int:
        """Handle up to ``limit`` of the events set aside, oldest first, each with its retries; how many."""
        if not self.deferred:
            return 0
        due = self._until_available(lambda: self.deps.deferred.due(self.group, limit))
        finished: list[str] = []
        try:
            for event in due:
                raw = encode(event)
                headers = [("type", str(event.type).encode()), ("id", event.id.encode())]
                self._apply(Delivery(f"deferred:{self.group}", -1, -1, event.key.encode(), raw, headers), event)
                finished.append(event.id)  # handled, or dead-lettered with its error
                if self.stop.is_set():
                    break
        finally:
            if finished:
                self._until_available(lambda: self.deps.deferred.done(self.group, finished))
        return len(finished)

    def _batch_run(self, events: list[Event | InvalidEvent], start: int) -> list[int]:
        """The indexes from ``start`` that one batch handler takes together: consecutive events of
        its class, and between them any this group has nothing to do with (the worker's own
        reactions, interleaved with the requests on the same partition, would break every run)."""
        first = events[start]
        if isinstance(first, InvalidEvent) or event_class(first.type) not in self._batch_of:
            return [start]
        kind = event_class(first.type)
        run = [start]
        for i in range(start + 1, len(events)):
            after = events[i]
            if isinstance(after, InvalidEvent):
                break
            if event_class(after.type) is not kind and self._handlers_of(after):
                break
            run.append(i)
        return run

    def _apply_run(self, deliveries: list[Delivery], events: list[Event]) -> list[str]:
        """A run through its batch handler; if that fails for any reason but an outage, one by one."""
        if not events:
            return []
        started = time.perf_counter()
        try:
            self._until_available(lambda: self._batch_of[event_class(events[0].type)](events))
            metrics.HANDLER_DURATION.labels(self.group, events[0].type).observe(time.perf_counter() - started)
            metrics.EVENTS_HANDLED.labels(self.group, events[0].type).inc(len(events))
            log.debug("%s: applied %d %s at once in %.1f ms", self.group, len(events), events[0].type,
                      (time.perf_counter() - started) * 1000)  # fmt: skip
            return [e.id for e in events]
        except StopRequested:
            raise
        except Exception as exc:  # noqa: BLE001 - the events are applied one by one, each retried on its own
            log.warning("%s: a batch of %d %s failed (%s); applying them one by one",
                        self.group, len(events), events[0].type, exc)  # fmt: skip
        by_id = {e.id: e for e in events}
        applied = []
        for delivery in deliveries:
            event = self._decode(delivery)
            if isinstance(event, Event) and by_id.pop(event.id, None) is not None and self._apply(delivery, event):
                applied.append(event.id)
        return applied

    def _settle(self, applied: list[str], handled: list[Delivery]) -> None:
        """Markers first, then offsets: a committed record is always a marked one."""
        if applied:
            at = datetime.now(UTC)
            self._until_available(lambda: self.deps.processed.mark_many(self.group, applied, at))
        if not self._until_available(lambda: self.source.commit(*handled)):
            # Out of the group: the records come again after the rejoin, and the markers skip them.
            log.warning("%s: %d records applied but not committed; they will be skipped when redelivered",
                        self.group, len(handled))  # fmt: skip

    def _until_available(self, call: Callable[[], T]) -> T:
        """``call``, retried without bound while a backing service is unavailable."""
        outage = 0
        while True:
            try:
                return call()
            except TRANSIENT_ERRORS as exc:
                outage += 1
                log.warning("%s: service unavailable (%s); retrying", self.group, exc)
                self._wait(outage)

    def _apply(self, delivery: Delivery, event: Event) -> bool:
        """Run the event's handlers until they succeed (True) or it is dead-lettered (False); every
        line logged meanwhile names the event, its booking and training, and its correlation."""
        with correlated(event.correlation_id), log_context(**_about(event)):
            return self._apply_now(delivery, event)

    def _apply_now(self, delivery: Delivery, event: Event) -> bool:
        failures = 0
        while True:
            started = time.perf_counter()
            try:
                self._until_available(lambda: self._run_handlers(event))
                elapsed = time.perf_counter() - started
                metrics.HANDLER_DURATION.labels(self.group, event.type).observe(elapsed)
                metrics.EVENTS_HANDLED.labels(self.group, event.type).inc()
                log.debug("%s: applied %s in %.1f ms", self.group, event.type, elapsed * 1000)
                return True
            except StopRequested:
                raise
            except Exception as exc:  # noqa: BLE001 - any other failure is the message's
                failures += 1
                log.error(
                    "%s: offset %s/%s failed (%d/%d): %s",
                    self.group,
                    delivery.topic,
                    delivery.offset,
                    failures,
                    self.max_attempts,
                    exc,
                )
                if failures >= self.max_attempts:
                    self._dead_letter(delivery, exc, failures, event.type)
                    return False
                metrics.EVENTS_RETRIED.labels(self.group, event.type).inc()
                self._wait(failures)

    def _run_handlers(self, event: Event) -> None:
        for handler in self._handlers_of(event):
            handler(event)

    @staticmethod
    def _decode(delivery: Delivery) -> Event | InvalidEvent:
        try:
            return decode(delivery.value)
        except InvalidEvent as exc:
            return exc

    def _dead_letter(self, delivery: Delivery, exc: BaseException, attempts: int, event_type: str) -> None:
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        headers = list(delivery.headers) + [
            ("dlq.group", self.group.encode()),
            ("dlq.error", error.encode()[:4000]),
            ("dlq.error_type", type(exc).__name__.encode()),
            ("dlq.source_topic", delivery.topic.encode()),
            ("dlq.source_partition", str(delivery.partition).encode()),
            ("dlq.source_offset", str(delivery.offset).encode()),
            ("dlq.attempts", str(attempts).encode()),
            ("dlq.failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        key = delivery.key.decode(errors="replace") if delivery.key else None
        self.dead_letters.send_raw(self.dead_letter_topic, key, delivery.value, headers)
        metrics.EVENTS_DEAD_LETTERED.labels(self.group, event_type).inc()
        log.error(
            "%s: dead-lettered %s/%s@%s: %s", self.group, delivery.topic, delivery.partition, delivery.offset, error
        )

    def _wait(self, attempt: int) -> None:
        delay = min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1))
        if self.stop.wait(delay):
            raise StopRequested()


def _about(event: Event) -> dict[str, str | None]:
    """The log fields naming an event and what it is about."""
    data = event.data
    return {"event_id": event.id, "event_type": event.type,
            "booking_id": data.get("booking_id"), "training_id": data.get("training_id")}  # fmt: skip
