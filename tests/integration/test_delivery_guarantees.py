"""At-least-once delivery made exactly-once in effect: redeliveries and poison messages."""

from __future__ import annotations

import json
from typing import Any

from core.handlers import inject
from core.handlers import seats as seat_handlers
from events import BookingCancellationRequested, BookingCancelled, BookingHeld, BookingRequested
from events.codec import decode
from events.envelope import Event
from events.types import dead_letter_topic, topic_name
from tests.support import Stack, read_topic, request_data, wait_for


def _events_of(stack: Stack, topic: str, event_type: str, booking_id: str) -> list[Event]:
    records = read_topic(stack.config, topic_name(stack.config.kafka_topic_prefix, topic))
    events = [decode(r.value) for r in records]
    return [e for e in events if e.type == event_type and e.data.get("booking_id") == booking_id]


def test_a_redelivered_event_changes_nothing(stack: Stack) -> None:
    api = stack.api
    expert, first, second = api.expert(), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert, capacity=2)
    booking = stack.book(first, training)
    stack.wait_status(booking, "held")
    requested = _events_of(stack, "bookings", BookingRequested.TYPE, booking)
    assert len(requested) == 1

    # The broker delivers the same event again (same id, same bytes)...
    stack.deps.publisher.publish(requested[0])
    # ...and a later booking on the same training (same partition, so it is applied
    # after the redelivery) tells us when the worker has been through it.
    later = stack.book(second, training)
    stack.wait_status(later, "held")

    seats = stack.deps.seats.snapshot(training["id"])
    assert seats is not None and seats["holders"] == [booking, later]
    doc = stack.booking(booking)
    assert [s["step"] for s in doc["history"]].count("held") == 1
    assert len(_events_of(stack, "bookings", BookingHeld.TYPE, booking)) == 1

    # Even when the "already applied" marker is lost, the handler itself is a no-op
    # and re-emits its reaction under the same id, which downstream dedupes.
    handle = inject(seat_handlers.on_booking_requested, stack.deps)
    handle(requested[0])
    handle(requested[0])
    assert stack.deps.seats.snapshot(training["id"])["holders"] == [booking, later]
    assert [s["step"] for s in stack.booking(booking)["history"]].count("held") == 1
    held_ids = {e.id for e in _events_of(stack, "bookings", BookingHeld.TYPE, booking)}
    assert len(held_ids) == 1


def test_a_poison_message_is_dead_lettered_and_the_worker_goes_on(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, capacity=1)
    bookings_topic = topic_name(stack.config.kafka_topic_prefix, "bookings")

    stack.deps.publisher.send_raw(bookings_topic, training["id"], b"{this is not json")
    orphan = Event(
        type=BookingRequested.TYPE,
        subject="b-orphan",
        key=training["id"],
        data=request_data("b-orphan", "no-such-training", trainee["id"], 100),
    )
    stack.deps.publisher.publish(orphan)

    booking = stack.book(trainee, training)
    stack.wait_status(booking, "held")

    dlq = dead_letter_topic(stack.config.kafka_topic_prefix, "capacity")
    records = wait_for(lambda: (r := read_topic(stack.config, dlq)) and len(r) >= 2 and r, what="two dead letters")
    assert len(records) == 2
    by_value = {r.value: dict(r.headers) for r in records}
    garbage = by_value[b"{this is not json"]
    assert b"not JSON" in garbage["dlq.error"]
    assert garbage["dlq.attempts"] == b"1"
    assert garbage["dlq.source_topic"] == bookings_topic.encode()
    orphan_headers = next(h for v, h in by_value.items() if v.startswith(b'{"') and json.loads(v)["id"] == orphan.id)
    assert orphan_headers["dlq.error_type"] == b"NeedsReconciliation"
    assert b"unknown training" in orphan_headers["dlq.error"]
    assert orphan_headers["dlq.attempts"] == str(stack.config.worker_max_attempts).encode()
    assert stack.booking("b-orphan") is None  # nothing half-written for the failed event


def test_two_racing_requests_of_one_trainee_get_one_seat(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, capacity=3)

    def request(booking_id: str) -> Event:
        # Both passed the API's "already booked?" check before either was decided.
        return Event(
            type=BookingRequested.TYPE,
            subject=booking_id,
            key=training["id"],
            id=booking_id,
            data=request_data(booking_id, training["id"], trainee["id"], training["price"]),
        )

    first, second = request("0a0a0a0a-0000-4000-8000-000000000001"), request("0a0a0a0a-0000-4000-8000-000000000002")
    stack.deps.publisher.publish(first)
    stack.deps.publisher.publish(second)
    held = stack.wait_status(first.id, "held")
    rejected = stack.wait_status(second.id, "rejected")
    assert held["status"] == "held"
    assert rejected["rejection_reason"] == "You already have a booking for this training."
    assert stack.deps.seats.snapshot(training["id"])["holders"] == [first.id]
    notes = wait_for(
        lambda: [
            n
            for n in api.call("GET", "/api/v1/me/notifications", trainee["token"]).json()["items"]
            if n["kind"] == "booking.rejected"
        ],
        what="rejection notice",
    )
    assert len(notes) == 1


def test_a_second_cancellation_request_changes_nothing_and_tells_no_one_again(stack: Stack) -> None:
    """Two clicks on "cancel" both accepted before the first was applied (the chaos suite's finding)."""
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, capacity=2)
    booking = stack.book(trainee, training)
    stack.wait_status(booking, "held")
    cancel = api.call("POST", f"/api/v1/bookings/{booking}/cancel", trainee["token"])
    assert cancel.status_code == 202, cancel.text
    [first] = wait_for(lambda: _events_of(stack, "bookings", BookingCancellationRequested.TYPE, booking),
                       what="the cancellation request")  # fmt: skip
    second = Event(type=first.type, subject=first.subject, key=first.key, data=dict(first.data))  # another id
    stack.deps.publisher.publish(second)
    # A later request on the same training (same partition) tells when both were applied.
    later = stack.book(api.user("trainee"), training)
    stack.wait_status(later, "held")

    assert stack.booking(booking)["status"] == "cancelled"
    assert len(_events_of(stack, "bookings", BookingCancelled.TYPE, booking)) == 1

    def cancelled_mails() -> list[Any]:
        return [m for m in stack.mails_to(trainee["email"]) if m["Subject"].startswith("Booking cancelled")]

    told = wait_for(cancelled_mails, what="the cancellation e-mail")
    inbox = api.call("GET", "/api/v1/me/notifications", trainee["token"]).json()["items"]
    assert len(told) == 1 and [n["kind"] for n in inbox].count("booking.cancelled") == 1
