"""In-memory fakes of every port, faithful to what the MongoDB adapters do, and ``fake_deps``.

Each fake keeps its rows in plain attributes (``rows``, ``published``, ``sent``...) that a test
reads to check what was written. Repositories that store events with their documents
(``announcing=``) share one ``FakePendingEvents``, so ``announce`` publishes them as it does
against MongoDB.
"""

from __future__ import annotations

from typing import Any

from adapters import l10n
from core.services.deps import Deps, Policy
from tests.fakes.accounts import FakeHasher, FakeRateLimits, FakeSessions, FakeUsers
from tests.fakes.alerts import FakeAlertMatches, FakeAlerts
from tests.fakes.assessments import FakeAssessments, FakeFollowUps
from tests.fakes.bookings import FakeBookings
from tests.fakes.catalogue import FakeTrainings
from tests.fakes.goals import FakeGoals
from tests.fakes.messaging import (
    FakeClock,
    FakeDeferredEvents,
    FakePendingEvents,
    FakeProcessedEvents,
    FakeProviderEvents,
    RecordingPublisher,
)
from tests.fakes.notifications import FakeInbox, FakeMailer, FakeOutbox, FakePreferences, FakeRenderer
from tests.fakes.payments import DECLINED, SIGNATURE, FakeGateway, FakeLedger, webhook
from tests.fakes.pictures import FakeImageEncoder, FakeMedia
from tests.fakes.questions import FakeQuestions
from tests.fakes.records import FakeCertificateRenderer, FakeCertificates, FakePortfolioRenderer, FakeReviews
from tests.fakes.seats import FakeSeats
from tests.fakes.sponsors import FakeDemos, FakeSponsorships, FakeVouchers

__all__ = [
    "FakeAlertMatches",
    "FakeAlerts",
    "FakeAssessments",
    "DECLINED",
    "SIGNATURE",
    "FakeBookings",
    "FakeCertificateRenderer",
    "FakeCertificates",
    "FakeClock",
    "FakeDeferredEvents",
    "FakeDemos",
    "FakeFollowUps",
    "FakeGateway",
    "FakeGoals",
    "FakeHasher",
    "FakeImageEncoder",
    "FakeInbox",
    "FakeLedger",
    "FakeMailer",
    "FakeMedia",
    "FakeOutbox",
    "FakePendingEvents",
    "FakePortfolioRenderer",
    "FakePreferences",
    "FakeProcessedEvents",
    "FakeProviderEvents",
    "FakeQuestions",
    "FakeRateLimits",
    "FakeRenderer",
    "FakeReviews",
    "FakeSeats",
    "FakeSessions",
    "FakeSponsorships",
    "FakeTrainings",
    "FakeUsers",
    "FakeVouchers",
    "RecordingPublisher",
    "fake_deps",
    "webhook",
]


def fake_deps(**overrides: Any) -> Deps:
    """Every port faked and wired together, with a default ``Policy`` and a ``FakeClock``.

    ``overrides`` replace any field of ``Deps`` by name (``policy=Policy(...)``, ``clock=...``).
    """
    pending = overrides.pop("pending_events", None) or FakePendingEvents()
    clock = overrides.pop("clock", None) or FakeClock()
    users = overrides.pop("users", None) or FakeUsers(pending)
    trainings = overrides.pop("trainings", None) or FakeTrainings(pending)
    parts: dict[str, Any] = {
        "publisher": RecordingPublisher(),
        "pending_events": pending,
        "users": users,
        "sessions": FakeSessions(),
        "trainings": trainings,
        "bookings": FakeBookings(),
        "seats": FakeSeats(),
        "payments": FakeGateway(clock=clock),
        "provider_events": FakeProviderEvents(),
        "inbox": FakeInbox(),
        "mailer": FakeMailer(),
        "outbox": FakeOutbox(),
        "preferences": FakePreferences(),
        "renderer": FakeRenderer(),
        "wordings": l10n.wording,  # the real one: Babel and the catalogue, no infrastructure
        "ledger": FakeLedger(),
        "processed": FakeProcessedEvents(),
        "deferred": FakeDeferredEvents(),
        "demos": FakeDemos(pending),
        "sponsorships": FakeSponsorships(pending),
        "vouchers": FakeVouchers(),
        "certificates": FakeCertificates(),
        "certificate_renderer": FakeCertificateRenderer(),
        "portfolio_renderer": FakePortfolioRenderer(),
        "reviews": FakeReviews(pending, trainings, users),
        "goals": FakeGoals(pending),
        "assessments": FakeAssessments(pending),
        "follow_ups": FakeFollowUps(pending),
        "alerts": FakeAlerts(),
        "alert_matches": FakeAlertMatches(),
        "questions": FakeQuestions(pending),
        "rate_limits": FakeRateLimits(),
        "images": FakeImageEncoder(),
        "media": FakeMedia(),
        "hasher": FakeHasher(),
        "policy": Policy(),
        "clock": clock,
    }
    parts.update(overrides)
    return Deps(**parts)
