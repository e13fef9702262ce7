"""Every transition of a booking, allowed or refused, and the publication checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from core.model import BookingStatus as S
from core.model import Training, TrainingStatus, can_transition, sources_of

ALLOWED = {
    (S.REQUESTED, S.HELD),
    (S.REQUESTED, S.WAITLISTED),
    (S.REQUESTED, S.REJECTED),
    (S.WAITLISTED, S.HELD),
    (S.HELD, S.CONFIRMED),
}


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_each_transition_is_allowed_exactly_when_the_saga_says(current: S, target: S) -> None:
    assert can_transition(current, target) is ((current, target) in ALLOWED)


def test_the_guard_of_a_transition_lists_its_sources() -> None:
    assert sources_of(S.HELD) == {S.REQUESTED, S.WAITLISTED}
    assert sources_of(S.CONFIRMED) == {S.HELD}
    assert sources_of(S.REQUESTED) == frozenset()


NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def _training(**fields: object) -> Training:
    start = NOW + timedelta(days=10)
    values: dict[str, object] = dict(
        id="t",
        expert_id="e",
        title="TAVI",
        status=TrainingStatus.DRAFT,
        created_at=NOW,
        updated_at=NOW,
        specialty="cardiology",
        institution="HEGP",
        city="Paris",
        country="FR",
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        capacity=4,
        price=0,
        currency="eur",
    )
    values.update(fields)
    return Training(**values)  # type: ignore[arg-type]


def test_a_complete_training_may_be_published() -> None:
    assert _training().missing_for_publication(NOW) == {}


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"starts_at": NOW - timedelta(hours=1), "ends_at": NOW}, "starts_at", "Must be in the future."),
        ({"capacity": 0}, "capacity", "Must be at least 1."),
        ({"price": -1}, "price", "Must be at least 0."),
        ({"city": None}, "city", "Required to publish."),
        ({"institution": ""}, "institution", "Required to publish."),
        ({"ends_at": NOW + timedelta(days=10)}, "ends_at", "Must be after starts_at."),
        ({"ends_at": NOW + timedelta(days=11, hours=1)}, "ends_at", "A training lasts one day."),
    ],
)
def test_publication_names_the_field_and_the_problem(fields: dict, field: str, problem: str) -> None:
    errors = _training(**fields).missing_for_publication(NOW)
    assert problem in errors[field]
