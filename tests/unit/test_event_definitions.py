"""Every event type is defined once, as a dataclass: its wire type, topic, key and schema follow from it,
and the JSON it puts on the wire is the JSON the producers sent before the classes existed."""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any

import pytest

from events import (
    ALL_EVENTS,
    BookingCancelled,
    BookingHeld,
    BookingRequested,
    DemoLinkRequested,
    DomainEvent,
    PaymentRefunded,
    SponsorshipPaid,
    SponsorshipRequested,
    TrainingCancelled,
    TrainingUpdated,
    UserRegistered,
    event_class,
)
from events.codec import InvalidEvent, decode, encode
from events.envelope import Event, new_event, reaction
from events.types import Topic

IDS = {"booking_id": "b1", "training_id": "t1", "trainee_id": "u1"}

# One valid value per field name, as producers send them: enough to build any event.
SAMPLES: dict[str, Any] = {
    **IDS,
    "user_id": "u1", "email": "anna@example.org", "role": "trainee", "name": "Anna K.",
    "expert_id": "e1", "status": "published", "reason": "Because.", "admin_id": "a1",
    "title": "Suturing", "capacity": 12, "price": 45000, "currency": "eur", "starts_at": "2026-11-21T09:00:00+00:00",
    "changes": ["capacity"], "present": True, "certificate_id": "c1", "review_id": "r1", "rating": 5,
    "amount": 47250, "service_fee": 2250, "voucher_code": None, "requested_at": "2026-11-20T12:00:00+00:00",
    "refund_terms": {"full_refund_days_before": 30}, "expires_at": "2026-11-20T12:15:00+00:00", "promoted": True,
    "position": 2, "payment_intent_id": "pi_1", "approved": True, "refund_amount": 45000, "by": "trainee",
    "was": "confirmed", "announced": True, "refund_id": "re_1", "payment_method": "pm_card_visa", "code": None,
    "demo_id": "d1", "sponsor_id": "s1", "sponsorship_id": "sp1", "seats": 3, "codes": ["ABCD", "EFGH"],
    "specialties": ["cardiology"], "techniques": ["TAVI"], "level": "fellow", "revision": 1, "message_id": "m1",
    "question_id": "q1", "reporter_id": "u2", "nonce": "n0nce",
}  # fmt: skip


def _sample(kind: type[DomainEvent]) -> DomainEvent:
    return kind(**{f.name: SAMPLES[f.name] for f in dataclasses.fields(kind)})


@pytest.mark.parametrize("kind", ALL_EVENTS, ids=lambda k: k.TYPE)
def test_every_event_survives_to_data_and_from_data(kind: type[DomainEvent]) -> None:
    event = _sample(kind)
    assert kind.from_data(event.to_data()) == event
    assert kind.from_data(json.loads(json.dumps(event.to_data()))) == event  # JSON-ready as it is


@pytest.mark.parametrize("kind", ALL_EVENTS, ids=lambda k: k.TYPE)
def test_every_event_survives_the_wire_and_comes_back_typed(kind: type[DomainEvent]) -> None:
    envelope = new_event(_sample(kind), source="test")
    back = decode(encode(envelope))
    assert back == envelope
    assert back.payload == _sample(kind)
    assert back.payload_as(kind) == _sample(kind)


def test_every_type_name_is_unique_and_finds_its_class() -> None:
    names = [kind.TYPE for kind in ALL_EVENTS]
    assert len(names) == len(set(names)) == 57
    for kind in ALL_EVENTS:
        assert event_class(kind.TYPE) is kind


@pytest.mark.parametrize("kind", ALL_EVENTS, ids=lambda k: k.TYPE)
def test_every_event_has_a_topic_a_key_and_a_subject(kind: type[DomainEvent]) -> None:
    assert isinstance(kind.TOPIC, Topic)
    event = _sample(kind)
    assert event.key() and event.subject()
    assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
    # Typed fields only: the schema is derived from them.
    assert all(hint is not typing.Any for hint in typing.get_type_hints(kind).values())


def test_accounts_events_are_keyed_by_their_user_and_everything_else_by_its_training() -> None:
    assert _sample(UserRegistered).key() == "u1"
    assert event_class("expert.verified")(expert_id="e1", status="verified").key() == "e1"  # type: ignore[call-arg]
    assert _sample(BookingHeld).key() == "t1" and _sample(BookingHeld).subject() == "b1"
    assert _sample(SponsorshipPaid).key() == "t1" and _sample(SponsorshipPaid).subject() == "sp1"
    unlinked = DemoLinkRequested(demo_id="d1", sponsor_id="s1", title="Scope")
    assert unlinked.key() == "d1"  # a demo not linked to a training yet is keyed by itself


def test_an_unknown_field_is_ignored_and_an_older_payload_still_reads() -> None:
    data = {**_sample(BookingHeld).to_data(), "added_by_a_newer_producer": 1}
    assert BookingHeld.from_data(data) == _sample(BookingHeld)
    assert decode(encode(Event(type=BookingHeld.TYPE, subject="b1", key="t1", data=data))).data == data
    older = {k: v for k, v in _sample(PaymentRefunded).to_data().items() if k != "announced"}
    assert PaymentRefunded.from_data(older).announced is False


def test_an_unknown_type_is_an_invalid_event() -> None:
    body = json.loads(encode(new_event(_sample(BookingHeld), source="test")))
    body["type"] = "booking.teleported"
    with pytest.raises(InvalidEvent, match="type"):
        decode(json.dumps(body).encode())
    with pytest.raises(InvalidEvent):
        encode(Event(type="booking.teleported", subject="b1", key="t1", data={}))
    with pytest.raises(KeyError):
        event_class("booking.teleported")


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        (UserRegistered, "email", "not an address"),
        (BookingHeld, "amount", -1),
        (BookingHeld, "amount", "100"),  # strict integers: no strings of digits
        (BookingCancelled, "by", "someone"),
        (BookingRequested, "requested_at", "yesterday"),
        (BookingRequested, "refund_terms", {"full_refund_days_before": -1}),
        (SponsorshipPaid, "seats", 0),
        (event_class("review.posted"), "rating", 6),
        (event_class("booking.waitlisted"), "position", 0),
    ],
)
def test_the_derived_schema_keeps_the_wire_rules(kind: type[DomainEvent], field: str, value: Any) -> None:
    data = {**_sample(kind).to_data(), field: value}
    assert field in kind.schema().validate(data)


def test_optional_fields_stay_off_the_wire_unless_set_and_null_ones_are_sent() -> None:
    assert "promoted" not in dataclasses.replace(_sample(BookingHeld), promoted=False).to_data()
    requested = SponsorshipRequested(sponsorship_id="sp1", sponsor_id="s1", training_id="t1", seats=3, amount=1,
                                     currency="eur")  # fmt: skip
    assert set(requested.to_data()) == {"sponsorship_id", "sponsor_id", "training_id", "seats", "amount", "currency"}
    assert requested.schema().validate(requested.to_data()) == {}
    withdrawn = event_class("expert.verification_withdrawn")(expert_id="e1", status="withdrawn")  # type: ignore[call-arg]
    assert withdrawn.to_data() == {"expert_id": "e1", "status": "withdrawn", "reason": None, "admin_id": None}


# --- the wire JSON of a few representative events, as the hand-built dicts were before the classes ---


def _wire(envelope: Event) -> dict[str, Any]:
    return json.loads(encode(envelope))["data"]  # type: ignore[no-any-return]


def test_booking_requested_on_the_wire_is_as_before() -> None:
    requested = BookingRequested(
        **IDS, amount=47250, currency="eur", service_fee=2250, voucher_code=None,
        requested_at="2026-11-20T12:00:00+00:00", refund_terms={"full_refund_days_before": 30},
    )  # fmt: skip
    envelope = new_event(requested, source="api", id="0a0a0a0a-0000-4000-8000-000000000001")
    assert (envelope.type, envelope.subject, envelope.key, envelope.id) == (
        "booking.requested", "b1", "t1", "0a0a0a0a-0000-4000-8000-000000000001")  # fmt: skip
    assert _wire(envelope) == {
        "booking_id": "b1", "training_id": "t1", "trainee_id": "u1", "amount": 47250, "currency": "eur",
        "service_fee": 2250, "voucher_code": None, "requested_at": "2026-11-20T12:00:00+00:00",
        "refund_terms": {"full_refund_days_before": 30},
    }  # fmt: skip


def test_booking_held_on_the_wire_is_as_before_promoted_or_not() -> None:
    held = BookingHeld(**IDS, amount=47250, currency="eur", expires_at="2026-11-20T12:15:00+00:00")
    expected = {"booking_id": "b1", "training_id": "t1", "trainee_id": "u1", "amount": 47250, "currency": "eur",
                "expires_at": "2026-11-20T12:15:00+00:00"}  # fmt: skip
    assert _wire(new_event(held, source="capacity-worker")) == expected
    promoted = dataclasses.replace(held, promoted=True)
    assert _wire(new_event(promoted, source="capacity-worker")) == {**expected, "promoted": True}


def test_training_events_on_the_wire_are_as_before() -> None:
    base = {"training_id": "t1", "expert_id": "e1", "title": "Suturing", "capacity": 12, "price": 45000,
            "currency": "eur", "starts_at": "2026-11-21T09:00:00+00:00", "status": "published"}  # fmt: skip
    updated = TrainingUpdated(**base, changes=["capacity", "title"])
    assert _wire(new_event(updated, source="api")) == {**base, "changes": ["capacity", "title"]}
    draft = {**base, "capacity": None, "price": None, "currency": None, "starts_at": None, "status": "draft"}
    assert _wire(new_event(event_class("training.created")(**draft), source="api")) == draft
    cancelled = TrainingCancelled(**{**base, "status": "cancelled"}, reason="Ill.")
    envelope = new_event(cancelled, source="api")
    assert _wire(envelope) == {**base, "status": "cancelled", "reason": "Ill."}
    assert (envelope.subject, envelope.key, cancelled.TOPIC) == ("t1", "t1", Topic.BOOKINGS)


def test_reactions_on_the_wire_are_as_before() -> None:
    cause = new_event(_sample(event_class("booking.cancellation_requested")), source="api")
    cancelled = BookingCancelled(**IDS, reason="Cancelled by the trainee.", refund_amount=45000, currency="eur",
                                 by="trainee", was="confirmed")  # fmt: skip
    envelope = reaction(cause, cancelled, source="capacity-worker", what="cancelled/b1")
    assert _wire(envelope) == {
        "booking_id": "b1", "training_id": "t1", "trainee_id": "u1", "reason": "Cancelled by the trainee.",
        "refund_amount": 45000, "currency": "eur", "by": "trainee", "was": "confirmed",
    }  # fmt: skip
    assert envelope.correlation_id == cause.correlation_id and (envelope.subject, envelope.key) == ("b1", "t1")
    paid = SponsorshipPaid(sponsorship_id="sp1", sponsor_id="s1", training_id="t1", seats=3, amount=135000,
                           currency="eur", payment_intent_id="pi_1")  # fmt: skip
    assert _wire(new_event(paid, source="stripe-webhook")) == {
        "sponsorship_id": "sp1", "sponsor_id": "s1", "training_id": "t1", "seats": 3, "amount": 135000,
        "currency": "eur", "payment_intent_id": "pi_1",
    }  # fmt: skip
    registered = UserRegistered(user_id="u1", email="anna@example.org", role="trainee", name="Anna K.")
    envelope = new_event(registered, source="api")
    assert (envelope.key, envelope.subject, registered.TOPIC) == ("u1", "u1", Topic.ACCOUNTS)
    assert _wire(envelope) == {"user_id": "u1", "email": "anna@example.org", "role": "trainee", "name": "Anna K."}


def test_question_events_are_keyed_by_their_training_and_carry_no_words_of_the_question() -> None:
    reported = event_class("question.reported")(
        question_id="q1", training_id="t1", expert_id="e1", trainee_id="u1", reporter_id="u2", reason="Rude."
    )  # type: ignore[call-arg]
    envelope = new_event(reported, source="api")
    assert (envelope.type, envelope.subject, envelope.key, reported.TOPIC) == ("question.reported", "q1", "t1",
                                                                                Topic.TRAININGS)  # fmt: skip
    assert _wire(envelope) == {"question_id": "q1", "training_id": "t1", "expert_id": "e1", "trainee_id": "u1",
                               "reporter_id": "u2", "reason": "Rude."}  # fmt: skip
    for name in ("question.asked", "question.answered", "question.hidden"):
        assert "text" not in {f.name for f in dataclasses.fields(event_class(name))}
