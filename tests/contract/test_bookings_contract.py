"""Contract of ``Bookings``: idempotent creation, transitions guarded by the state machine,
the expiry sweep's order and limit, the live bookings of a training, one-time claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.cancellation import RefundTerms
from core.model import TRANSITIONS, Booking, BookingStatus
from tests.contract.conftest import Ports

NOW = datetime.now(UTC).replace(microsecond=0)  # MongoDB keeps milliseconds: whole seconds round-trip


def _booking(booking_id: str, training_id: str = "t1", trainee_id: str = "u1", **fields: object) -> Booking:
    values: dict = {"amount": 45000, "currency": "eur", "status": BookingStatus.REQUESTED, "requested_at": NOW,
                    "refund_terms": RefundTerms(), **fields}  # fmt: skip
    return Booking(id=booking_id, training_id=training_id, trainee_id=trainee_id, **values)


def _in(ports: Ports, booking_id: str, status: BookingStatus, **fields: object) -> Booking:
    """A stored booking already in ``status`` (its first transition from requested, or stored so)."""
    return ports.bookings.add_requested(_booking(booking_id, status=status, **fields))


def test_add_requested_is_idempotent_and_returns_the_stored_booking(ports: Ports) -> None:
    first = ports.bookings.add_requested(_booking("b1", amount=45000))
    again = ports.bookings.add_requested(_booking("b1", amount=99999, trainee_id="someone else"))
    assert first.id == again.id == "b1"
    assert again.amount == 45000 and again.trainee_id == "u1"  # the first write stands
    stored = ports.bookings.get("b1")
    assert stored is not None and stored.amount == 45000 and stored.status == BookingStatus.REQUESTED
    assert stored.refund_terms == RefundTerms()
    assert ports.bookings.get("missing") is None


def test_every_transition_is_guarded_by_the_state_machine(ports: Ports) -> None:
    for source, targets in TRANSITIONS.items():
        for target in BookingStatus:
            booking_id = f"{source}-{target}"
            _in(ports, booking_id, source)
            moved = ports.bookings.transition(booking_id, target, f"e-{booking_id}", NOW, {"expires_at": NOW})
            stored = ports.bookings.get(booking_id)
            assert stored is not None
            assert (moved is not None) is (target in targets), (source, target)
            if moved is not None:
                assert moved == stored  # the booking as the event left it: no re-read needed
                assert stored.status == target and stored.expires_at == NOW
                assert stored.history[-1] == {"step": str(target), "at": NOW, "event_id": f"e-{booking_id}"}
            else:
                assert stored.status == source and stored.history == [] and stored.expires_at is None


def test_a_transition_applies_once(ports: Ports) -> None:
    ports.bookings.add_requested(_booking("b1"))
    first = ports.bookings.transition("b1", BookingStatus.HELD, "e1", NOW)
    assert first is not None and first.status is BookingStatus.HELD
    # A redelivery of the same event moves nothing and finds the booking its first delivery made.
    again = ports.bookings.transition("b1", BookingStatus.HELD, "e1", NOW)
    assert again == first
    assert ports.bookings.transition("b1", BookingStatus.HELD, "e-other", NOW) is None  # held -> held is no move
    assert ports.bookings.transition("missing", BookingStatus.HELD, "e2", NOW) is None
    stored = ports.bookings.get("b1")
    assert stored is not None and [h["step"] for h in stored.history] == ["held"]


def test_due_for_expiry_is_the_ended_holds_oldest_first_up_to_the_limit(ports: Ports) -> None:
    for name, status, ends in [
        ("held-3", BookingStatus.HELD, NOW - timedelta(minutes=3)),
        ("held-1", BookingStatus.HELD, NOW - timedelta(minutes=1)),
        ("approval-2", BookingStatus.PENDING_APPROVAL, NOW - timedelta(minutes=2)),
        ("held-now", BookingStatus.HELD, NOW),
        ("held-later", BookingStatus.HELD, NOW + timedelta(minutes=1)),
        ("confirmed-old", BookingStatus.CONFIRMED, NOW - timedelta(hours=1)),
        ("waitlisted-old", BookingStatus.WAITLISTED, NOW - timedelta(hours=1)),
    ]:
        _in(ports, name, status, expires_at=ends)
    assert [b.id for b in ports.bookings.due_for_expiry(NOW, 10)] == ["held-3", "approval-2", "held-1", "held-now"]
    assert [b.id for b in ports.bookings.due_for_expiry(NOW, 2)] == ["held-3", "approval-2"]
    assert ports.bookings.due_for_expiry(NOW - timedelta(hours=2), 10) == []


def test_live_on_training_is_every_seated_or_waiting_booking_of_that_training(ports: Ports) -> None:
    for status in BookingStatus:
        _in(ports, f"t1-{status}", status)
    _in(ports, "t2-held", BookingStatus.HELD, training_id="t2")
    live = {b.id for b in ports.bookings.live_on_training("t1")}
    assert live == {"t1-pending_approval", "t1-held", "t1-waitlisted", "t1-confirmed"}
    assert ports.bookings.live_on_training("nobody's") == []


def test_active_for_pending_approval_and_for_trainee(ports: Ports) -> None:
    _in(ports, "old", BookingStatus.CANCELLED, requested_at=NOW - timedelta(days=2))
    _in(ports, "mine", BookingStatus.PENDING_APPROVAL, requested_at=NOW - timedelta(days=1))
    _in(ports, "other", BookingStatus.PENDING_APPROVAL, trainee_id="u2", requested_at=NOW - timedelta(days=3))
    active = ports.bookings.active_for("u1", "t1")
    assert active is not None and active.id == "mine"
    assert ports.bookings.active_for("u1", "t1", exclude="mine") is None
    cancelled = ports.bookings.active_for("u1", "t1", statuses=frozenset({BookingStatus.CANCELLED}))
    assert cancelled is not None and cancelled.id == "old"
    assert [b.id for b in ports.bookings.pending_approval_for(["t1", "t9"])] == ["other", "mine"]
    assert [b.id for b in ports.bookings.for_trainee("u1")] == ["mine", "old"]  # newest first


def test_attendance_is_marked_on_confirmed_bookings_only_and_may_change(ports: Ports) -> None:
    _in(ports, "confirmed", BookingStatus.CONFIRMED)
    _in(ports, "held", BookingStatus.HELD)
    assert ports.bookings.set_attendance("confirmed", True, NOW) is True
    assert ports.bookings.set_attendance("confirmed", False, NOW) is True
    assert ports.bookings.set_attendance("held", True, NOW) is False
    confirmed, held = ports.bookings.get("confirmed"), ports.bookings.get("held")
    assert confirmed is not None and confirmed.attendance == "absent" and confirmed.attendance_at == NOW
    assert held is not None and held.attendance is None


def test_a_refund_is_claimed_once(ports: Ports) -> None:
    ports.bookings.add_requested(_booking("b1"))
    assert ports.bookings.claim_refund("b1", NOW) is True
    assert ports.bookings.claim_refund("b1", NOW + timedelta(seconds=1)) is False
    stored = ports.bookings.get("b1")
    assert stored is not None and stored.payment["refund_claimed_at"] == NOW


def test_each_payment_attempt_is_claimed_once_and_attempts_only_move_forward(ports: Ports) -> None:
    ports.bookings.add_requested(_booking("b1"))
    assert ports.bookings.claim_payment_intent("b1", 1, NOW) is True
    assert ports.bookings.claim_payment_intent("b1", 1, NOW) is False
    assert ports.bookings.claim_payment_intent("b1", 2, NOW) is True
    assert ports.bookings.claim_payment_intent("b1", 1, NOW) is False  # an older attempt, late
    stored = ports.bookings.get("b1")
    assert stored is not None and stored.payment["claimed_attempt"] == 2


def test_a_payment_update_applies_once_per_event_and_step(ports: Ports) -> None:
    ports.bookings.add_requested(_booking("b1"))
    assert ports.bookings.update_payment("b1", {"intent_id": "pi_1"}, "e1", NOW, "payment_intent") is True
    assert ports.bookings.update_payment("b1", {"intent_id": "pi_2"}, "e1", NOW, "payment_intent") is False
    assert ports.bookings.update_payment("b1", {"status": "succeeded"}, "e1", NOW, "paid") is True
    stored = ports.bookings.get("b1")
    assert stored is not None and stored.payment == {"intent_id": "pi_1", "status": "succeeded"}
    assert [h["step"] for h in stored.history] == ["payment_intent", "paid"]


def test_bulk_creation_keeps_what_another_writer_stored_first(ports: Ports) -> None:
    ports.bookings.add_requested(_booking("b1", amount=45000))  # the API's write, first
    stored = ports.bookings.add_requested_many([_booking("b1", amount=99999), _booking("b2"), _booking("b3")])
    assert sorted(stored) == ["b1", "b2", "b3"]
    assert stored["b1"].amount == 45000 and ports.bookings.get("b2") == stored["b2"]
    assert ports.bookings.many(["b3", "b1", "missing"]) == {"b1": stored["b1"], "b3": stored["b3"]}


def test_decided_among_reads_the_trainees_decided_bookings_on_one_training(ports: Ports) -> None:
    _in(ports, "b1", BookingStatus.HELD, trainee_id="u1")
    _in(ports, "b2", BookingStatus.WAITLISTED, trainee_id="u1")
    _in(ports, "b3", BookingStatus.REQUESTED, trainee_id="u2")
    _in(ports, "b4", BookingStatus.HELD, trainee_id="u3", training_id="t2")
    _in(ports, "b5", BookingStatus.CANCELLED, trainee_id="u4")
    decided = frozenset({BookingStatus.HELD, BookingStatus.WAITLISTED, BookingStatus.CONFIRMED})
    assert ports.bookings.decided_among("t1", ["u1", "u2", "u3", "u4"], decided) == {"u1": {"b1", "b2"}}


def test_bulk_transitions_are_each_guarded_and_read_back(ports: Ports) -> None:
    from core.ports.bookings import Move

    _in(ports, "b1", BookingStatus.REQUESTED)
    _in(ports, "b2", BookingStatus.REQUESTED)
    _in(ports, "b3", BookingStatus.CONFIRMED)  # no move from confirmed to held
    moves = [Move("b1", "t1", BookingStatus.HELD, "e1", NOW, {"expires_at": NOW}),
             Move("b2", "t1", BookingStatus.WAITLISTED, "e2", NOW, {"waitlist_position": 1}),
             Move("b3", "t1", BookingStatus.HELD, "e3", NOW)]  # fmt: skip
    moved = ports.bookings.transition_many(moves)
    assert moved["b1"].status is BookingStatus.HELD and moved["b1"].expires_at == NOW
    assert moved["b1"].history[-1] == {"step": "held", "at": NOW, "event_id": "e1"}
    assert moved["b2"].status is BookingStatus.WAITLISTED and moved["b2"].waitlist_position == 1
    assert moved["b3"].status is BookingStatus.CONFIRMED and moved["b3"].history == []
    assert ports.bookings.transition_many(moves[:1]) == {"b1": moved["b1"]}  # a redelivery moves nothing
