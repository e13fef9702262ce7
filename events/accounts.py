"""Events of accounts: registrations and experts' verification, keyed by the user."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import fields

from events.base import DomainEvent, wire
from events.types import Topic


@dataclass(frozen=True, kw_only=True)
class UserRegistered(DomainEvent):
    """Someone made an account."""

    TYPE = "user.registered"
    TOPIC = Topic.ACCOUNTS

    user_id: str
    email: str = wire(schema_field=fields.Email(required=True))
    role: str
    name: str

    def key(self) -> str:
        """Keyed by the user: one account's events in order."""
        return self.user_id

    def subject(self) -> str:
        """The user."""
        return self.user_id


@dataclass(frozen=True, kw_only=True)
class ExpertVerification(DomainEvent):
    """An expert's verification changed (shared by the four ``expert.*`` types)."""

    TOPIC = Topic.ACCOUNTS

    expert_id: str
    status: str
    reason: str | None = None
    admin_id: str | None = None

    def key(self) -> str:
        """Keyed by the expert."""
        return self.expert_id

    def subject(self) -> str:
        """The expert."""
        return self.expert_id


@dataclass(frozen=True, kw_only=True)
class ExpertVerificationRequested(ExpertVerification):
    """An expert asked to be verified."""

    TYPE = "expert.verification_requested"


@dataclass(frozen=True, kw_only=True)
class ExpertVerified(ExpertVerification):
    """An admin verified an expert."""

    TYPE = "expert.verified"


@dataclass(frozen=True, kw_only=True)
class ExpertRejected(ExpertVerification):
    """An admin rejected an expert's verification."""

    TYPE = "expert.rejected"


@dataclass(frozen=True, kw_only=True)
class ExpertVerificationWithdrawn(ExpertVerification):
    """An expert's verification was withdrawn."""

    TYPE = "expert.verification_withdrawn"


@dataclass(frozen=True, kw_only=True)
class LearningGoalsSet(DomainEvent):
    """A trainee set (or changed) their learning goals: what recommendations are ranked against."""

    TYPE = "goals.set"
    TOPIC = Topic.ACCOUNTS

    trainee_id: str
    specialties: list[str]
    techniques: list[str]
    level: str | None = None

    def key(self) -> str:
        """Keyed by the trainee: one account's events in order."""
        return self.trainee_id

    def subject(self) -> str:
        """The trainee."""
        return self.trainee_id


@dataclass(frozen=True, kw_only=True)
class AccountEvent(DomainEvent):
    """Something about one account that only its owner is told of (shared by the ``user.*`` types below)."""

    TOPIC = Topic.ACCOUNTS

    user_id: str

    def key(self) -> str:
        """Keyed by the user: one account's events in order."""
        return self.user_id

    def subject(self) -> str:
        """The user."""
        return self.user_id


@dataclass(frozen=True, kw_only=True)
class EmailVerificationRequested(AccountEvent):
    """The person asked for the address-verification link again (the first one follows ``user.registered``)."""

    TYPE = "user.email_verification_requested"


@dataclass(frozen=True, kw_only=True)
class PasswordResetRequested(AccountEvent):
    """Someone asked to reset this account's password. ``nonce`` is not a usable secret by itself: the
    link's signature is added where the e-mail is rendered (core/signed_links.py)."""

    TYPE = "user.password_reset_requested"

    nonce: str
    expires_at: str  # UTC ISO-8601: the link stops working then


@dataclass(frozen=True, kw_only=True)
class AccountClosed(AccountEvent):
    """The owner closed the account: its personal data is erased, what accounting needs is kept nameless."""

    TYPE = "user.closed"
