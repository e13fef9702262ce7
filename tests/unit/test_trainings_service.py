"""Experts' trainings: drafts, edits under the rules that protect bookings, publication, cancellation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Conflict, Forbidden, NotFound, ValidationError
from core.model import Role, TrainingStatus, Verification
from core.services import seating, trainings
from events import TrainingCompleted, TrainingPublished
from tests.fakes import fake_deps
from tests.unit import builders


def _expert(deps, **kw):
    return builders.user(deps, Role.EXPERT, **kw)


def test_a_draft_may_be_incomplete_and_is_announced():
    deps = fake_deps()
    expert = _expert(deps)
    draft = trainings.create_training(deps, expert, {"title": "Suturing", "venue": {"city": "Lyon"}, "bogus": 1})
    stored = deps.trainings.get(draft.id)
    assert stored.status is TrainingStatus.DRAFT and stored.series_id == draft.id and stored.venue.city == "Lyon"
    assert stored.hold_minutes == deps.policy.default_hold_minutes
    assert deps.publisher.types() == ["training.created"]


def test_a_draft_ending_before_it_starts_is_refused_by_field():
    deps = fake_deps()
    f = builders.complete_fields(deps)
    with pytest.raises(ValidationError) as bad:
        trainings.create_training(deps, _expert(deps), {**f, "ends_at": f["starts_at"] - timedelta(hours=1)})
    assert "ends_at" in bad.value.errors and deps.trainings.rows == {}


def test_only_experts_create_trainings():
    deps = fake_deps()
    with pytest.raises(Forbidden):
        trainings.create_training(deps, builders.user(deps), {"title": "x"})


def test_a_verified_expert_publishes_a_complete_draft():
    deps = fake_deps()
    expert = _expert(deps)
    draft = trainings.create_training(deps, expert, builders.complete_fields(deps))
    published = trainings.publish_training(deps, expert, draft.id)
    assert published.status is TrainingStatus.PUBLISHED and published.expert_verified and published.version == 2
    assert deps.publisher.published[-1].type == TrainingPublished.TYPE


def test_an_unverified_expert_cannot_publish():
    deps = fake_deps()
    expert = _expert(deps, verification=Verification.PENDING)
    draft = trainings.create_training(deps, expert, builders.complete_fields(deps))
    with pytest.raises(Forbidden, match="verified"):
        trainings.publish_training(deps, expert, draft.id)


def test_an_incomplete_draft_is_refused_naming_every_missing_field():
    deps = fake_deps()
    expert = _expert(deps)
    draft = trainings.create_training(deps, expert, {"title": "x"})
    with pytest.raises(ValidationError) as incomplete:
        trainings.publish_training(deps, expert, draft.id)
    assert {"price", "capacity", "venue.city"} <= set(incomplete.value.errors)
    assert deps.trainings.get(draft.id).status is TrainingStatus.DRAFT


def test_a_published_training_keeps_its_currency_and_approval_rule():
    deps = fake_deps()
    expert = _expert(deps)
    t = builders.training(deps, expert)
    with pytest.raises(ValidationError) as frozen:
        trainings.update_training(deps, expert, t.id, {"currency": "usd", "requires_approval": True})
    assert set(frozen.value.errors) == {"currency", "requires_approval"}


def test_capacity_cannot_fall_below_the_seats_taken():
    deps = fake_deps()
    expert = _expert(deps)
    t = builders.training(deps, expert)
    for booking_id in ("b1", "b2", "b3"):
        seating.decide(deps.seats, t.id, 4, lambda ledger, b=booking_id: ledger.request(b))
    with pytest.raises(Conflict) as refused:
        trainings.update_training(deps, expert, t.id, {"capacity": 2})
    assert "At least 3" in refused.value.errors["capacity"][0]
    assert trainings.update_training(deps, expert, t.id, {"capacity": 3}).capacity == 3


def test_an_edit_announces_what_changed_and_a_no_op_announces_nothing():
    deps = fake_deps()
    expert = _expert(deps)
    t = builders.training(deps, expert)
    same = trainings.update_training(deps, expert, t.id, {"title": t.title})
    assert same.version == t.version and deps.publisher.published == []
    edited = trainings.update_training(deps, expert, t.id, {"title": "New", "venue": {"city": "Lille"}})
    assert edited.venue.city == "Lille" and edited.venue.institution == t.venue.institution
    assert deps.publisher.published[-1].data["changes"] == ["title", "venue"]


def test_a_published_training_must_stay_in_the_future():
    deps = fake_deps()
    expert = _expert(deps)
    t = builders.training(deps, expert)
    past = deps.clock() - timedelta(days=1)
    with pytest.raises(ValidationError) as bad:
        trainings.update_training(deps, expert, t.id, {"starts_at": past, "ends_at": past + timedelta(hours=2)})
    assert "starts_at" in bad.value.errors


def test_a_concurrent_edit_is_a_conflict():
    deps = fake_deps()
    expert = _expert(deps)
    t = builders.training(deps, expert)
    deps.trainings.replace(builders.moved(t, version=t.version + 1), t.version)  # someone else, meanwhile
    deps.trainings.get = lambda _id: t  # this expert read the old version
    with pytest.raises(Conflict, match="changed meanwhile"):
        trainings.update_training(deps, expert, t.id, {"title": "Mine"})


def test_cancel_records_the_reason_and_a_cancelled_training_is_final():
    deps = fake_deps()
    expert = _expert(deps)
    t = builders.training(deps, expert)
    cancelled = trainings.cancel_training(deps, expert, t.id, "Theatre closed")
    assert cancelled.status is TrainingStatus.CANCELLED
    assert deps.publisher.published[-1].data["reason"] == "Theatre closed"
    with pytest.raises(Conflict):
        trainings.update_training(deps, expert, t.id, {"title": "x"})
    with pytest.raises(Conflict, match="cannot become"):
        trainings.cancel_training(deps, expert, t.id, "again")


def test_complete_only_after_the_end():
    deps = fake_deps()
    expert = _expert(deps)
    t = builders.training(deps, expert, days=1)
    with pytest.raises(Conflict, match="after it ends"):
        trainings.complete_training(deps, expert, t.id)
    deps.clock.advance(days=2)
    assert trainings.complete_training(deps, expert, t.id).status is TrainingStatus.COMPLETED
    assert deps.publisher.published[-1].type == TrainingCompleted.TYPE


def test_a_duplicate_joins_the_series_with_the_same_hours_and_rating():
    deps = fake_deps()
    expert = _expert(deps)
    t = builders.training(deps, expert, rating_average=4.5, rating_count=2)
    deps.trainings.rows[t.id].rating_average, deps.trainings.rows[t.id].rating_count = 4.5, 2
    new_start = t.starts_at + timedelta(days=7)
    copy = trainings.duplicate_training(deps, expert, t.id, new_start, None)
    assert copy.status is TrainingStatus.DRAFT and copy.series_id == t.id and copy.duplicated_from == t.id
    assert copy.ends_at - copy.starts_at == t.ends_at - t.starts_at and copy.rating_average == 4.5


def test_a_duplicate_of_an_undated_training_needs_its_end():
    deps = fake_deps()
    expert = _expert(deps)
    draft = trainings.create_training(deps, expert, {"title": "x"})
    with pytest.raises(ValidationError) as bad:
        trainings.duplicate_training(deps, expert, draft.id, deps.clock() + timedelta(days=3), None)
    assert "ends_at" in bad.value.errors


def test_drafts_are_visible_only_to_their_expert_and_changes_only_by_them():
    deps = fake_deps()
    expert, other = _expert(deps), _expert(deps)
    draft = trainings.create_training(deps, expert, {"title": "x"})
    assert trainings.get_training(deps, draft.id, viewer=expert).id == draft.id
    with pytest.raises(NotFound):
        trainings.get_training(deps, draft.id)
    with pytest.raises(NotFound):
        trainings.get_training(deps, "nope")
    published = builders.training(deps, expert)
    with pytest.raises(Forbidden):
        trainings.cancel_training(deps, other, published.id, "mine now")


def test_my_trainings_lists_drafts_too_newest_first():
    deps = fake_deps()
    expert = _expert(deps)
    first = trainings.create_training(deps, expert, {"title": "a"})
    deps.clock.advance(seconds=1)
    second = builders.training(deps, expert)
    mine, total = trainings.my_trainings(deps, expert, 10, 0)
    assert [t.id for t in mine] == [second.id, first.id] and total == 2
