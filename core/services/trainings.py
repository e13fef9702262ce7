"""Experts create and publish one-day trainings."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from core.errors import Conflict, Forbidden, NotFound, PublishFailed, ValidationError
from core.model import Role, Training, TrainingStatus, User
from core.services.accounts import require_role
from core.services.deps import Deps
from events.envelope import Event
from events.types import EventType

EDITABLE_FIELDS = (
    "title", "specialty", "description", "institution", "city", "country", "starts_at",
    "ends_at", "timezone", "capacity", "price", "currency", "hold_minutes",
)  # fmt: skip


def create_training(deps: Deps, expert: User, fields: dict[str, Any]) -> Training:
    """A new draft training owned by ``expert``; a draft may still be incomplete."""
    require_role(expert, Role.EXPERT)
    now = deps.clock()
    values = {k: fields[k] for k in EDITABLE_FIELDS if k in fields}
    values.setdefault("hold_minutes", deps.policy.default_hold_minutes)
    training = Training(
        id=str(uuid.uuid4()),
        expert_id=expert.id,
        status=TrainingStatus.DRAFT,
        created_at=now,
        updated_at=now,
        **values,
    )
    _check_times(training)
    deps.trainings.add(training)
    try:
        deps.publisher.publish(_event(deps, EventType.TRAINING_CREATED, training))
    except PublishFailed:
        deps.trainings.remove(training.id)
        raise
    return training


def publish_training(deps: Deps, expert: User, training_id: str) -> Training:
    """Open a complete draft for booking (``training.published``)."""
    require_role(expert, Role.EXPERT)
    training = get_training(deps, training_id, viewer=expert)
    if training.expert_id != expert.id:
        raise Forbidden("Only the training's expert can publish it.")
    if not expert.verified:
        raise Forbidden(
            "Only verified experts can publish: submit your credentials (POST /api/v1/me/credentials) "
            "and wait for an admin's check."
        )
    if training.status is not TrainingStatus.DRAFT:
        raise Conflict(f"A {training.status} training cannot be published.")
    errors = training.missing_for_publication(deps.clock())
    if errors:
        raise ValidationError("The training is not complete enough to publish.", errors)
    published = replace(
        training,
        status=TrainingStatus.PUBLISHED,
        updated_at=deps.clock(),
        version=training.version + 1,
    )
    if not deps.trainings.replace(published, expected_version=training.version):
        raise Conflict("The training changed meanwhile; reload and try again.")
    try:
        deps.publisher.publish(_event(deps, EventType.TRAINING_PUBLISHED, published))
    except PublishFailed:
        deps.trainings.replace(training, expected_version=published.version)
        raise
    return published


def get_training(deps: Deps, training_id: str, viewer: User | None = None) -> Training:
    """A training anyone may see once published; drafts only to their expert."""
    training = deps.trainings.get(training_id)
    if training is None:
        raise NotFound(f"No training {training_id}.")
    if training.status is TrainingStatus.DRAFT and (viewer is None or viewer.id != training.expert_id):
        raise NotFound(f"No training {training_id}.")
    return training


def _check_times(training: Training) -> None:
    if training.starts_at and training.ends_at and training.ends_at <= training.starts_at:
        raise ValidationError("Invalid times.", {"ends_at": ["Must be after starts_at."]})


def _event(deps: Deps, event_type: EventType, training: Training) -> Event:
    return Event(
        type=event_type,
        subject=training.id,
        key=training.id,
        source=deps.policy.source,
        data={
            "training_id": training.id,
            "expert_id": training.expert_id,
            "title": training.title,
            "capacity": training.capacity,
            "price": training.price,
            "currency": training.currency,
            "starts_at": training.starts_at.isoformat() if training.starts_at else None,
            "status": str(training.status),
        },
    )
