"""Experts' one-day trainings: draft, edit, publish, cancel, complete, duplicate.

Every change is stored, then announced (``training.*``); if the broker does not take
the event the stored change is rolled back, so nothing is half-written.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from core.errors import Conflict, Forbidden, NotFound, ValidationError
from core.model import (
    FROZEN_AFTER_PUBLISH,
    Role,
    Training,
    TrainingStatus,
    User,
    Venue,
    can_move_training,
)
from core.services.accounts import require_role
from core.services.announce import announce
from core.services.deps import Deps
from core.words import N_, Worded
from events import (
    TrainingCancelled,
    TrainingChanged,
    TrainingCompleted,
    TrainingCreated,
    TrainingPublished,
    TrainingUpdated,
)
from events.envelope import Event, new_event

EDITABLE_FIELDS = (
    "title", "specialty", "technique", "description", "programme", "languages", "venue", "starts_at",
    "ends_at", "timezone", "capacity", "price", "currency", "cme_credits", "prerequisites",
    "levels", "follow_up_days", "requires_approval", "refund_full_days_before", "hold_minutes", "approval_hours",
)  # fmt: skip


def create_training(
    deps: Deps, expert: User, fields: dict[str, Any], duplicated_from: Training | None = None
) -> Training:
    """A new draft owned by ``expert``; a draft may still be incomplete. A duplicate joins its original's series."""
    require_role(expert, Role.EXPERT)
    now = deps.clock()
    values = _values(fields)
    values.setdefault("hold_minutes", deps.policy.default_hold_minutes)
    training_id = str(uuid.uuid4())
    series_id = training_id
    if duplicated_from is not None:  # the new session shows the programme's rating from the start
        series_id = duplicated_from.series_id or duplicated_from.id
        values.update(rating_average=duplicated_from.rating_average, rating_count=duplicated_from.rating_count)
    training = Training(
        id=training_id, expert_id=expert.id, status=TrainingStatus.DRAFT, created_at=now, updated_at=now,
        duplicated_from=duplicated_from.id if duplicated_from else None, series_id=series_id, **values,
    )  # fmt: skip
    _check_times(training)
    deps.trainings.add(training, announcing=_event(deps, TrainingCreated, training))
    announce(deps, "trainings", training.id)
    return training


def update_training(deps: Deps, expert: User, training_id: str, fields: dict[str, Any]) -> Training:
    """Edit a training: a draft freely; a published one within the rules that protect bookings."""
    training = _own(deps, expert, training_id)
    if training.status not in (TrainingStatus.DRAFT, TrainingStatus.PUBLISHED):
        raise Conflict(Worded(N_("A %(status)s training can no longer be edited."), status=training.status))
    values = _values(fields, current=training)
    if training.status is TrainingStatus.PUBLISHED:
        frozen = {k: [N_("Cannot change once published.")] for k in values if k in FROZEN_AFTER_PUBLISH}
        if frozen:
            raise ValidationError(N_("Some fields are fixed once the training is published."), frozen)
        if "capacity" in values:
            taken = _seats_taken(deps, training)
            if values["capacity"] < taken:
                raise Conflict(
                    N_("Capacity cannot fall below the seats already taken."),
                    {"capacity": [f"At least {taken}: {taken} seats are held or confirmed."]},
                )
    changed = {k: v for k, v in values.items() if getattr(training, k) != v}
    if not changed:
        return training
    updated = replace(training, **changed, updated_at=deps.clock(), version=training.version + 1)
    _check_times(updated)
    if updated.status is TrainingStatus.PUBLISHED:
        errors = updated.missing_for_publication(deps.clock())
        if errors:
            raise ValidationError(N_("A published training must stay complete and in the future."), errors)
    return _store_and_announce(deps, training, updated, TrainingUpdated, sorted(changed))


def publish_training(deps: Deps, expert: User, training_id: str) -> Training:
    """Open a complete draft for booking (``training.published``); verified experts only."""
    require_role(expert, Role.EXPERT)
    if not expert.verified:
        raise Forbidden(
            N_(
                "Only verified experts can publish: submit your credentials (POST /api/v1/me/credentials) "
                "and wait for an admin's check."
            )
        )
    training = _own(deps, expert, training_id)
    _check_move(training, TrainingStatus.PUBLISHED)
    errors = training.missing_for_publication(deps.clock())
    if errors:
        raise ValidationError(N_("The training is not complete enough to publish."), errors)
    published = replace(
        training, status=TrainingStatus.PUBLISHED, expert_verified=True, updated_at=deps.clock(),
        version=training.version + 1,
    )  # fmt: skip
    return _store_and_announce(deps, training, published, TrainingPublished)


def cancel_training(deps: Deps, expert: User, training_id: str, reason: str) -> Training:
    """Cancel a draft or a published training, with the reason trainees will read."""
    training = _own(deps, expert, training_id)
    _check_move(training, TrainingStatus.CANCELLED)
    cancelled = replace(
        training, status=TrainingStatus.CANCELLED, cancellation_reason=reason, updated_at=deps.clock(),
        version=training.version + 1,
    )  # fmt: skip
    return _store_and_announce(deps, training, cancelled, TrainingCancelled)


def complete_training(deps: Deps, expert: User, training_id: str) -> Training:
    """Mark a published training as held, once its day is over (``training.completed``)."""
    training = _own(deps, expert, training_id)
    _check_move(training, TrainingStatus.COMPLETED)
    if training.ends_at is None or training.ends_at > deps.clock():
        raise Conflict(N_("A training can be completed only after it ends."))
    return complete(deps, training)


def complete(deps: Deps, training: Training) -> Training:
    """Move an ended training to ``completed`` (by its expert, or by the sweep after the day)."""
    done = replace(training, status=TrainingStatus.COMPLETED, updated_at=deps.clock(), version=training.version + 1)
    return _store_and_announce(deps, training, done, TrainingCompleted)


def duplicate_training(
    deps: Deps, expert: User, training_id: str, starts_at: datetime, ends_at: datetime | None
) -> Training:
    """A new draft copying a training of the caller's to a new date (same hours if no end given)."""
    source = _own(deps, expert, training_id)
    if ends_at is None:
        if source.starts_at is None or source.ends_at is None:
            raise ValidationError("Give ends_at: the original has no times.", {"ends_at": ["Required."]})
        ends_at = starts_at + (source.ends_at - source.starts_at)
    fields = {k: getattr(source, k) for k in EDITABLE_FIELDS}
    fields.update(starts_at=starts_at, ends_at=ends_at, venue=asdict(source.venue))
    return create_training(deps, expert, fields, duplicated_from=source)


def get_training(deps: Deps, training_id: str, viewer: User | None = None) -> Training:
    """A training anyone may see once published; drafts only to their expert."""
    training = deps.trainings.get(training_id)
    if training is None:
        raise NotFound(Worded(N_("No training %(id)s."), id=training_id))
    if training.status is TrainingStatus.DRAFT and (viewer is None or viewer.id != training.expert_id):
        raise NotFound(Worded(N_("No training %(id)s."), id=training_id))
    return training


def my_trainings(deps: Deps, expert: User, limit: int, offset: int) -> tuple[list[Training], int]:
    """The expert's own trainings, drafts included, newest first."""
    require_role(expert, Role.EXPERT)
    return deps.trainings.by_expert(expert.id, limit, offset)


def own_training(deps: Deps, expert: User, training_id: str) -> Training:
    """The training if ``expert`` is its expert (``Forbidden`` for another, ``NotFound`` if none)."""
    return _own(deps, expert, training_id)


def store_edit(deps: Deps, before: Training, after: Training, changes: list[str]) -> Training:
    """Store an edit made by another use case (the photos) as every edit is: guarded by the
    version it was made from, with its ``training.updated``; ``Conflict`` if it changed meanwhile."""
    edited = replace(after, updated_at=deps.clock(), version=before.version + 1)
    return _store_and_announce(deps, before, edited, TrainingUpdated, changes)


def _own(deps: Deps, expert: User, training_id: str) -> Training:
    require_role(expert, Role.EXPERT)
    training = get_training(deps, training_id, viewer=expert)
    if training.expert_id != expert.id:
        raise Forbidden(N_("Only the training's own expert can change it."))
    return training


def _check_move(training: Training, target: TrainingStatus) -> None:
    if not can_move_training(training.status, target):
        raise Conflict(
            Worded(N_("A %(status)s training cannot become %(target)s."), status=training.status, target=target)
        )


def _seats_taken(deps: Deps, training: Training) -> int:
    ledger = deps.seats.load(training.id)
    return len(ledger.holders) if ledger else 0


def _values(fields: dict[str, Any], current: Training | None = None) -> dict[str, Any]:
    values = {k: fields[k] for k in EDITABLE_FIELDS if k in fields}
    if "venue" in values:
        # A partial venue updates only what it names.
        base = asdict(current.venue) if current else {}
        values["venue"] = Venue(**{**base, **(values["venue"] or {})})
    return values


def _check_times(training: Training) -> None:
    if training.starts_at and training.ends_at and training.ends_at <= training.starts_at:
        raise ValidationError(N_("Invalid times."), {"ends_at": [N_("Must be after starts_at.")]})


def _store_and_announce(
    deps: Deps, before: Training, after: Training, kind: type[TrainingChanged], changes: list[str] | None = None
) -> Training:
    event = _event(deps, kind, after, changes)
    if not deps.trainings.replace(after, expected_version=before.version, announcing=event):
        raise Conflict(N_("The training changed meanwhile; reload and try again."))
    announce(deps, "trainings", after.id)
    return after


def _event(deps: Deps, kind: type[TrainingChanged], training: Training, changes: list[str] | None = None) -> Event:
    changed = kind(
        training_id=training.id,
        expert_id=training.expert_id,
        title=training.title,
        capacity=training.capacity,
        price=training.price,
        currency=training.currency,
        starts_at=training.starts_at.isoformat() if training.starts_at else None,
        status=str(training.status),
        changes=changes,
        reason=training.cancellation_reason or None,
    )
    return new_event(changed, deps.policy.source)
