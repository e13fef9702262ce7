"""The consumer runner's rules, with fakes of its ports: commit after success, bounded
retries then a dead letter, outages retried without bound, replays skipped."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.kafka_bus import Delivery
from core.errors import Unavailable
from events import BookingRequested
from events.codec import encode
from events.envelope import Event
from workers.runner import Runner

# What booking.requested carries besides the money: the booking is rebuilt from it alone.
REQUEST_FACTS = {
    "service_fee": 0,
    "voucher_code": None,
    "requested_at": "2026-11-21T12:00:00+00:00",
    "refund_terms": {"full_refund_days_before": 30},
}


@dataclass
class FakeSource:
    committed: list[int] = field(default_factory=list)
    in_group: bool = True  # False: the member was dropped from its group, as after a broker restart
    refused: int = 0

    def assignment_size(self) -> int:
        return 3

    def lag(self) -> dict[tuple[str, int], int]:
        return {}

    def commit(self, *deliveries: Delivery) -> bool:
        if not self.in_group:
            self.refused += 1
            return False
        self.committed.append(max(d.offset for d in deliveries) + 1)
        return True


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

    def seen_many(self, group: str, event_ids: list[str]) -> set[str]:
        return {e for e in event_ids if self.seen(group, e)}

    def mark_many(self, group: str, event_ids: list[str], at: datetime) -> None:
        self.done.update(f"{group}:{e}" for e in event_ids)


@dataclass
class FakeDeps:
    processed: FakeProcessed = field(default_factory=FakeProcessed)


def _delivery(event: Event, offset: int = 7) -> Delivery:
    return Delivery("bookings", 0, offset, b"t1", encode(event), [])


def _event() -> Event:
    return Event(
        type=BookingRequested.TYPE,
        subject="b1",
        key="t1",
        data={
            "booking_id": "b1",
            "training_id": "t1",
            "trainee_id": "u1",
            "amount": 1,
            "currency": "eur",
            **REQUEST_FACTS,
        },
    )


def _runner(handler: Any, max_attempts: int = 3) -> tuple[Runner, FakeSource, FakeDeadLetters]:
    source, dead = FakeSource(), FakeDeadLetters()
    runner = Runner(
        group="capacity",
        handlers={BookingRequested: [handler]},
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


def test_a_member_out_of_its_group_gives_up_the_commit_and_the_redelivery_is_skipped() -> None:
    calls: list[str] = []
    runner, source, _ = _runner(lambda event: calls.append(event.id))
    event = _event()
    source.in_group = False
    runner.handle_batch([_delivery(event, 7)])  # returns: a refused commit is not retried forever
    assert (calls, source.refused, source.committed) == ([event.id], 1, [])
    source.in_group = True  # the next poll rejoined; the partition's records come again
    runner.handle_batch([_delivery(event, 7)])
    assert calls == [event.id] and source.committed == [8]  # applied once, committed now


def test_success_commits_the_next_offset_and_a_replay_is_skipped() -> None:
    calls: list[str] = []
    runner, source, dead = _runner(lambda e: calls.append(e.id))
    event = _event()
    runner.handle_batch([_delivery(event, 7)])
    runner.handle_batch([_delivery(event, 8)])  # the same event delivered again
    assert calls == [event.id]
    assert source.committed == [8, 9]
    assert dead.sent == []


def test_a_failing_message_is_retried_then_dead_lettered_with_its_error() -> None:
    attempts: list[int] = []

    def broken(event: Event) -> None:
        attempts.append(1)
        raise KeyError("training_id")

    runner, source, dead = _runner(broken, max_attempts=3)
    runner.handle_batch([_delivery(_event())])
    assert len(attempts) == 3
    assert source.committed == [8]
    [(topic, _value, headers)] = dead.sent
    assert topic == "dlq.capacity"
    assert headers["dlq.error_type"] == b"KeyError"
    assert headers["dlq.attempts"] == b"3"
    assert headers["dlq.source_offset"] == b"7"


def test_an_outage_is_retried_until_the_service_is_back_never_dead_lettered() -> None:
    outcomes = [Unavailable("mongo down")] * 6 + [None]

    def flaky(event: Event) -> None:
        outcome = outcomes.pop(0)
        if outcome:
            raise outcome

    runner, source, dead = _runner(flaky, max_attempts=2)
    runner.handle_batch([_delivery(_event())])
    assert outcomes == []
    assert source.committed == [8]
    assert dead.sent == []


def _other_event(booking_id: str) -> Event:
    return Event(
        type=BookingRequested.TYPE,
        subject=booking_id,
        key="t1",
        data={
            "booking_id": booking_id,
            "training_id": "t1",
            "trainee_id": "u1",
            "amount": 1,
            "currency": "eur",
            **REQUEST_FACTS,
        },
    )


@dataclass
class CountingProcessed(FakeProcessed):
    reads: int = 0
    writes: list[list[str]] = field(default_factory=list)

    def seen_many(self, group: str, event_ids: list[str]) -> set[str]:
        self.reads += 1
        return super().seen_many(group, event_ids)

    def mark_many(self, group: str, event_ids: list[str], at: datetime) -> None:
        self.writes.append(list(event_ids))
        super().mark_many(group, event_ids, at)


def test_a_batch_is_deduped_marked_and_committed_once_with_each_event_applied_once() -> None:
    calls: list[str] = []
    runner, source, dead = _runner(lambda e: calls.append(e.id))
    processed = CountingProcessed()
    runner.deps = FakeDeps(processed=processed)  # type: ignore[assignment]
    first, second = _other_event("b1"), _other_event("b2")
    runner.handle_batch([_delivery(first, 1), _delivery(second, 2), _delivery(first, 3)])
    assert calls == [first.id, second.id]
    assert (processed.reads, processed.writes, source.committed) == (1, [[first.id, second.id]], [4])
    runner.handle_batch([_delivery(second, 4)])  # a replay after the commit
    assert calls == [first.id, second.id]
    assert source.committed == [4, 5]


def test_a_poison_message_inside_a_batch_is_dead_lettered_and_the_rest_applied() -> None:
    calls: list[str] = []
    runner, source, dead = _runner(lambda e: calls.append(e.id))
    poison = Delivery("bookings", 0, 2, b"t1", b"not json", [])
    first, second = _other_event("b1"), _other_event("b2")
    runner.handle_batch([_delivery(first, 1), poison, _delivery(second, 3)])
    assert calls == [first.id, second.id]
    assert [headers["dlq.source_offset"] for _t, _v, headers in dead.sent] == [b"2"]
    assert source.committed == [4]


def test_stopping_midway_commits_what_was_applied_and_leaves_the_rest() -> None:
    calls: list[str] = []
    runner, source, _dead = _runner(lambda e: (calls.append(e.id), runner.stop.set()))
    first, second = _other_event("b1"), _other_event("b2")
    runner.handle_batch([_delivery(first, 1), _delivery(second, 2)])
    assert calls == [first.id]
    assert source.committed == [2]
    assert runner.deps.processed.seen("capacity", first.id)
    assert not runner.deps.processed.seen("capacity", second.id)


def test_markers_are_written_before_the_offsets_even_through_an_outage() -> None:
    order: list[str] = []
    failures = [Unavailable("mongo down")] * 2

    class Flaky(FakeProcessed):
        def mark_many(self, group: str, event_ids: list[str], at: datetime) -> None:
            if failures:
                raise failures.pop()
            order.append("marked")
            super().mark_many(group, event_ids, at)

    runner, source, _dead = _runner(lambda e: None)
    runner.deps = FakeDeps(processed=Flaky())  # type: ignore[assignment]
    original = source.commit
    source.commit = lambda *d: (order.append("committed"), original(*d))  # type: ignore[method-assign]
    runner.handle_batch([_delivery(_event(), 1)])
    assert failures == []
    assert order == ["marked", "committed"]


def test_a_broker_that_goes_away_while_polling_is_waited_for_and_consuming_goes_on() -> None:
    from kafka.errors import KafkaConnectionError

    calls: list[str] = []
    runner, source, _dead = _runner(lambda e: calls.append(e.id))
    event = _event()
    polls: list[Any] = [KafkaConnectionError("111 ECONNREFUSED")] * 3 + [[_delivery(event, 7)]]

    def poll(timeout_s: float) -> list[Delivery]:
        if not polls:
            runner.stop.set()
            return []
        outcome = polls.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    source.poll = poll  # type: ignore[attr-defined]
    source.close = lambda: None  # type: ignore[attr-defined]
    runner.run()  # returns once stopped, instead of dying on the first refused connection
    assert calls == [event.id]
    assert source.committed == [8]


def _batching_runner(batch: Any, single: Any) -> tuple[Runner, FakeSource, FakeDeadLetters]:
    runner, source, dead = _runner(single)
    runner = Runner(group="capacity", handlers={BookingRequested: [single]}, source=source, deps=FakeDeps(),
                    dead_letters=dead, dead_letter_topic="dlq.capacity", stop=threading.Event(),  # type: ignore[arg-type]
                    backoff_s=0.0, max_backoff_s=0.0, batch_handlers={BookingRequested: batch})  # fmt: skip
    return runner, source, dead


def test_a_run_of_requests_goes_to_the_batch_handler_at_once_without_duplicates() -> None:
    batches: list[list[str]] = []
    singles: list[str] = []
    runner, source, _ = _batching_runner(lambda events: batches.append([e.id for e in events]),
                                         lambda e: singles.append(e.id))  # fmt: skip
    a, b, c = _other_event("b1"), _other_event("b2"), _other_event("b3")
    runner.handle_batch([_delivery(a, 1), _delivery(b, 2), _delivery(a, 3), _delivery(c, 4)])
    assert batches == [[a.id, b.id, c.id]] and singles == []
    assert source.committed == [5]
    runner.handle_batch([_delivery(b, 5), _delivery(c, 6)])  # applied before: skipped
    assert batches == [[a.id, b.id, c.id]]


def test_events_the_group_ignores_between_requests_do_not_break_their_batch() -> None:
    from events import BookingHeld

    batches: list[list[str]] = []
    runner, source, _ = _batching_runner(lambda events: batches.append([e.id for e in events]), lambda e: None)
    a, b, c = _other_event("b1"), _other_event("b2"), _other_event("b3")
    # The worker's own reaction to an earlier request, on the same partition: nothing to do here.
    facts = {"booking_id": "b0", "training_id": "t1", "trainee_id": "u0", "amount": 1, "currency": "eur"}
    held = Event(BookingHeld.TYPE, "b0", {**facts, "expires_at": "2026-11-21T12:30:00+00:00"}, "t1")
    runner.handle_batch([_delivery(a, 1), _delivery(held, 2), _delivery(b, 3), _delivery(held, 4), _delivery(c, 5)])
    assert batches == [[a.id, b.id, c.id]] and source.committed == [6]


def test_a_failing_batch_is_applied_one_by_one_each_with_its_own_retries() -> None:
    singles: list[str] = []

    def batch(events: list[Event]) -> None:
        raise RuntimeError("the ledger moved under the batch")

    def single(event: Event) -> None:
        if event.subject == "b2":
            raise KeyError("broken")
        singles.append(event.id)

    runner, source, dead = _batching_runner(batch, single)
    a, b, c = _other_event("b1"), _other_event("b2"), _other_event("b3")
    runner.handle_batch([_delivery(a, 1), _delivery(b, 2), _delivery(c, 3)])
    assert singles == [a.id, c.id]
    assert [h["dlq.source_offset"] for _, _, h in dead.sent] == [b"2"]
    assert source.committed == [4]
    assert runner.deps.processed.seen_many("capacity", [a.id, b.id, c.id]) == {a.id, c.id}  # type: ignore[attr-defined]


def test_deferred_events_are_set_aside_at_once_and_handled_after_the_rest_a_few_at_a_time() -> None:
    from events import BookingConfirmed, BookingWaitlisted
    from tests.fakes import FakeDeferredEvents

    handled: list[str] = []
    source, dead = FakeSource(), FakeDeadLetters()
    deps = FakeDeps()
    deps.deferred = FakeDeferredEvents()  # type: ignore[attr-defined]
    runner = Runner(group="notifications", source=source, deps=deps, dead_letters=dead,  # type: ignore[arg-type]
                    handlers={BookingWaitlisted: [lambda e: handled.append(e.id)],
                              BookingConfirmed: [lambda e: handled.append(e.id)]},
                    dead_letter_topic="dlq.notifications", stop=threading.Event(), backoff_s=0.0,
                    max_backoff_s=0.0, deferred=frozenset({BookingWaitlisted}))  # fmt: skip
    ref = {"training_id": "t1", "trainee_id": "u1"}
    waiting = [Event(BookingWaitlisted.TYPE, f"w{i}", {"booking_id": f"w{i}", **ref, "position": i + 1}, "t1")
               for i in range(5)]  # fmt: skip
    confirmed = Event(BookingConfirmed.TYPE, "c1", {"booking_id": "c1", **ref, "amount": 1, "currency": "eur",
                                                   "payment_intent_id": "pi_1"}, "t1")  # fmt: skip
    urgent = runner.handle_batch([_delivery(e, i) for i, e in enumerate([*waiting, confirmed])])
    assert handled == [confirmed.id] and urgent == 1  # the confirmation first, whatever came before it
    assert source.committed == [6]  # every record committed: the waitlist's are kept aside
    assert deps.processed.seen_many("notifications", [e.id for e in waiting]) == {e.id for e in waiting}
    assert runner.handle_deferred(2) == 2 and handled == [confirmed.id, waiting[0].id, waiting[1].id]
    assert runner.handle_batch([_delivery(waiting[2], 9)]) == 0  # redelivered: already set aside; nothing urgent
    assert runner.handle_deferred(10) == 3
    assert handled == [confirmed.id, *[e.id for e in waiting]]
    assert runner.handle_deferred(10) == 0


def test_a_task_run_apart_goes_on_while_a_handler_is_busy_and_stops_with_the_runner() -> None:
    # The e-mails of the notifications worker: sent while an event is being handled, not between polls.
    handling, sent = threading.Event(), threading.Event()
    runs: list[str] = []

    def handler(event: Event) -> None:
        handling.set()
        assert sent.wait(5), "the task apart did not run while the handler was busy"

    def send_emails(deps: Any) -> None:
        if handling.is_set():
            runs.append("apart")
            sent.set()

    def sweep(deps: Any) -> None:
        runs.append("between polls")

    runner, source, _ = _runner(handler)
    runner.periodic = [(0.01, send_emails), (60.0, sweep)]
    runner.apart = frozenset({send_emails})
    polls = [[_delivery(_event(), 7)]]

    def poll(timeout_s: float) -> list[Delivery]:
        if not polls:
            runner.stop.set()
            return []
        return polls.pop(0)

    source.poll = poll  # type: ignore[attr-defined]
    source.close = lambda: None  # type: ignore[attr-defined]
    runner.run()
    assert sent.is_set() and source.committed == [8]
    assert runs.count("between polls") == 1 and "apart" in runs
