"""The domain: users, one-day trainings, bookings and the booking state machine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """What an account may do."""

    TRAINEE = "trainee"
    EXPERT = "expert"
    SPONSOR = "sponsor"
    ADMIN = "admin"


class Verification(StrEnum):
    """Where an expert stands in the credential check (trainees and sponsors: not applicable)."""

    UNVERIFIED = "unverified"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


# The credential check, as Anastomos onboards mentors: submit, then an admin decides;
# a rejected expert may submit again.
VERIFICATION_TRANSITIONS: dict[Verification, frozenset[Verification]] = {
    Verification.UNVERIFIED: frozenset({Verification.PENDING}),
    Verification.PENDING: frozenset({Verification.VERIFIED, Verification.REJECTED, Verification.PENDING}),
    Verification.REJECTED: frozenset({Verification.PENDING}),
    Verification.VERIFIED: frozenset(),
}

PROFILE_FIELDS = ("name", "specialty", "country", "languages", "institution", "title", "bio", "company")


@dataclass
class User:
    """An account with its public profile. Passwords are stored only as a hash."""

    id: str
    email: str
    name: str
    role: Role
    password_hash: str
    created_at: datetime
    specialty: str | None = None
    country: str | None = None
    languages: list[str] = field(default_factory=list)
    institution: str | None = None  # experts
    title: str | None = None  # experts: "Professor of cardiac surgery"
    bio: str | None = None  # experts
    company: str | None = None  # sponsors
    credentials: list[dict[str, Any]] = field(default_factory=list)  # experts
    verification: Verification = Verification.UNVERIFIED
    verification_reason: str | None = None
    verified_at: datetime | None = None

    @property
    def verified(self) -> bool:
        """Whether this is an expert whose credentials an admin checked."""
        return self.role is Role.EXPERT and self.verification is Verification.VERIFIED


class TrainingStatus(StrEnum):
    """Lifecycle of a training."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


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
    description: str | None = None
    institution: str | None = None
    city: str | None = None
    country: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str | None = None
    capacity: int | None = None
    price: int | None = None  # minor units (cents), as Stripe counts
    currency: str | None = None
    hold_minutes: int = 30
    version: int = 1

    def missing_for_publication(self, now: datetime) -> dict[str, list[str]]:
        """Every field that stops this training from being published, with why."""
        errors: dict[str, list[str]] = {}
        required = {
            "specialty": self.specialty,
            "institution": self.institution,
            "city": self.city,
            "country": self.country,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "capacity": self.capacity,
            "price": self.price,
            "currency": self.currency,
        }
        for name, value in required.items():
            if value is None or value == "":
                errors[name] = ["Required to publish."]
        if self.starts_at is not None and self.starts_at <= now:
            errors.setdefault("starts_at", []).append("Must be in the future.")
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                errors.setdefault("ends_at", []).append("Must be after starts_at.")
            elif self.ends_at.date() != self.starts_at.date():
                errors.setdefault("ends_at", []).append("A training lasts one day.")
        if self.capacity is not None and self.capacity < 1:
            errors.setdefault("capacity", []).append("Must be at least 1.")
        if self.price is not None and self.price < 0:
            errors.setdefault("price", []).append("Must be at least 0.")
        return errors


class BookingStatus(StrEnum):
    """Where a booking stands in the saga."""

    REQUESTED = "requested"
    HELD = "held"
    WAITLISTED = "waitlisted"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


# The booking state machine: every transition a worker may make, and no other.
TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.REQUESTED: frozenset({BookingStatus.HELD, BookingStatus.WAITLISTED, BookingStatus.REJECTED}),
    BookingStatus.WAITLISTED: frozenset({BookingStatus.HELD}),
    BookingStatus.HELD: frozenset({BookingStatus.CONFIRMED}),
    BookingStatus.CONFIRMED: frozenset(),
    BookingStatus.REJECTED: frozenset(),
}

ACTIVE_STATUSES = frozenset(
    {BookingStatus.REQUESTED, BookingStatus.HELD, BookingStatus.WAITLISTED, BookingStatus.CONFIRMED}
)
# Active bookings the capacity worker has already decided on.
DECIDED_STATUSES = ACTIVE_STATUSES - {BookingStatus.REQUESTED}


def can_transition(current: BookingStatus, target: BookingStatus) -> bool:
    """Whether the saga allows ``current -> target``."""
    return target in TRANSITIONS[current]


def sources_of(target: BookingStatus) -> frozenset[BookingStatus]:
    """Every status from which ``target`` may be reached: the guard of a transition."""
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


@dataclass
class Booking:
    """A trainee's request for one seat, and everything that happened to it."""

    id: str
    training_id: str
    trainee_id: str
    amount: int
    currency: str
    status: BookingStatus
    requested_at: datetime
    expires_at: datetime | None = None
    waitlist_position: int | None = None
    rejection_reason: str | None = None
    payment: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)


class SeatOutcome(StrEnum):
    """What the seat counter answered to a hold request."""

    HELD = "held"
    ALREADY_HELD = "already_held"
    FULL = "full"
