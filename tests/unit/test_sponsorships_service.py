"""Sponsored seats: the purchase, its PaymentIntent made once, vouchers once paid, refunds on cancellation.

The payments worker's handlers are called as the runner calls them: bound by ``inject`` to their ports.
"""

from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden, NotFound
from core.handlers import inject
from core.handlers import sponsorships as handlers
from core.ledger import EntryKind
from core.model import Role, TrainingStatus
from core.services import seating
from core.services import sponsorships as sp
from core.sponsoring import SponsorshipStatus
from events import (
    SponsorshipCancelled,
    SponsorshipPaid,
    SponsorshipPaymentSubmitted,
    SponsorshipRefunded,
    SponsorshipRequested,
    TrainingCancelled,
    VouchersIssued,
)
from events.envelope import Event, new_event
from tests.fakes import DECLINED, fake_deps
from tests.unit import builders


def _bought(seats=2):
    deps = fake_deps()
    sponsor, expert = builders.user(deps, Role.SPONSOR), builders.user(deps, Role.EXPERT)
    t = builders.training(deps, expert, capacity=4, price=30_000)
    s = sp.buy_seats(deps, sponsor, t.id, seats)
    return deps, sponsor, t, s


def _event(deps, kind, s, **about):
    """The ``kind`` event of purchase ``s``, as a producer builds it (a fresh id each time)."""
    purchase = {"sponsorship_id": s.id, "sponsor_id": s.sponsor_id, "training_id": s.training_id, "seats": s.seats,
                "amount": s.amount, "currency": s.currency}  # fmt: skip
    return new_event(kind(**{**purchase, **about}), "test")


def _cancelled(t, **about):
    """``training.cancelled`` for training ``t``."""
    called_off = TrainingCancelled(training_id=t.id, expert_id=t.expert_id, title=t.title, status="cancelled", **about)
    return new_event(called_off, "test")


def _run(deps, handler, event: Event) -> None:
    """The handler as the runner calls it: bound to the ports it names."""
    inject(handler, deps)(event)


def _prepared(seats=2):
    deps, sponsor, t, s = _bought(seats)
    _run(deps, handlers.on_sponsorship_requested, deps.publisher.published[0])
    return deps, sponsor, t, deps.sponsorships.get(s.id)


def _paid(seats=2):
    deps, sponsor, t, s = _prepared(seats)
    intent_id = s.payment["intent_id"]
    deps.payments.confirm_intent(intent_id, "pm_card_visa")
    paid = _event(deps, SponsorshipPaid, s, payment_intent_id=intent_id, amount=s.amount,
                  currency=s.currency, training_id=t.id)  # fmt: skip
    _run(deps, handlers.on_sponsorship_paid, paid)
    return deps, sponsor, t, deps.sponsorships.get(s.id), paid


def test_buying_seats_stores_the_purchase_and_announces_it_under_its_own_id():
    deps, sponsor, t, s = _bought(seats=3)
    assert (s.amount, s.status) == (90_000, SponsorshipStatus.PAYMENT_PENDING)
    [event] = deps.publisher.published
    assert event.type == SponsorshipRequested.TYPE and event.id == s.id and event.data["seats"] == 3
    assert [x.id for x, _ in sp.my_sponsorships(deps, sponsor)] == [s.id]


def test_no_more_seats_than_are_left_naming_the_field():
    deps = fake_deps()
    sponsor, expert = builders.user(deps, Role.SPONSOR), builders.user(deps, Role.EXPERT)
    t = builders.training(deps, expert, capacity=2)
    seating.decide(deps.seats, t.id, 2, lambda ledger: ledger.request("b1"))
    with pytest.raises(Conflict) as refused:
        sp.buy_seats(deps, sponsor, t.id, 2)
    assert refused.value.errors == {"seats": ["At most 1 seats are left."]} and deps.sponsorships.rows == {}


def test_only_published_paid_trainings_are_sponsored():
    deps = fake_deps()
    sponsor, expert = builders.user(deps, Role.SPONSOR), builders.user(deps, Role.EXPERT)
    with pytest.raises(Conflict, match="free"):
        sp.buy_seats(deps, sponsor, builders.training(deps, expert, price=0).id, 1)
    with pytest.raises(Conflict, match="published"):
        sp.buy_seats(deps, sponsor, builders.training(deps, expert, TrainingStatus.COMPLETED).id, 1)
    with pytest.raises(Forbidden):
        sp.buy_seats(deps, expert, builders.training(deps, expert).id, 1)


def test_the_payment_intent_is_made_once_whatever_the_redeliveries():
    deps, sponsor, t, s = _prepared()
    _run(deps, handlers.on_sponsorship_requested, deps.publisher.published[0])
    assert len(deps.payments.intents) == 1
    intent = deps.payments.intents[s.payment["intent_id"]]
    assert intent.metadata["kind"] == "sponsorship" and intent.amount == s.amount


def test_paying_needs_the_intent_and_submits_the_method_for_the_worker():
    deps, sponsor, t, s = _bought()
    with pytest.raises(Conflict, match="being prepared"):
        sp.pay_sponsorship(deps, sponsor, s.id, None)
    _run(deps, handlers.on_sponsorship_requested, deps.publisher.published[0])
    answer = sp.pay_sponsorship(deps, sponsor, s.id, "pm_card_visa")
    assert answer["submitted"] and answer["client_secret"].endswith("_secret")
    assert deps.publisher.published[-1].type == SponsorshipPaymentSubmitted.TYPE
    with pytest.raises(NotFound):
        sp.pay_sponsorship(deps, builders.user(deps, Role.SPONSOR), s.id, None)


def test_the_worker_confirms_once_and_records_a_decline():
    deps, sponsor, t, s = _prepared()
    intent_id = s.payment["intent_id"]
    declined = _event(deps, SponsorshipPaymentSubmitted, s, payment_intent_id=intent_id, payment_method=DECLINED)
    _run(deps, handlers.on_sponsorship_payment_submitted, declined)
    assert deps.sponsorships.get(s.id).payment["status"] == "failed"
    submitted = _event(deps, SponsorshipPaymentSubmitted, s, payment_intent_id=intent_id,
                       payment_method="pm_card_visa")  # fmt: skip
    _run(deps, handlers.on_sponsorship_payment_submitted, submitted)
    assert deps.sponsorships.get(s.id).payment["status"] == "succeeded"
    charge = deps.payments.intents[intent_id].charge_id
    _run(deps, handlers.on_sponsorship_payment_submitted, submitted)  # a redelivery charges nothing more
    assert deps.payments.intents[intent_id].charge_id == charge


def test_a_foreign_payment_intent_is_refused():
    deps, sponsor, t, s = _prepared()
    other = deps.payments.create_intent(100, "eur", {"sponsorship_id": "x"}, "k")
    foreign = _event(deps, SponsorshipPaymentSubmitted, s, payment_intent_id=other.id, payment_method="pm_card_visa")
    with pytest.raises(Forbidden):
        _run(deps, handlers.on_sponsorship_payment_submitted, foreign)


def test_a_paid_purchase_gets_one_voucher_per_seat_once():
    deps, sponsor, t, s, paid = _paid(seats=3)
    assert s.status is SponsorshipStatus.PAID
    codes = [v.code for v in deps.vouchers.for_sponsorship(s.id)]
    assert len(set(codes)) == 3
    _run(deps, handlers.on_sponsorship_paid, paid)
    assert [v.code for v in deps.vouchers.for_sponsorship(s.id)] == codes
    issued = [e for e in deps.publisher.published if e.type == VouchersIssued.TYPE]
    assert len({e.id for e in issued}) == 1 and issued[0].data["codes"] == codes
    assert sp.get_sponsorship(deps, sponsor, s.id)[1][0].state == "available"
    with pytest.raises(Conflict, match="paid"):
        sp.pay_sponsorship(deps, sponsor, s.id, None)


def test_a_cancelled_training_refunds_the_paid_purchase_once_and_voids_its_vouchers():
    deps, sponsor, t, s, _ = _paid()
    cancelled = _cancelled(t, reason="Flood")
    _run(deps, handlers.on_training_cancelled, cancelled)
    _run(deps, handlers.on_training_cancelled, cancelled)
    assert deps.sponsorships.get(s.id).status is SponsorshipStatus.REFUNDED and len(deps.payments.refunds) == 1
    assert {v.state for v in deps.vouchers.for_sponsorship(s.id)} == {"void"}
    refunds = [e for e in deps.ledger.rows.values() if e.kind is EntryKind.REFUND]
    assert [r.gross for r in refunds] == [-s.amount]
    refunded = [e for e in deps.publisher.published if e.type == SponsorshipRefunded.TYPE]
    assert len({e.id for e in refunded}) == 1 and refunded[0].data["reason"] == "Flood"


def test_an_unpaid_purchase_of_a_cancelled_training_is_called_off_and_its_intent_cancelled():
    deps, sponsor, t, s = _prepared()
    cancelled = _cancelled(t)
    _run(deps, handlers.on_training_cancelled, cancelled)
    assert deps.sponsorships.get(s.id).status is SponsorshipStatus.CANCELLED
    assert deps.payments.intents[s.payment["intent_id"]].status == "canceled"
    assert deps.publisher.published[-1].type == SponsorshipCancelled.TYPE
    with pytest.raises(Conflict, match="cancelled"):
        sp.pay_sponsorship(deps, sponsor, s.id, None)


def test_an_intent_paid_meanwhile_is_refunded_rather_than_called_off():
    deps, sponsor, t, s = _prepared()
    deps.payments.set_status(s.payment["intent_id"], "succeeded")
    _run(deps, handlers.on_training_cancelled, _cancelled(t))
    assert deps.sponsorships.get(s.id).status is SponsorshipStatus.REFUNDED


def test_money_arriving_after_the_call_off_goes_straight_back():
    deps, sponsor, t, s = _prepared()
    deps.trainings.rows[t.id].status = TrainingStatus.CANCELLED
    _run(deps, handlers.on_sponsorship_requested, deps.publisher.published[0])
    assert deps.sponsorships.get(s.id).status is SponsorshipStatus.CANCELLED
    intent_id = s.payment["intent_id"]
    late = _event(deps, SponsorshipPaid, s, payment_intent_id=intent_id, amount=s.amount, currency=s.currency,
                  training_id=t.id)  # fmt: skip
    _run(deps, handlers.on_sponsorship_paid, late)
    assert deps.sponsorships.get(s.id).status is SponsorshipStatus.REFUNDED
    assert deps.vouchers.for_sponsorship(s.id) == []


def test_a_missing_purchase_is_not_found():
    deps = fake_deps()
    gone = SponsorshipRequested(sponsorship_id="x", sponsor_id="sp", training_id="t", seats=1, amount=1, currency="eur")
    with pytest.raises(NotFound):
        _run(deps, handlers.on_sponsorship_requested, new_event(gone, "test"))


# --- the worker's other branches ------------------------------------------------------


def test_redeliveries_after_the_payment_change_nothing():
    deps, sponsor, t, s, _ = _paid()
    requested = next(e for e in deps.publisher.published if e.type == SponsorshipRequested.TYPE)
    _run(deps, handlers.on_sponsorship_requested, requested)
    submitted = _event(deps, SponsorshipPaymentSubmitted, s, payment_intent_id=s.payment["intent_id"],
                       payment_method="pm_card_visa")  # fmt: skip
    charge = deps.payments.intents[s.payment["intent_id"]].charge_id
    _run(deps, handlers.on_sponsorship_payment_submitted, submitted)
    assert len(deps.payments.intents) == 1 and deps.payments.intents[s.payment["intent_id"]].charge_id == charge
    assert deps.sponsorships.get(s.id).status is SponsorshipStatus.PAID


def test_a_purchase_cancelled_before_its_intent_was_made_is_called_off():
    deps, sponsor, t, s = _bought()
    _run(deps, handlers.on_training_cancelled, _cancelled(t))
    assert deps.sponsorships.get(s.id).status is SponsorshipStatus.CANCELLED and deps.payments.intents == {}
    [called_off] = [e for e in deps.publisher.published if e.type == SponsorshipCancelled.TYPE]
    assert called_off.data["reason"] == "The training was cancelled before the payment."


def test_a_purchase_paid_between_the_read_and_the_call_off_is_not_called_off():
    deps, sponsor, t, s = _bought()
    stale = deps.sponsorships.for_training(t.id)  # read while still waiting for its payment
    deps.sponsorships.mark_paid(s.id, deps.clock())
    deps.sponsorships.for_training = lambda training_id: stale
    _run(deps, handlers.on_training_cancelled, _cancelled(t))
    assert deps.sponsorships.get(s.id).status is SponsorshipStatus.PAID
    assert SponsorshipCancelled.TYPE not in {e.type for e in deps.publisher.published}


def test_a_paid_purchase_without_a_payment_intent_is_not_refunded_blindly():
    deps, sponsor, t, s = _bought()
    deps.sponsorships.mark_paid(s.id, deps.clock())
    with pytest.raises(NotFound, match="no PaymentIntent"):
        _run(deps, handlers.on_training_cancelled, _cancelled(t))
    assert deps.payments.refunds == {}
