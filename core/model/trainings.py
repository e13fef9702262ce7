"""One-day trainings at the expert's institution: their lifecycle, venue, and what publishing needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.model.pictures import Picture


class TrainingStatus(StrEnum):
    """Lifecycle of a training."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


TRAINING_TRANSITIONS: dict[TrainingStatus, frozenset[TrainingStatus]] = {
    TrainingStatus.DRAFT: frozenset({TrainingStatus.PUBLISHED, TrainingStatus.CANCELLED}),
    TrainingStatus.PUBLISHED: frozenset({TrainingStatus.CANCELLED, TrainingStatus.COMPLETED}),
    TrainingStatus.CANCELLED: frozenset(),
    TrainingStatus.COMPLETED: frozenset(),
}

# What a published training may no longer change: trainees booked under these terms.
FROZEN_AFTER_PUBLISH = frozenset({"currency", "requires_approval"})


@dataclass
class Venue:
    """Where the training happens: the expert's own institution."""

    institution: str | None = None
    address: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2


@dataclass
class Training:
    """A one-day, hands-on session at the expert's own institution."""

    id: str
    expert_id: str
    title: str
    status: TrainingStatus
    created_at: datetime
    updated_at: datetime
    specialty: str | None = None
    technique: str | None = None
    description: str | None = None
    # The day, step by step: {"start": "08:00", "end": "09:30", "title": ..., "description": ...}
    programme: list[dict[str, str]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # ISO 639-1
    venue: Venue = field(default_factory=Venue)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str | None = None  # IANA, e.g. Europe/Paris: the day is the venue's local day
    capacity: int | None = None
    price: int | None = None  # minor units (cents), as Stripe counts
    currency: str | None = None
    cme_credits: float | None = None
    prerequisites: list[str] = field(default_factory=list)
    # Who the day is for (core.goals.LEVELS: resident, fellow, specialist, senior); empty: any level.
    levels: list[str] = field(default_factory=list)
    follow_up_days: int = 90  # how long after the day its trainees may write to the expert privately
    requires_approval: bool = False
    refund_full_days_before: int = 30  # full refund when cancelled this many days before, none after
    hold_minutes: int = 30
    approval_hours: int = 72  # how long a seat waits for the expert's decision
    cancellation_reason: str | None = None
    duplicated_from: str | None = None
    # The programme this session belongs to (its first session's id): a duplicate joins its
    # original's series, and the sessions of a series share their reviews and rating.
    series_id: str | None = None
    expert_verified: bool = False  # set at publication, which only verified experts reach
    sponsor_ids: list[str] = field(default_factory=list)  # sponsors whose demos the expert accepted
    photos: list[Picture] = field(default_factory=list)  # in the order the expert chose; the first on cards
    # The average of its reviews, and how many: a projection only the reviews write.
    rating_average: float | None = None
    rating_count: int = 0
    # Free seats as the capacity worker last copied them from the seat counter (a projection
    # for searches and lists; the counter itself is the truth).
    seats_left: int | None = None
    version: int = 1

    def missing_for_publication(self, now: datetime) -> dict[str, list[str]]:
        """Every field that stops this training from being published, with why."""
        errors: dict[str, list[str]] = {}

        def problem(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        required: dict[str, Any] = {
            "specialty": self.specialty,
            "technique": self.technique,
            "description": self.description,
            "venue.institution": self.venue.institution,
            "venue.address": self.venue.address,
            "venue.city": self.venue.city,
            "venue.country": self.venue.country,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "timezone": self.timezone,
            "capacity": self.capacity,
            "price": self.price,
            "currency": self.currency,
            "languages": self.languages,
            "programme": self.programme,
        }
        for name, value in required.items():
            if value is None or value == "" or value == []:
                problem(name, "Required to publish.")
        if self.starts_at is not None and self.starts_at <= now:
            problem("starts_at", "Must be in the future.")
        zone = zone_of(self.timezone)
        if self.timezone and zone is None:
            problem("timezone", "Unknown time zone; use an IANA name such as Europe/Paris.")
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                problem("ends_at", "Must be after starts_at.")
            elif zone and self.starts_at.astimezone(zone).date() != self.ends_at.astimezone(zone).date():
                problem("ends_at", "A training lasts one day: it must end on the day it starts.")
        if self.capacity is not None and self.capacity < 1:
            problem("capacity", "Must be at least 1.")
        if self.price is not None and self.price < 0:
            problem("price", "Must be at least 0.")
        for message in self._programme_problems(zone):
            problem("programme", message)
        return errors

    def _programme_problems(self, zone: ZoneInfo | None) -> list[str]:
        problems: list[str] = []
        day_start = day_end = None
        if zone and self.starts_at and self.ends_at:
            day_start = self.starts_at.astimezone(zone).strftime("%H:%M")
            day_end = self.ends_at.astimezone(zone).strftime("%H:%M")
        previous_end = None
        for i, step in enumerate(self.programme, start=1):
            start, end = step.get("start", ""), step.get("end", "")
            if end <= start:
                problems.append(f"Step {i} must end after it starts.")
            if previous_end and start < previous_end:
                problems.append(f"Step {i} starts before step {i - 1} ends.")
            if day_start and day_end and (start < day_start or end > day_end):
                problems.append(f"Step {i} ({start}-{end}) is outside the day ({day_start}-{day_end}).")
            previous_end = end
        return problems

    def local_day(self) -> str | None:
        """The day of the training at the venue, ISO format."""
        zone = zone_of(self.timezone)
        if not self.starts_at:
            return None
        return (self.starts_at.astimezone(zone) if zone else self.starts_at).date().isoformat()


def can_move_training(current: TrainingStatus, target: TrainingStatus) -> bool:
    """Whether the training lifecycle allows ``current -> target``."""
    return target in TRAINING_TRANSITIONS[current]


def zone_of(name: str | None) -> ZoneInfo | None:
    """The IANA time zone of this name, or None if missing or unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
