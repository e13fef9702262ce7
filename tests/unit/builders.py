"""Domain objects for unit tests, stored straight into the fakes of ``fake_deps``; dates from the deps' clock."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from core.model import Booking, BookingStatus, Role, Training, TrainingStatus, User, Venue, Verification
from core.services.deps import Deps


def user(deps: Deps, role: Role = Role.TRAINEE, name: str = "Anna Kowalska", **fields: Any) -> User:
    """A stored account whose address is verified (``email_verified_at=None``: not yet), experts verified
    unless ``verification=`` says otherwise."""
    if role is Role.EXPERT:
        fields.setdefault("verification", Verification.VERIFIED)
    fields.setdefault("email_verified_at", deps.clock())
    uid = fields.pop("id", f"{role}-{uuid.uuid4().hex[:8]}")
    made = User(id=uid, email=f"{uid}@example.org", name=name, role=role, password_hash="hashed:pw",
                created_at=deps.clock(), **fields)  # fmt: skip
    deps.users.add(made)
    return made


def day_at(deps: Deps, days: int, hour: int) -> datetime:
    """``hour`` o'clock UTC, ``days`` days from the deps' clock."""
    return (deps.clock() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def complete_fields(deps: Deps, days: int = 40) -> dict[str, Any]:
    """Every field a publishable training needs, one day ``days`` days ahead, 08:00-16:00 UTC."""
    return {
        "title": "Hands-on mitral valve repair", "specialty": "Cardiac surgery", "technique": "Valve repair",
        "description": "A day in the wet lab.", "languages": ["en"], "timezone": "UTC",
        "venue": {"institution": "Hôpital Européen", "address": "20 rue Leblanc", "city": "Paris", "country": "FR"},
        "starts_at": day_at(deps, days, 8), "ends_at": day_at(deps, days, 16), "capacity": 4, "price": 50_000,
        "currency": "eur", "programme": [{"start": "08:00", "end": "12:00", "title": "Wet lab"}],
    }  # fmt: skip


def training(
    deps: Deps, expert: User, status: TrainingStatus = TrainingStatus.PUBLISHED, days: int = 40, **fields: Any
) -> Training:
    """A stored, complete training of ``expert`` (published unless told)."""
    values = {**complete_fields(deps, days), **fields}
    values["venue"] = Venue(**values["venue"]) if isinstance(values["venue"], dict) else values["venue"]
    tid = values.pop("id", f"tr-{uuid.uuid4().hex[:8]}")
    made = Training(id=tid, expert_id=expert.id, status=status, created_at=deps.clock(), updated_at=deps.clock(),
                    expert_verified=expert.verified, **values)  # fmt: skip
    deps.trainings.add(made)
    stored = deps.trainings.get(tid)
    assert stored is not None
    return stored


def booking(
    deps: Deps, on: Training, trainee: User, status: BookingStatus = BookingStatus.CONFIRMED, **fields: Any
) -> Booking:
    """A stored booking of ``trainee`` on ``on``, in ``status``."""
    made = Booking(id=fields.pop("id", f"bk-{uuid.uuid4().hex[:8]}"), training_id=on.id, trainee_id=trainee.id,
                   amount=fields.pop("amount", on.price or 0), currency=on.currency or "eur", status=status,
                   requested_at=deps.clock(), **fields)  # fmt: skip
    return deps.bookings.add_requested(made)


def moved(t: Training, **changes: Any) -> Training:
    """A copy of ``t`` with ``changes`` (for ``trainings.replace`` in a test's setup)."""
    return replace(t, **changes)
