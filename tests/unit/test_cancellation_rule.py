"""The one rule of who may cancel what, and for how much, with the terms a booking was sold under."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core.cancellation import CANCELLABLE, RefundTerms, cancellation, terms_of
from core.model import Booking, Training, TrainingStatus, Venue
from core.model import BookingStatus as S

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def _training(**fields: object) -> Training:
    values: dict[str, object] = dict(
        id="t", expert_id="e", title="TAVI day", status=TrainingStatus.PUBLISHED, created_at=NOW, updated_at=NOW,
        venue=Venue("HEGP", "20 rue Leblanc", "Paris", "75015", "FR"), starts_at=NOW + timedelta(days=45),
        ends_at=NOW + timedelta(days=45, hours=9), timezone="Europe/Paris", capacity=4, price=45000, currency="eur",
    )  # fmt: skip
    values.update(fields)
    return Training(**values)  # type: ignore[arg-type]


def _booking(status: S = S.CONFIRMED, amount: int = 47250, fee: int = 2250, days: int | None = 30) -> Booking:
    return Booking(id="b", training_id="t", trainee_id="u", amount=amount, currency="eur", status=status,
                   requested_at=NOW, service_fee=fee,
                   refund_terms=RefundTerms(days) if days is not None else None)  # fmt: skip


@pytest.mark.parametrize(
    ("before_start", "refund"),
    [
        (timedelta(days=31), 45000),
        (timedelta(days=30), 45000),  # exactly 30 days before: still in full
        (timedelta(days=30) - timedelta(seconds=1), 0),
        (timedelta(days=2), 0),
    ],
)
def test_the_refund_and_its_boundary(before_start: timedelta, refund: int) -> None:
    decision = cancellation(_booking(), _training(starts_at=NOW + before_start), NOW)
    assert decision.allowed and decision.refund == refund


def test_the_terms_the_seat_was_sold_under_win_over_the_trainings_current_ones() -> None:
    # Sold under "full refund until 30 days before"; the expert then asks 60; cancelled 45 days ahead.
    stricter_now = _training(refund_full_days_before=60)
    assert cancellation(_booking(days=30), stricter_now, NOW).refund == 45000
    # ... and the other way round: sold under 60, the expert relaxes to 30, still 60 for this seat.
    assert cancellation(_booking(days=60), _training(refund_full_days_before=30), NOW).refund == 0
    # A booking older than the record of terms falls back on the training's.
    assert terms_of(_booking(days=None), stricter_now) == RefundTerms(60)


@pytest.mark.parametrize("status", sorted(CANCELLABLE))
def test_every_request_still_in_play_can_be_taken_back_before_the_start(status: S) -> None:
    decision = cancellation(_booking(status), _training(), NOW)
    assert decision.allowed
    assert decision.refund == (45000 if status is S.CONFIRMED else 0)  # only a confirmed seat was paid


def test_a_request_awaiting_the_experts_approval_can_be_withdrawn() -> None:
    assert cancellation(_booking(S.PENDING_APPROVAL), _training(), NOW).allowed


@pytest.mark.parametrize("status", [S.REJECTED, S.EXPIRED, S.CANCELLED, S.CLOSED])
def test_a_finished_booking_cannot_be_cancelled(status: S) -> None:
    decision = cancellation(_booking(status), _training(), NOW)
    assert not decision.allowed and status in (decision.reason or "")


def test_nothing_can_be_cancelled_once_the_training_started_or_is_over() -> None:
    started = cancellation(_booking(), _training(starts_at=NOW), NOW)
    assert not started.allowed and "started" in (started.reason or "")
    for status in (TrainingStatus.CANCELLED, TrainingStatus.COMPLETED):
        assert not cancellation(_booking(), _training(status=status), NOW).allowed
    assert not cancellation(_booking(), None, NOW).allowed


def test_a_free_seat_refunds_nothing_and_the_fee_never_comes_back() -> None:
    free = cancellation(_booking(amount=0, fee=0), _training(), NOW)
    assert free.allowed and free.refund == 0
    no_fee_back = cancellation(replace(_booking(), amount=47000, service_fee=2000), _training(), NOW)
    assert no_fee_back.refund == 45000


def test_the_terms_read_as_a_sentence_and_name_their_deadline() -> None:
    terms = RefundTerms(30)
    assert "at least 30 days before" in terms.summary() and "service fee is not refunded" in terms.summary()
    assert terms.deadline(NOW + timedelta(days=45)) == NOW + timedelta(days=15)
    assert RefundTerms.from_dict(terms.as_dict()) == terms
