"""The payments worker and the webhook: one PaymentIntent per attempt, never charged twice, refunds once.

The handlers are called as the runner calls them: bound by ``inject`` to the ports they name.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from core.errors import InvalidSignature, PaymentDeclined
from core.handlers import inject, payments
from core.model import BookingStatus, Role
from core.services import webhooks
from events import (
    BookingExpired,
    BookingHeld,
    DomainEvent,
    PaymentFailed,
    PaymentIntentCreated,
    PaymentRefunded,
    PaymentSubmitted,
    PaymentSucceeded,
    RefundRequested,
)
from events.envelope import Event, derived_id, new_event
from tests.fakes import DECLINED, SIGNATURE, fake_deps, webhook
from tests.unit import builders


def _held(amount=52_500):
    deps = fake_deps()
    expert, trainee = builders.user(deps, Role.EXPERT), builders.user(deps)
    t = builders.training(deps, expert)
    b = builders.booking(deps, t, trainee, BookingStatus.HELD, amount=amount, service_fee=2_500)
    return deps, t, b


def _refund_of(b):
    return {"currency": b.currency, "reason": "Cancelled."}


def _ev(kind: type[DomainEvent], b, **data) -> Event:
    """The ``kind`` event about booking ``b``, as a producer builds it (a fresh id each time)."""
    about = {"booking_id": b.id, "training_id": b.training_id, "trainee_id": b.trainee_id, "amount": b.amount,
             "currency": b.currency, "expires_at": (b.expires_at or datetime.now(UTC)).isoformat()}  # fmt: skip
    names = {f.name for f in dataclasses.fields(kind)}
    return new_event(kind(**{k: v for k, v in {**about, **data}.items() if k in names}), "test")


def _run(deps, handler, event: Event) -> None:
    """The handler as the runner calls it: bound to the ports it names."""
    inject(handler, deps)(event)


def _intent(deps, b):
    _run(deps, payments.on_booking_held, _ev(BookingHeld, b))
    return deps.bookings.get(b.id).payment["intent_id"]


def test_a_held_booking_gets_one_intent_whatever_the_redeliveries():
    deps, t, b = _held()
    held = _ev(BookingHeld, b)
    _run(deps, payments.on_booking_held, held)
    _run(deps, payments.on_booking_held, held)
    assert len(deps.payments.intents) == 1
    stored = deps.bookings.get(b.id)
    assert stored.payment["attempt"] == 1 and stored.payment["amount"] == 52_500
    created = [e for e in deps.publisher.published if e.type == PaymentIntentCreated.TYPE]
    assert len({e.id for e in created}) == 1 and created[0].data["payment_intent_id"] == stored.payment["intent_id"]


def test_a_crash_after_stripe_finds_the_intent_instead_of_making_a_second():
    deps, t, b = _held()
    deps.bookings.claim_payment_intent(b.id, 1, deps.clock())  # claimed, then the worker died
    first = deps.payments.create_intent(b.amount, "eur", {"reference": b.id, "booking_id": b.id}, "other-key")
    assert _intent(deps, b) == first.id and len(deps.payments.intents) == 1


def test_a_free_seat_is_paid_at_once():
    deps, t, b = _held(amount=0)
    _run(deps, payments.on_booking_held, _ev(BookingHeld, b))
    [event] = deps.publisher.published
    assert event.type == PaymentSucceeded.TYPE and event.data["payment_intent_id"] == payments.FREE
    assert deps.payments.intents == {}


def test_a_submitted_payment_is_confirmed_once_and_announced():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    submitted = _ev(PaymentSubmitted, b, payment_intent_id=intent_id, payment_method="pm_card_visa")
    _run(deps, payments.on_payment_submitted, submitted)
    assert deps.bookings.get(b.id).payment["status"] == "succeeded"
    succeeded = deps.publisher.published[-1]
    assert succeeded.type == PaymentSucceeded.TYPE and succeeded.id == derived_id(intent_id, "payment.succeeded")
    charge = deps.payments.intents[intent_id].charge_id
    _run(deps, payments.on_payment_submitted, submitted)  # again: re-announced under the same id, never charged twice
    assert deps.payments.intents[intent_id].charge_id == charge and deps.publisher.published[-1].id == succeeded.id


def test_no_money_is_taken_for_a_seat_no_longer_held():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    deps.bookings.transition(b.id, BookingStatus.EXPIRED, "e", deps.clock())
    submitted = _ev(PaymentSubmitted, b, payment_intent_id=intent_id, payment_method="pm_card_visa")
    _run(deps, payments.on_payment_submitted, submitted)
    assert deps.payments.intents[intent_id].status == "requires_payment_method"


def test_a_decline_is_recorded_and_the_next_attempt_gets_a_fresh_intent():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    submitted = _ev(PaymentSubmitted, b, payment_intent_id=intent_id, payment_method=DECLINED)
    _run(deps, payments.on_payment_submitted, submitted)
    stored = deps.bookings.get(b.id)
    assert stored.payment["status"] == "failed" and stored.payment["failure_code"] == "card_declined"
    failed = _ev(PaymentFailed, b, payment_intent_id=intent_id, reason="Declined")
    _run(deps, payments.on_payment_failed, failed)
    stored = deps.bookings.get(b.id)
    assert stored.payment["attempt"] == 2 and stored.payment["intent_id"] != intent_id
    assert deps.payments.intents[intent_id].status == "canceled"
    _run(deps, payments.on_payment_failed, failed)  # a redelivery about the old intent makes no third
    assert len(deps.payments.intents) == 2


def test_an_intent_of_another_booking_is_refused():
    deps, t, b = _held()
    other = deps.payments.create_intent(1, "eur", {"booking_id": "someone-else"}, "k")
    with pytest.raises(PaymentDeclined):
        submitted = _ev(PaymentSubmitted, b, payment_intent_id=other.id, payment_method="pm_card_visa")
        _run(deps, payments.on_payment_submitted, submitted)


def test_a_released_seat_cancels_its_unpaid_intent():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    _run(deps, payments.on_seat_released, _ev(BookingExpired, b))
    assert deps.payments.intents[intent_id].status == "canceled"
    assert deps.bookings.get(b.id).payment["status"] == "canceled"


def test_a_refund_is_made_once_recorded_in_the_ledger_and_announced():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    deps.payments.confirm_intent(intent_id, "pm_card_visa")
    asked = _ev(RefundRequested, b, payment_intent_id=intent_id, amount=50_000, **_refund_of(b))
    _run(deps, payments.on_refund_requested, asked)
    _run(deps, payments.on_refund_requested, asked)
    assert len(deps.payments.refunds) == 1
    assert [e.gross for e in deps.ledger.refunds_of(intent_id)] == [-50_000]
    assert deps.ledger.charge(intent_id).gross == 52_500  # recorded first, from the provider's amount
    refunded = [e for e in deps.publisher.published if e.type == PaymentRefunded.TYPE]
    assert len({e.id for e in refunded}) == 1 and refunded[0].data["refund_id"] == "re_1"


def test_a_refund_claimed_before_a_crash_reuses_stripes_refund():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    deps.payments.confirm_intent(intent_id, "pm_card_visa")
    deps.bookings.claim_refund(b.id, deps.clock())
    deps.payments.refund(intent_id, 50_000, "before-the-crash")
    asked = _ev(RefundRequested, b, payment_intent_id=intent_id, amount=50_000, **_refund_of(b))
    _run(deps, payments.on_refund_requested, asked)
    assert len(deps.payments.refunds) == 1 and deps.bookings.get(b.id).payment["refund_id"] == "re_1"


def _notice(deps, event_id, type, intent_id):
    return webhooks.handle_stripe_webhook(deps, webhook(event_id, type, intent_id), SIGNATURE)


def test_a_webhook_is_verified_deduped_and_turned_into_our_event():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    deps.payments.confirm_intent(intent_id, "pm_card_visa")
    with pytest.raises(InvalidSignature):
        webhooks.handle_stripe_webhook(deps, webhook("evt_1", "payment_intent.succeeded", intent_id), "forged")
    assert _notice(deps, "evt_1", "payment_intent.succeeded", intent_id) == "published"
    assert deps.publisher.published[-1].type == PaymentSucceeded.TYPE
    assert _notice(deps, "evt_1", "payment_intent.succeeded", intent_id) == "duplicate"
    assert _notice(deps, "evt_2", "charge.refunded", intent_id) == "ignored"


def test_a_failed_payment_webhook_publishes_one_event_per_failed_charge():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    with pytest.raises(PaymentDeclined):
        deps.payments.confirm_intent(intent_id, DECLINED)
    assert _notice(deps, "evt_1", "payment_intent.payment_failed", intent_id) == "published"
    assert _notice(deps, "evt_2", "payment_intent.payment_failed", intent_id) == "published"
    failed = [e for e in deps.publisher.published if e.type == PaymentFailed.TYPE]
    assert len({e.id for e in failed}) == 1 and failed[0].data["reason"] == "Your card was declined."


def test_webhooks_about_unknown_or_unpaid_intents_publish_nothing():
    deps, t, b = _held()
    stranger = deps.payments.create_intent(1, "eur", {"booking_id": "gone", "training_id": "t"}, "k")
    assert _notice(deps, "evt_1", "payment_intent.succeeded", stranger.id) == "unknown"
    intent_id = _intent(deps, b)
    assert _notice(deps, "evt_2", "payment_intent.succeeded", intent_id) == "ignored"  # not succeeded at Stripe
    assert deps.provider_events.seen("evt_1") and deps.provider_events.seen("evt_2")
    sponsor = deps.payments.create_intent(1, "eur", {"kind": "sponsorship", "sponsorship_id": "gone"}, "k2")
    assert _notice(deps, "evt_3", "payment_intent.succeeded", sponsor.id) == "unknown"
    assert [e.type for e in deps.publisher.published] == [PaymentIntentCreated.TYPE]


# --- the worker's other branches ------------------------------------------------------


def test_a_payment_submitted_against_a_failed_attempt_is_confirmed_on_its_successor():
    deps, t, b = _held()
    failed_id = _intent(deps, b)
    deps.payments.set_status(failed_id, "requires_payment_method", last_error="Your card was declined.")
    # Submitted before payment.failed made the next attempt: it is made now, and paid.
    _run(deps, payments.on_payment_submitted, _ev(PaymentSubmitted, b, payment_intent_id=failed_id,
                                                  payment_method="pm_card_visa"))  # fmt: skip
    stored = deps.bookings.get(b.id)
    assert stored.payment["attempt"] == 2 and stored.payment["status"] == "succeeded"
    assert deps.payments.intents[failed_id].status == "canceled"
    assert deps.publisher.published[-1].data["payment_intent_id"] == stored.payment["intent_id"] != failed_id


def test_a_decline_for_a_seat_no_longer_held_prepares_no_next_attempt():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    deps.payments.set_status(intent_id, "requires_payment_method", last_error="Your card was declined.")
    deps.bookings.transition(b.id, BookingStatus.EXPIRED, "e", deps.clock())
    _run(deps, payments.on_payment_failed, _ev(PaymentFailed, b, payment_intent_id=intent_id, reason="Declined"))
    assert deps.bookings.get(b.id).payment["status"] == "failed" and len(deps.payments.intents) == 1


def test_a_decline_about_an_intent_paid_meanwhile_makes_no_next_attempt():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    deps.payments.set_status(intent_id, "succeeded")  # a retry in the browser went through
    _run(deps, payments.on_payment_failed, _ev(PaymentFailed, b, payment_intent_id=intent_id, reason="Declined"))
    assert deps.payments.intents[intent_id].status == "succeeded" and len(deps.payments.intents) == 1


def test_a_failed_intent_paid_while_being_cancelled_makes_no_next_attempt():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    deps.payments.set_status(intent_id, "requires_payment_method", last_error="Your card was declined.")
    # The cancel comes too late: the cardholder's retry was paid a moment before.
    deps.payments.cancel_intent = lambda i: deps.payments.set_status(i, "succeeded")
    _run(deps, payments.on_payment_failed, _ev(PaymentFailed, b, payment_intent_id=intent_id, reason="Declined"))
    assert deps.payments.intents[intent_id].status == "succeeded" and len(deps.payments.intents) == 1


def test_a_paid_booking_released_keeps_its_intent():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    _run(deps, payments.on_payment_submitted, _ev(PaymentSubmitted, b, payment_intent_id=intent_id,
                                                  payment_method="pm_card_visa"))  # fmt: skip
    _run(deps, payments.on_seat_released, _ev(BookingExpired, b))
    assert deps.payments.intents[intent_id].status == "succeeded"
    assert deps.bookings.get(b.id).payment["status"] == "succeeded"


def test_a_submitted_payment_whose_intent_awaits_the_bank_is_processing_and_not_announced():
    deps, t, b = _held()
    intent_id = _intent(deps, b)
    deps.payments.confirm_intent = lambda i, pm: deps.payments.set_status(i, "requires_action")  # 3-D Secure
    published = len(deps.publisher.published)
    _run(deps, payments.on_payment_submitted, _ev(PaymentSubmitted, b, payment_intent_id=intent_id,
                                                  payment_method="pm_card_threeDSecure2Required"))  # fmt: skip
    assert deps.bookings.get(b.id).payment["status"] == "requires_action"
    assert len(deps.publisher.published) == published
