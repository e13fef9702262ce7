"""The envelope on the wire: round trip, validation, deterministic reaction ids."""

from __future__ import annotations

import json

import pytest

from events import BookingHeld, BookingRequested, BookingWaitlisted
from events.codec import InvalidEvent, decode, encode
from events.envelope import Event, derived_id, reaction

# What booking.requested carries besides the money: the booking is rebuilt from it alone.
REQUEST_FACTS = {
    "service_fee": 0,
    "voucher_code": None,
    "requested_at": "2026-11-21T12:00:00+00:00",
    "refund_terms": {"full_refund_days_before": 30},
}


def _requested() -> Event:
    return Event(
        type=BookingRequested.TYPE,
        subject="b1",
        key="t1",
        data={
            "booking_id": "b1",
            "training_id": "t1",
            "trainee_id": "u1",
            "amount": 100,
            "currency": "eur",
            **REQUEST_FACTS,
        },
    )


def test_an_event_survives_the_wire() -> None:
    event = _requested()
    assert decode(encode(event)) == event
    body = json.loads(encode(event))
    assert set(body) == {"id", "type", "version", "time", "source", "subject", "correlation_id", "key", "data"}
    assert body["correlation_id"] == event.id


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda b: b.pop("subject"), "subject"),
        (lambda b: b.update(type="booking.teleported"), "type"),
        (lambda b: b["data"].pop("amount"), "amount"),
        (lambda b: b["data"].update(amount="a lot"), "amount"),
        (lambda b: b.update(id="not-a-uuid"), "id"),
        # A booking the capacity worker rebuilds from its request needs its fee and its terms.
        (lambda b: b["data"].pop("service_fee"), "service_fee"),
        (lambda b: b["data"].pop("refund_terms"), "refund_terms"),
        (lambda b: b["data"].pop("requested_at"), "requested_at"),
    ],
)
def test_an_invalid_event_is_refused_with_the_field_named(mutate, needle: str) -> None:
    body = json.loads(encode(_requested()))
    mutate(body)
    with pytest.raises(InvalidEvent, match=needle):
        decode(json.dumps(body).encode())


def test_bytes_that_are_not_json_are_invalid() -> None:
    with pytest.raises(InvalidEvent, match="not JSON"):
        decode(b"\xff{")


def test_an_invalid_payload_is_never_encoded() -> None:
    bad = Event(type=BookingRequested.TYPE, subject="b1", key="t1", data={"booking_id": "b1"})
    with pytest.raises(InvalidEvent):
        encode(bad)


def test_a_reaction_has_the_same_id_on_every_replay() -> None:
    cause = _requested()
    ids = {"booking_id": "b1", "training_id": "t1", "trainee_id": "u1"}
    held = BookingHeld(**ids, amount=100, currency="eur", expires_at="2026-01-01T00:00:00Z")
    first = reaction(cause, held, source="capacity-worker")
    again = reaction(cause, held, source="capacity-worker")
    assert first.id == again.id == derived_id(cause.id, "booking.held")
    assert first.correlation_id == cause.correlation_id
    assert reaction(cause, BookingWaitlisted(**ids, position=1), source="x").id != first.id
