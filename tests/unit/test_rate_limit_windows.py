"""Rate limits: the COUNT/PERIOD setting, fixed windows, and what login and booking count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import RateLimited
from core.services.limits import Limit, record, refuse_if_spent, throttle
from tests.fakes import FakeRateLimits


@pytest.mark.parametrize(
    ("spec", "count", "period"),
    [("10/minute", 10, 60), ("30/10 minutes", 30, 600), ("100 / hour", 100, 3600), ("5/2 days", 5, 172800),
     ("1/second", 1, 1), ("7/Minutes", 7, 60)],
)  # fmt: skip
def test_a_limit_is_written_count_slash_period(spec: str, count: int, period: int) -> None:
    assert Limit.parse(spec) == Limit(count, period)


@pytest.mark.parametrize("spec", ["", "10", "10/fortnight", "0/minute", "10/0 minutes", "-1/minute", "ten/minute"])
def test_a_malformed_limit_is_refused_with_the_expected_form(spec: str) -> None:
    with pytest.raises(ValueError, match="COUNT/PERIOD"):
        Limit.parse(spec)


def test_windows_are_aligned_so_every_process_counts_in_the_same_one() -> None:
    limit = Limit(3, 600)
    now = datetime(2026, 11, 22, 10, 7, 30, tzinfo=UTC)
    assert limit.window(now) == (datetime(2026, 11, 22, 10, 0, tzinfo=UTC), datetime(2026, 11, 22, 10, 10, tzinfo=UTC))
    assert limit.window(now + timedelta(minutes=2, seconds=29)) == limit.window(now)
    assert limit.window(now + timedelta(minutes=2, seconds=30))[0] == datetime(2026, 11, 22, 10, 10, tzinfo=UTC)


def test_the_attempt_over_the_limit_is_refused_with_the_wait_until_the_next_window() -> None:
    store, limit = FakeRateLimits(), Limit(2, 60)
    now = datetime(2026, 11, 22, 10, 0, 15, tzinfo=UTC)
    throttle(store, "login:a@example.org", limit, now, "sign-in attempts")
    throttle(store, "login:a@example.org", limit, now, "sign-in attempts")
    with pytest.raises(RateLimited) as refused:
        throttle(store, "login:a@example.org", limit, now, "sign-in attempts")
    assert refused.value.retry_after_s == 45
    assert refused.value.message == "Too many sign-in attempts; try again in 45 seconds."
    throttle(store, "login:b@example.org", limit, now, "sign-in attempts")  # another key has its own count
    throttle(store, "login:a@example.org", limit, now + timedelta(seconds=45), "sign-in attempts")  # next window


def test_a_spent_key_is_refused_before_counting_and_a_record_decides_nothing() -> None:
    store, limit = FakeRateLimits(), Limit(2, 60)
    now = datetime(2026, 11, 22, 10, 0, 59, 500000, tzinfo=UTC)
    record(store, "login-failed:10.0.0.1", limit, now)
    refuse_if_spent(store, "login-failed:10.0.0.1", limit, now, "failed sign-ins")
    record(store, "login-failed:10.0.0.1", limit, now)
    record(store, "login-failed:10.0.0.1", limit, now)  # recording never raises
    with pytest.raises(RateLimited) as refused:
        refuse_if_spent(store, "login-failed:10.0.0.1", limit, now, "failed sign-ins")
    assert refused.value.retry_after_s == 1  # never 0: "retry now" would be wrong
    assert store.count("login-failed:10.0.0.1", limit.window(now)[0]) == 3  # the refusal counted nothing
