"""Every transition of a booking, allowed or refused, and the publication checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from core.model import BookingStatus as S
from core.model import (
    Training,
    TrainingStatus,
    Venue,
    can_move_training,
    can_transition,
    sources_of,
)

ALLOWED = {
    (S.REQUESTED, S.HELD),
    (S.REQUESTED, S.WAITLISTED),
    (S.REQUESTED, S.REJECTED),
    (S.REQUESTED, S.PENDING_APPROVAL),
    (S.PENDING_APPROVAL, S.HELD),
    (S.PENDING_APPROVAL, S.REJECTED),
    (S.PENDING_APPROVAL, S.EXPIRED),
    (S.PENDING_APPROVAL, S.CANCELLED),
    (S.WAITLISTED, S.PENDING_APPROVAL),
    (S.WAITLISTED, S.CANCELLED),
    (S.HELD, S.EXPIRED),
    (S.HELD, S.CANCELLED),
    (S.CONFIRMED, S.CANCELLED),
    (S.EXPIRED, S.CONFIRMED),
    (S.WAITLISTED, S.HELD),
    (S.HELD, S.CONFIRMED),
    # The training took place with the request still open.
    (S.PENDING_APPROVAL, S.CLOSED),
    (S.WAITLISTED, S.CLOSED),
    (S.HELD, S.CLOSED),
}


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_each_transition_is_allowed_exactly_when_the_saga_says(current: S, target: S) -> None:
    assert can_transition(current, target) is ((current, target) in ALLOWED)


def test_the_guard_of_a_transition_lists_its_sources() -> None:
    assert sources_of(S.HELD) == {S.REQUESTED, S.WAITLISTED, S.PENDING_APPROVAL}
    assert sources_of(S.CONFIRMED) == {S.HELD, S.EXPIRED}
    assert sources_of(S.CANCELLED) == {S.HELD, S.WAITLISTED, S.CONFIRMED, S.PENDING_APPROVAL}
    assert sources_of(S.REQUESTED) == frozenset()


NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
DAY = datetime(2026, 12, 1, 8, tzinfo=PARIS)


def _training(**fields: object) -> Training:
    values: dict[str, object] = dict(
        id="t", expert_id="e", title="TAVI day", status=TrainingStatus.DRAFT, created_at=NOW, updated_at=NOW,
        specialty="cardiology", technique="TAVI", description="Live cases.", languages=["fr"],
        venue=Venue("HEGP", "20 rue Leblanc", "Paris", "75015", "FR"), starts_at=DAY,
        ends_at=DAY + timedelta(hours=9), timezone="Europe/Paris", capacity=4, price=0, currency="eur",
        programme=[{"start": "08:00", "end": "12:00", "title": "OR"},
                   {"start": "13:00", "end": "17:00", "title": "Lab"}],
    )  # fmt: skip
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
        ({"venue": Venue("HEGP", None, "Paris", None, "FR")}, "venue.address", "Required to publish."),
        ({"languages": []}, "languages", "Required to publish."),
        ({"programme": []}, "programme", "Required to publish."),
        ({"ends_at": DAY}, "ends_at", "Must be after starts_at."),
        (
            {"ends_at": DAY + timedelta(hours=17)},
            "ends_at",
            "A training lasts one day: it must end on the day it starts.",
        ),
        ({"timezone": "Mars/Olympus"}, "timezone", "Unknown time zone; use an IANA name such as Europe/Paris."),
        (
            {"programme": [{"start": "07:00", "end": "09:00", "title": "Too early"}]},
            "programme",
            "Step 1 (07:00-09:00) is outside the day (08:00-17:00).",
        ),
        (
            {
                "programme": [
                    {"start": "08:00", "end": "12:00", "title": "a"},
                    {"start": "11:00", "end": "12:30", "title": "b"},
                ]
            },
            "programme",
            "Step 2 starts before step 1 ends.",
        ),
        (
            {"programme": [{"start": "10:00", "end": "09:00", "title": "a"}]},
            "programme",
            "Step 1 must end after it starts.",
        ),
    ],
)
def test_publication_names_the_field_and_the_problem(fields: dict, field: str, problem: str) -> None:
    errors = _training(**fields).missing_for_publication(NOW)
    assert problem in errors[field]


def test_the_day_is_the_venues_local_day() -> None:
    # 23:30 in Paris is already the next day in UTC: still one day at the venue.
    late = datetime(2026, 12, 1, 17, 30, tzinfo=PARIS)
    training = _training(starts_at=late, ends_at=late + timedelta(hours=6, minutes=29), programme=[
        {"start": "17:30", "end": "23:59", "title": "Night list"}])  # fmt: skip
    assert training.missing_for_publication(NOW) == {}
    assert training.local_day() == "2026-12-01"


TRAINING_ALLOWED = {
    (TrainingStatus.DRAFT, TrainingStatus.PUBLISHED),
    (TrainingStatus.DRAFT, TrainingStatus.CANCELLED),
    (TrainingStatus.PUBLISHED, TrainingStatus.CANCELLED),
    (TrainingStatus.PUBLISHED, TrainingStatus.COMPLETED),
}


@pytest.mark.parametrize(("current", "target"), list(product(TrainingStatus, TrainingStatus)))
def test_each_training_move_is_allowed_exactly_when_the_lifecycle_says(
    current: TrainingStatus, target: TrainingStatus
) -> None:
    assert can_move_training(current, target) is ((current, target) in TRAINING_ALLOWED)
