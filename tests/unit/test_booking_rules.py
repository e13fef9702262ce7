"""What a booking or a sponsored purchase allows now: payable, final, withdrawn or cancelled, refunded,
attended; and when the roll call is open. One rule each, for the use cases and the pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core import booking_rules as rules
from core import sponsoring
from core.cancellation import Cancellation
from core.model import Booking, Training, TrainingStatus, Venue
from core.model import BookingStatus as S
from core.services import attendance
from core.sponsoring import Sponsorship, SponsorshipStatus, Voucher

NOW = datetime.now(UTC)
INTENT = {"intent_id": "pi_1", "client_secret": "pi_1_secret", "status": "requires_payment_method"}


def _booking(status: S, payment: dict[str, Any] | None = None, attendance: str | None = None) -> Booking:
    return Booking(id="b", training_id="t", trainee_id="u", amount=47250, currency="eur", status=status,
                   requested_at=NOW, payment=dict(payment or {}), attendance=attendance)  # fmt: skip


def _training(status: TrainingStatus = TrainingStatus.PUBLISHED, starts_in: timedelta = timedelta(days=2)) -> Training:
    starts = NOW + starts_in
    return Training(id="t", expert_id="e", title="TAVI day", status=status, created_at=NOW, updated_at=NOW,
                    venue=Venue("HEGP", "20 rue Leblanc", "Paris", "75015", "FR"), starts_at=starts,
                    ends_at=starts + timedelta(hours=8), timezone="Europe/Paris")  # fmt: skip


# --- bookings ---------------------------------------------------------------------------------


def test_a_held_seat_with_its_payment_intent_is_payable() -> None:
    held = _booking(S.HELD, INTENT)
    assert rules.payment_refusal(held) is None and rules.payable(held)


def test_a_held_seat_waits_for_its_payment_intent() -> None:
    held = _booking(S.HELD)
    assert rules.payment_refusal(held) == "The payment is being prepared; try again in a moment."
    assert not rules.payable(held)


def test_a_confirmed_booking_is_paid_already() -> None:
    confirmed = _booking(S.CONFIRMED, INTENT)
    assert rules.payment_refusal(confirmed) == "This booking is paid and confirmed."
    assert not rules.payable(confirmed)


@pytest.mark.parametrize("status", sorted(set(S) - {S.HELD, S.CONFIRMED}))
def test_only_a_held_seat_is_paid(status: S) -> None:
    booking = _booking(status, INTENT)
    assert rules.payment_refusal(booking) == f"Only a held seat can be paid; this booking is {status}."
    assert not rules.payable(booking)


@pytest.mark.parametrize(
    ("stripe_status", "under_way"),
    [("processing", True), ("succeeded", True), ("requires_payment_method", False), (None, False)],
)
def test_a_payment_processing_or_through_is_under_way(stripe_status: str | None, under_way: bool) -> None:
    payment = {**INTENT, "status": stripe_status} if stripe_status else {}
    assert rules.payment_under_way(_booking(S.HELD, payment)) is under_way


@pytest.mark.parametrize("status", sorted(S))
def test_the_page_stops_following_a_booking_no_one_waits_on(status: S) -> None:
    waiting = {S.REQUESTED, S.PENDING_APPROVAL, S.HELD, S.WAITLISTED}
    assert rules.is_final(_booking(status)) is (status not in waiting)


@pytest.mark.parametrize("status", sorted(S))
def test_cancelling_before_the_trainee_is_asked_to_pay_withdraws_the_request(status: S) -> None:
    requests = {S.REQUESTED, S.PENDING_APPROVAL, S.WAITLISTED}
    assert rules.withdraws_request(_booking(status)) is (status in requests)


def test_the_refund_a_cancellation_would_give_is_shown_for_a_paid_booking_only() -> None:
    allowed, refused = Cancellation(True, refund=45000), Cancellation(False, reason="started")
    assert rules.refund_on_cancel(_booking(S.CONFIRMED), allowed) == 45000
    assert rules.refund_on_cancel(_booking(S.CONFIRMED), Cancellation(True, refund=0)) == 0  # "no refund now"
    assert rules.refund_on_cancel(_booking(S.CONFIRMED), refused) is None
    assert rules.refund_on_cancel(_booking(S.HELD), Cancellation(True)) is None  # nothing was paid


def test_attended_means_confirmed_marked_present_and_the_training_held() -> None:
    present, completed = _booking(S.CONFIRMED, attendance="present"), _training(TrainingStatus.COMPLETED)
    assert rules.was_present(present) and rules.attended(present, completed)
    assert not rules.attended(present, _training(TrainingStatus.PUBLISHED))  # not held yet
    assert not rules.attended(present, None)  # the training is gone
    absent = _booking(S.CONFIRMED, attendance="absent")
    assert not rules.was_present(absent) and not rules.attended(absent, completed)
    assert not rules.was_present(_booking(S.CONFIRMED)) and not rules.attended(_booking(S.CONFIRMED), completed)
    cancelled = _booking(S.CANCELLED, attendance="present")
    assert not rules.was_present(cancelled) and not rules.attended(cancelled, completed)


# --- sponsored seats --------------------------------------------------------------------------


def _sponsorship(status: SponsorshipStatus, payment: dict[str, Any] | None = None, seats: int = 2) -> Sponsorship:
    return Sponsorship(id="s", sponsor_id="sp", training_id="t", seats=seats, amount=seats * 45000,
                       currency="eur", status=status, created_at=NOW, payment=dict(payment or {}))  # fmt: skip


def _vouchers(n: int) -> list[Voucher]:
    return [Voucher(code=f"V{i}", sponsorship_id="s", sponsor_id="sp", training_id="t", issued_at=NOW)
            for i in range(n)]  # fmt: skip


def test_a_pending_purchase_with_its_payment_intent_is_payable() -> None:
    pending = _sponsorship(SponsorshipStatus.PAYMENT_PENDING, INTENT)
    assert sponsoring.payment_refusal(pending) is None and sponsoring.payable(pending)
    preparing = _sponsorship(SponsorshipStatus.PAYMENT_PENDING)
    assert sponsoring.payment_refusal(preparing) == "The payment is being prepared; try again in a moment."
    assert not sponsoring.payable(preparing)


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        (SponsorshipStatus.PAID, "This sponsorship is paid."),
        (SponsorshipStatus.CANCELLED, "This sponsorship is cancelled: its training was cancelled."),
        (SponsorshipStatus.REFUNDED, "This sponsorship is refunded: its training was cancelled."),
    ],
)
def test_only_a_pending_purchase_is_paid(status: SponsorshipStatus, refusal: str) -> None:
    purchase = _sponsorship(status, INTENT)
    assert sponsoring.payment_refusal(purchase) == refusal and not sponsoring.payable(purchase)


def test_a_paid_purchase_is_final_once_every_voucher_is_issued() -> None:
    paid = _sponsorship(SponsorshipStatus.PAID, INTENT, seats=2)
    assert sponsoring.vouchers_pending(paid, _vouchers(1)) and not sponsoring.is_final(paid, _vouchers(1))
    assert not sponsoring.vouchers_pending(paid, _vouchers(2)) and sponsoring.is_final(paid, _vouchers(2))


@pytest.mark.parametrize("status", sorted(SponsorshipStatus))
def test_which_purchases_the_page_stops_following(status: SponsorshipStatus) -> None:
    purchase = _sponsorship(status, INTENT, seats=1)
    called_off = status in (SponsorshipStatus.CANCELLED, SponsorshipStatus.REFUNDED)
    assert sponsoring.is_final(purchase, []) is called_off
    assert sponsoring.vouchers_pending(purchase, []) is (status is SponsorshipStatus.PAID)


# --- the roll call ----------------------------------------------------------------------------


def test_the_roll_call_opens_at_the_start_of_the_day_while_the_training_is_published() -> None:
    training = _training()
    opens = attendance.opens_at(training)
    assert attendance.roll_call_state(training, opens - timedelta(seconds=1)) is attendance.RollCallState.NOT_YET
    assert attendance.roll_call_state(training, opens) is attendance.RollCallState.OPEN
    assert training.starts_at is not None
    later = training.starts_at + timedelta(days=1)  # open until the training is completed
    assert attendance.roll_call_state(training, later) is attendance.RollCallState.OPEN


@pytest.mark.parametrize("status", [TrainingStatus.COMPLETED, TrainingStatus.CANCELLED, TrainingStatus.DRAFT])
def test_the_roll_call_is_closed_for_a_training_no_longer_published(status: TrainingStatus) -> None:
    training = replace(_training(), status=status)
    assert attendance.roll_call_state(training, NOW) is attendance.RollCallState.CLOSED
    assert attendance.roll_call_state(training, attendance.opens_at(training)) is attendance.RollCallState.CLOSED
