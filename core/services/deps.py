"""The dependencies a use case may take, registered once by the bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from core import ports
from core.fees import FeePolicy
from core.model import Booking
from core.services.limits import Limit


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str:
        """A salted hash of the password."""

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether the password matches the hash."""


Clock = Callable[[], datetime]  # what a handler asks for as ``clock``


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Policy:
    """Business settings that a deployment may tune."""

    token_ttl_seconds: int = 12 * 3600
    default_hold_minutes: int = 30
    public_base_url: str = "http://127.0.0.1:8000"
    source: str = "marketplace"
    fees: FeePolicy = field(default_factory=FeePolicy)
    reminder_hours: int = 24  # how long before a training its trainees are reminded
    marketplace_name: str = "The in-situ training marketplace"
    organizer_email: str = "no-reply@marketplace.local"  # the ORGANIZER of calendar invitations
    calendar_domain: str = "marketplace.local"  # the right-hand side of invitation UIDs
    certificate_key: bytes = field(default=b"dev-only-certificate-key-change-me", repr=False)
    link_key: bytes = field(default=b"dev-only-web-secret-change-me", repr=False)  # signs unsubscribe links
    # Guessing passwords: every attempt on one account, and failures from one client address.
    logins_per_account: Limit = Limit(10, 60)
    failed_logins_per_client: Limit = Limit(30, 600)
    bookings_per_trainee: Limit = Limit(20, 60)
    messages_per_user: Limit = Limit(30, 3600)  # follow-up messages, per author and hour
    questions_per_trainee: Limit = Limit(10, 3600)  # questions to experts before booking


@dataclass
class Deps:
    """Every port a use case may need; each caller uses what it needs."""

    publisher: ports.EventPublisher
    pending_events: ports.PendingEvents
    users: ports.Users
    sessions: ports.Sessions
    trainings: ports.Trainings
    bookings: ports.Bookings
    seats: ports.Seats
    payments: ports.PaymentGateway
    provider_events: ports.ProviderEvents
    inbox: ports.Inbox
    mailer: ports.Mailer
    outbox: ports.Outbox
    preferences: ports.NotificationPreferences
    renderer: ports.EmailRenderer
    wordings: ports.Wordings  # each reader's language, for the notifications, e-mails and PDFs
    ledger: ports.Ledger
    processed: ports.ProcessedEvents
    deferred: ports.DeferredEvents
    demos: ports.Demos
    sponsorships: ports.Sponsorships
    vouchers: ports.Vouchers
    certificates: ports.Certificates
    certificate_renderer: ports.CertificateRenderer
    portfolio_renderer: ports.PortfolioRenderer
    reviews: ports.Reviews
    goals: ports.Goals
    assessments: ports.Assessments
    follow_ups: ports.FollowUps
    alerts: ports.Alerts
    alert_matches: ports.AlertMatches
    questions: ports.Questions
    rate_limits: ports.RateLimits
    images: ports.ImageEncoder
    media: ports.MediaStore
    hasher: PasswordHasher
    policy: Policy
    clock: Clock = utc_now
    # The API's: decisions of the requests it waits for (``Prefer: wait``); none elsewhere.
    outcomes: ports.Outcomes = field(default_factory=lambda: NoOutcomes())
    # The catalogue in memory, where a process serves searches (the API); None: searches ask ``trainings``.
    catalogue: ports.Catalogue | None = None
    # name -> probe answering whether that backing service is reachable now
    health_checks: dict[str, Callable[[], bool]] = field(default_factory=dict)


class NoOutcomes:
    """No decision is ever waited for: a request answers at once (workers, tools, unit tests)."""

    def start(self) -> None:
        """Nothing to read."""

    def expect(self, booking_id: str) -> None:
        """Nothing to listen to."""

    def wait(self, booking_id: str, timeout_s: float, accepted: Booking) -> bool:
        """Never decided here."""
        return False

    def undecided(self, booking_id: str) -> Booking | None:
        """Always read from the store."""
        return None
