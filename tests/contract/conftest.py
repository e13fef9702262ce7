"""The contract fixture: the same cases against the MongoDB adapters on the real embedded
server and against the in-memory fakes of ``tests.fakes``. Where they disagree, the adapter
is the reference and the fake is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from adapters.mongo import MongoProcessedEvents, MongoRateLimits, MongoSessions, MongoUsers
from adapters.mongo_alerts import MongoAlertMatches, MongoAlerts
from adapters.mongo_assessments import MongoAssessments, MongoFollowUps
from adapters.mongo_bookings import MongoBookings
from adapters.mongo_catalogue import MongoTrainings
from adapters.mongo_deferred import MongoDeferredEvents
from adapters.mongo_goals import MongoGoals
from adapters.mongo_ledger import MongoLedger
from adapters.mongo_notifications import MongoInbox, MongoOutbox
from adapters.mongo_pending import MongoPendingEvents
from adapters.mongo_resets import MongoPasswordResets
from adapters.mongo_sponsors import MongoVouchers
from core import ports as p
from tests import fakes


@dataclass
class Ports:
    """One implementation of each port under contract, sharing one store as the application's do."""

    kind: str
    bookings: p.Bookings
    users: p.Users
    sessions: p.Sessions
    trainings: p.Trainings
    inbox: p.Inbox
    outbox: p.Outbox
    processed: p.ProcessedEvents
    vouchers: p.Vouchers
    ledger: p.Ledger
    rate_limits: p.RateLimits
    pending_events: p.PendingEvents
    deferred: p.DeferredEvents
    goals: p.Goals
    assessments: p.Assessments
    alerts: p.Alerts
    alert_matches: p.AlertMatches
    follow_ups: p.FollowUps
    password_resets: p.PasswordResets


def mongo_ports(db: Any) -> Ports:
    """The MongoDB adapters on one database."""
    return Ports("mongo", MongoBookings(db), MongoUsers(db), MongoSessions(db), MongoTrainings(db), MongoInbox(db),
                 MongoOutbox(db), MongoProcessedEvents(db), MongoVouchers(db), MongoLedger(db), MongoRateLimits(db),
                 MongoPendingEvents(db), MongoDeferredEvents(db), MongoGoals(db),
                 MongoAssessments(db), MongoAlerts(db), MongoAlertMatches(db),
                 MongoFollowUps(db), MongoPasswordResets(db))  # fmt: skip


def fake_ports() -> Ports:
    """The fakes, wired as ``fake_deps`` wires them (users and trainings keep their events in one place)."""
    pending = fakes.FakePendingEvents()
    return Ports("fake", fakes.FakeBookings(), fakes.FakeUsers(pending), fakes.FakeSessions(),
                 fakes.FakeTrainings(pending), fakes.FakeInbox(), fakes.FakeOutbox(), fakes.FakeProcessedEvents(),
                 fakes.FakeVouchers(), fakes.FakeLedger(), fakes.FakeRateLimits(), pending,
                 fakes.FakeDeferredEvents(), fakes.FakeGoals(pending),
                 fakes.FakeAssessments(pending), fakes.FakeAlerts(), fakes.FakeAlertMatches(),
                 fakes.FakeFollowUps(pending), fakes.FakePasswordResets())  # fmt: skip


@pytest.fixture(params=["mongo", "fake"])
def ports(request: pytest.FixtureRequest) -> Ports:
    """Each case once against MongoDB (a fresh database) and once against the fakes."""
    if request.param == "mongo":
        return mongo_ports(request.getfixturevalue("database"))
    return fake_ports()
