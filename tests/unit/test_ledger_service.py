"""The ledger: each charge and refund once, split per the fee policy; payouts; reconciliation with Stripe."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Forbidden, NotFound, ValidationError
from core.fees import FeePolicy, basis_points, money_text
from core.handlers import inject
from core.handlers import ledger as handlers
from core.ledger import charge_entry, payout_lines, refund_entry
from core.model import Role
from core.services import ledger
from events import PaymentSucceeded, SponsorshipPaid
from events.envelope import new_event
from tests.fakes import fake_deps
from tests.unit import builders


def _paid():
    deps = fake_deps()
    expert, trainee = builders.user(deps, Role.EXPERT), builders.user(deps)
    t = builders.training(deps, expert, price=50_000)
    b = builders.booking(deps, t, trainee, amount=52_500, service_fee=2_500)
    intent = deps.payments.create_intent(52_500, "eur", {"booking_id": b.id}, "k")
    deps.payments.confirm_intent(intent.id, "pm_card_visa")
    return deps, expert, b, intent.id


def _succeeded(b, payment_intent_id, amount):
    """``payment.succeeded`` of booking ``b``, as the webhook builds it."""
    paid = PaymentSucceeded(booking_id=b.id, training_id=b.training_id, payment_intent_id=payment_intent_id,
                            amount=amount, currency=b.currency)  # fmt: skip
    return new_event(paid, "test")


def _charge(deps, booking_id, payment_intent_id, gross):
    return handlers.record_booking_charge(deps.ledger, deps.bookings, deps.trainings, deps.policy, deps.clock,
                                          booking_id, payment_intent_id, gross)  # fmt: skip


def _refund(deps, booking_id, payment_intent_id, refund_id, amount):
    handlers.record_refund(deps.ledger, deps.bookings, deps.trainings, deps.payments, deps.policy, deps.clock,
                           booking_id, payment_intent_id, refund_id, amount)  # fmt: skip


def test_a_charge_is_split_and_recorded_once():
    deps, expert, b, pi = _paid()
    succeeded = _succeeded(b, pi, 52_500)
    inject(handlers.on_payment_succeeded, deps)(succeeded)
    inject(handlers.on_payment_succeeded, deps)(succeeded)
    [entry] = deps.ledger.rows.values()
    assert (entry.gross, entry.service_fee, entry.platform_fee, entry.expert_amount) == (52_500, 2_500, 5_000, 45_000)
    assert entry.expert_id == expert.id


def test_a_free_seat_moves_no_money_and_an_unknown_booking_is_not_found():
    deps, _, b, _ = _paid()
    inject(handlers.on_payment_succeeded, deps)(_succeeded(b, "free", 0))
    assert deps.ledger.rows == {}
    with pytest.raises(NotFound):
        _charge(deps, "nope", "pi_x", 100)


def test_refunds_give_back_the_price_first_and_sum_to_the_charge():
    fees = FeePolicy(service_fee_bp=500, platform_fee_bp=1_000)
    now = fake_deps().clock()
    charge = charge_entry(fees, "booking", "b", "t", "e", "pi", 52_500, 2_500, "eur", now)
    first = refund_entry(charge, [], "r1", 30_000, now)
    second = refund_entry(charge, [first], "r2", 22_500, now)
    assert (first.platform_fee, first.expert_amount, first.service_fee) == (-3_000, -27_000, 0)
    assert second.service_fee == -2_500
    for field in ("gross", "service_fee", "platform_fee", "expert_amount"):
        assert getattr(charge, field) + getattr(first, field) + getattr(second, field) == 0
    with pytest.raises(ValueError):
        refund_entry(charge, [first, second], "r3", 1, now)
    [line] = payout_lines([charge, first])
    assert (line.charges, line.refunds, line.owed) == (1, 1, 45_000 - 27_000)


def test_fee_arithmetic_and_money_text():
    assert basis_points(12.5) == 1_250
    with pytest.raises(ValueError):
        basis_points(101)
    assert FeePolicy().service_fee(50_000) == 2_500 and FeePolicy().expert_share(50_000) == 45_000
    assert money_text(-45_050, "eur") == "-450.50 EUR"


def test_periods_payouts_and_csv():
    deps, expert, b, pi = _paid()
    _charge(deps, b.id, pi, 52_500)
    start = deps.clock() - timedelta(days=1)
    with pytest.raises(ValidationError) as empty:
        ledger.check_period(start, start)
    assert "to" in empty.value.errors
    period = ledger.check_period(start, deps.clock() + timedelta(days=1))
    lines, entries = ledger.my_payouts(deps, expert, period)
    assert [x.owed for x in lines] == [45_000] and len(entries) == 1
    admin = builders.user(deps, Role.ADMIN)
    csv = ledger.payouts_csv(deps, admin, period)
    assert csv.splitlines()[1].endswith("EUR,1,0,525.00,25.00,50.00,450.00") and expert.email in csv
    totals, experts = ledger.payouts(deps, admin, period)
    assert [(x.expert_id, x.gross, x.owed) for x in totals] == [(expert.id, 52_500, 45_000)]
    assert experts[expert.id].email == expert.email
    with pytest.raises(Forbidden):
        ledger.payouts(deps, expert, period)


def test_reconciliation_finds_what_either_side_lacks():
    deps, expert, b, pi = _paid()
    period = ledger.check_period(deps.clock() - timedelta(hours=1), deps.clock() + timedelta(hours=1))
    assert [d.kind for d in ledger.reconcile(deps, period)] == ["missing_in_ledger"]
    _charge(deps, b.id, pi, 52_500)
    assert ledger.reconcile(deps, period) == []
    refund_id = deps.payments.refund(pi, 10_000, "r")
    assert [d.object_id for d in ledger.reconcile(deps, period)] == [refund_id]
    _refund(deps, b.id, pi, refund_id, 10_000)
    _refund(deps, b.id, pi, refund_id, 10_000)  # a replay
    assert ledger.reconcile(deps, period) == [] and len(deps.ledger.refunds_of(pi)) == 1
    deps.payments.set_status(pi, "canceled")
    assert "missing_in_stripe" in {d.kind for d in ledger.reconcile(deps, period)}


def test_sponsorship_charges_carry_no_service_fee():
    deps, expert, b, _ = _paid()
    books = (deps.ledger, deps.trainings, deps.policy, deps.clock)
    entry = handlers.record_sponsorship_charge(*books, "sp1", b.training_id, "pi_sp", 60_000, "eur")
    assert entry.service_fee == 0 and entry.platform_fee == 6_000
    handlers.record_sponsorship_refund(*books, "sp1", b.training_id, "pi_sp", "re_sp", 60_000, "eur")
    assert [e.gross for e in deps.ledger.refunds_of("pi_sp")] == [-60_000]


def test_a_sponsors_payment_enters_the_ledger_once_and_needs_its_training():
    deps, expert, b, _ = _paid()
    s = builders.user(deps, Role.SPONSOR)
    paid = SponsorshipPaid(sponsorship_id="sp1", sponsor_id=s.id, training_id=b.training_id, seats=2, amount=60_000,
                           currency="eur", payment_intent_id="pi_sp")  # fmt: skip
    inject(handlers.on_sponsorship_paid, deps)(new_event(paid, "test"))
    inject(handlers.on_sponsorship_paid, deps)(new_event(paid, "test"))
    [entry] = [e for e in deps.ledger.rows.values() if e.payment_intent_id == "pi_sp"]
    assert (entry.payer, entry.gross, entry.service_fee, entry.expert_id) == ("sponsorship", 60_000, 0, expert.id)
    with pytest.raises(NotFound):
        handlers.record_sponsorship_charge(deps.ledger, deps.trainings, deps.policy, deps.clock, "sp2", "gone",
                                           "pi_sp2", 1_000, "eur")  # fmt: skip


def test_reconciliation_names_amounts_that_disagree_and_refunds_stripe_lacks():
    deps, expert, b, pi = _paid()
    period = ledger.check_period(deps.clock() - timedelta(hours=1), deps.clock() + timedelta(hours=1))
    _charge(deps, b.id, pi, 52_000)  # 5.00 EUR less than Stripe took
    _refund(deps, b.id, pi, "re_ghost", 1_000)  # a refund Stripe never made
    refund_id = deps.payments.refund(pi, 2_000, "r")
    _refund(deps, b.id, pi, refund_id, 2_500)
    found = {(d.kind, d.object_id) for d in ledger.reconcile(deps, period)}
    assert found == {("amount_mismatch", pi), ("missing_in_stripe", "re_ghost"), ("amount_mismatch", refund_id)}
    stranger = deps.payments.create_intent(700, "eur", {"sponsorship_id": "sp9"}, "k9")
    deps.payments.confirm_intent(stranger.id, "pm_card_visa")
    other = deps.payments.create_intent(800, "eur", {}, "k10")
    deps.payments.confirm_intent(other.id, "pm_card_visa")
    details = {d.object_id: d.detail for d in ledger.reconcile(deps, period)}
    assert "sponsorship sp9" in details[stranger.id] and "not made by the marketplace" in details[other.id]
