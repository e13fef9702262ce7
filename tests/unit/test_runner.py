"""The consumer runner's rules, with fakes of its ports: commit after success, bounded
retries then a dead letter, outages retried without bound, replays skipped."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.kafka_bus import Delivery
from core.errors import Unavailable
from events.codec import encode
from events.envelope import Event
from events.types import EventType
from workers.runner import Runner


@dataclass
class FakeSource:
    committed: list[int] = field(default_factory=list)

    def commit(self, delivery: Delivery) -> None:
        self.committed.append(delivery.offset + 1)


@dataclass
class FakeDeadLetters:
    sent: list[tuple[str, bytes, dict[str, bytes]]] = field(default_factory=list)

    def send_raw(self, topic: str, key: str | None, value: bytes, headers: list[tuple[str, bytes]]) -> None:
        self.sent.append((topic, value, dict(headers)))


@dataclass
class FakeProcessed:
    done: set[str] = field(default_factory=set)

    def seen(self, group: str, event_id: str) -> bool:
        return f"{group}:{event_id}" in self.done

    def mark(self, group: str, event_id: str, at: datetime) -> None:
        self.done.add(f"{group}:{event_id}")


@dataclass
class FakeDeps:
    processed: FakeProcessed = field(default_factory=FakeProcessed)


def _delivery(event: Event, offset: int = 7) -> Delivery:
    return Delivery("bookings", 0, offset, b"t1", encode(event), [])


def _event() -> Event:
    return Event(
        type=EventType.BOOKING_REQUESTED,
        subject="b1",
        key="t1",
        data={"booking_id": "b1", "training_id": "t1", "trainee_id": "u1", "amount": 1, "currency": "eur"},
    )


def _runner(handler: Any, max_attempts: int = 3) -> tuple[Runner, FakeSource, FakeDeadLetters]:
    source, dead = FakeSource(), FakeDeadLetters()
    runner = Runner(
        group="capacity",
        handlers={EventType.BOOKING_REQUESTED: [handler]},
        source=source,
        deps=FakeDeps(),
        dead_letters=dead,  # type: ignore[arg-type]
        dead_letter_topic="dlq.capacity",
        max_attempts=max_attempts,
        stop=threading.Event(),
        backoff_s=0.0,
        max_backoff_s=0.0,
    )
    return runner, source, dead


def test_success_commits_the_next_offset_and_a_replay_is_skipped() -> None:
    calls: list[str] = []
    runner, source, dead = _runner(lambda deps, e: calls.append(e.id))
    event = _event()
    runner.handle(_delivery(event, 7))
    runner.handle(_delivery(event, 8))  # the same event delivered again
    assert calls == [event.id]
    assert source.committed == [8, 9]
    assert dead.sent == []


def test_a_failing_message_is_retried_then_dead_lettered_with_its_error() -> None:
    attempts: list[int] = []

    def broken(deps: Any, event: Event) -> None:
        attempts.append(1)
        raise KeyError("training_id")

    runner, source, dead = _runner(broken, max_attempts=3)
    runner.handle(_delivery(_event()))
    assert len(attempts) == 3
    assert source.committed == [8]
    [(topic, _value, headers)] = dead.sent
    assert topic == "dlq.capacity"
    assert headers["dlq.error_type"] == b"KeyError"
    assert headers["dlq.attempts"] == b"3"
    assert headers["dlq.source_offset"] == b"7"


def test_an_outage_is_retried_until_the_service_is_back_never_dead_lettered() -> None:
    outcomes = [Unavailable("mongo down")] * 6 + [None]

    def flaky(deps: Any, event: Event) -> None:
        outcome = outcomes.pop(0)
        if outcome:
            raise outcome

    runner, source, dead = _runner(flaky, max_attempts=2)
    runner.handle(_delivery(_event()))
    assert outcomes == []
    assert source.committed == [8]
    assert dead.sent == []
