"""Accounts: who may do what, and where an expert stands in the credential check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.model.pictures import Picture


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

PROFILE_FIELDS = (
    "name", "specialty", "country", "languages", "institution", "title", "bio", "company", "locale",
)  # fmt: skip
# The languages the site speaks to people in (pages, e-mails, certificates); the first is the default.
UI_LANGUAGES = ("en", "fr")


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
    # The roles this account had before (a trainee who applied to teach): its history stays its own.
    former_roles: list[str] = field(default_factory=list)
    # The language the person reads the site, e-mails and certificates in (one of UI_LANGUAGES);
    # None until chosen: pages follow the browser's Accept-Language, e-mails the default.
    locale: str | None = None
    portrait: Picture | None = None  # experts: shown on their page, their trainings' pages and lists

    @property
    def trained_here(self) -> bool:
        """Whether this account books (or booked, before it came to teach) trainings: it has a trainee's history."""
        return self.role is Role.TRAINEE or str(Role.TRAINEE) in self.former_roles

    @property
    def verified(self) -> bool:
        """Whether this is an expert whose credentials an admin checked."""
        return self.role is Role.EXPERT and self.verification is Verification.VERIFIED
