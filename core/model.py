"""The domain: users, one-day trainings, bookings and the booking state machine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from core.cancellation import RefundTerms


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
    WITHDRAWN = "withdrawn"  # an admin took a verification back, with a reason


# The credential check, as Anastomos onboards mentors: submit, then an admin decides;
# a rejected expert may submit again, and so may one whose verification an admin withdrew.
VERIFICATION_TRANSITIONS: dict[Verification, frozenset[Verification]] = {
    Verification.UNVERIFIED: frozenset({Verification.PENDING}),
    Verification.PENDING: frozenset({Verification.VERIFIED, Verification.REJECTED, Verification.PENDING}),
    Verification.REJECTED: frozenset({Verification.PENDING}),
    Verification.VERIFIED: frozenset({Verification.WITHDRAWN}),
    Verification.WITHDRAWN: frozenset({Verification.PENDING}),
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
    # Experts: the average of their trainings' reviews (a projection the reviews maintain).
    rating_average: float | None = None
    rating_count: int = 0

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


class BookingStatus(StrEnum):
    """Where a booking stands in the saga."""

    REQUESTED = "requested"
    PENDING_APPROVAL = "pending_approval"  # a seat held while the expert decides
    HELD = "held"
    WAITLISTED = "waitlisted"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    CLOSED = "closed"  # the training took place (was completed) with this request still open


# The booking state machine: every transition a worker may make, and no other.
# expired -> confirmed is a late payment that found a free seat again.
TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.REQUESTED: frozenset(
        {BookingStatus.HELD, BookingStatus.PENDING_APPROVAL, BookingStatus.WAITLISTED, BookingStatus.REJECTED}
    ),
    BookingStatus.PENDING_APPROVAL: frozenset(
        {
            BookingStatus.HELD,
            BookingStatus.REJECTED,
            BookingStatus.EXPIRED,
            BookingStatus.CANCELLED,
            BookingStatus.CLOSED,
        }
    ),
    BookingStatus.WAITLISTED: frozenset(
        {BookingStatus.HELD, BookingStatus.PENDING_APPROVAL, BookingStatus.CANCELLED, BookingStatus.CLOSED}
    ),
    BookingStatus.HELD: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.EXPIRED, BookingStatus.CANCELLED, BookingStatus.CLOSED}
    ),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.CANCELLED}),
    BookingStatus.EXPIRED: frozenset({BookingStatus.CONFIRMED}),
    BookingStatus.REJECTED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.CLOSED: frozenset(),
}

ACTIVE_STATUSES = frozenset(
    {
        BookingStatus.REQUESTED,
        BookingStatus.PENDING_APPROVAL,
        BookingStatus.HELD,
        BookingStatus.WAITLISTED,
        BookingStatus.CONFIRMED,
    }
)
# Statuses that occupy a seat.
SEATED_STATUSES = frozenset({BookingStatus.PENDING_APPROVAL, BookingStatus.HELD, BookingStatus.CONFIRMED})
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
    voucher_code: str | None = None
    service_fee: int = 0  # part of ``amount`` that is never refunded (minor units)
    # The refund terms the seat was sold under (None: booked before they were kept; the training's apply).
    refund_terms: RefundTerms | None = None
    cancellation_reason: str | None = None
    cancelled_from: BookingStatus | None = None  # the status it was cancelled in (confirmed: paid, invited)
    closing_reason: str | None = None  # why a booking was closed
    refund_amount: int | None = None
    # Compliance: who paid for a sponsored seat ({"sponsor_id", "company", "sponsorship_id"}).
    sponsored_by: dict[str, Any] | None = None
    attendance: str | None = None  # "present" or "absent", marked by the expert on the day
    attendance_at: datetime | None = None
    payment: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)


class SeatOutcome(StrEnum):
    """What the seat counter answered to a hold request."""

    HELD = "held"
    ALREADY_HELD = "already_held"
    FULL = "full"


def free_seats(capacity: int, holders: int) -> int:
    """Seats nobody holds; never negative, even when a capacity was lowered below the holders."""
    return max(0, capacity - holders)


@dataclass(frozen=True)
class SeatHold:
    """A hold request's outcome, and the seats left free after it (for the catalogue's copy)."""

    outcome: SeatOutcome
    free: int
