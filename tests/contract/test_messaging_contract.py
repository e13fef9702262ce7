"""Contract of ``ProcessedEvents`` and ``PendingEvents`` (the events stored with the change they announce)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from core.model import Role, Training, TrainingStatus, User
from events import TrainingCreated, TrainingUpdated, UserRegistered
from events.envelope import Event
from tests.contract.conftest import Ports

NOW = datetime.now(UTC).replace(microsecond=0)


def _event(event_type: str, subject: str, at: datetime) -> Event:
    return Event(type=event_type, subject=subject, data={"id": subject}, key=subject,
                 time=at.isoformat().replace("+00:00", "Z"))  # fmt: skip


def test_processed_events_are_remembered_per_group(ports: Ports) -> None:
    assert ports.processed.seen("capacity", "e1") is False
    ports.processed.mark_many("capacity", ["e1", "e2"], NOW)
    ports.processed.mark_many("capacity", ["e2", "e3"], NOW)  # a marker already there is kept
    assert ports.processed.seen("capacity", "e1") is True
    assert ports.processed.seen("payments", "e1") is False
    assert ports.processed.seen_many("capacity", ["e1", "e3", "e4"]) == {"e1", "e3"}
    assert ports.processed.seen_many("payments", ["e1"]) == set()


def test_an_announced_change_keeps_its_events_until_they_are_sent(ports: Ports) -> None:
    registered = _event(UserRegistered.TYPE, "ann", NOW - timedelta(minutes=2))
    user = User(id="ann", email="ann@example.org", name="Ann", role=Role.TRAINEE, password_hash="h", created_at=NOW)
    ports.users.add(user, announcing=registered)
    created = _event(TrainingCreated.TYPE, "t1", NOW - timedelta(minutes=1))
    training = Training(id="t1", expert_id="bob", title="Course", status=TrainingStatus.DRAFT, created_at=NOW,
                        updated_at=NOW)  # fmt: skip
    ports.trainings.add(training, announcing=created)
    updated = _event(TrainingUpdated.TYPE, "t1", NOW)
    assert ports.trainings.replace(dataclasses.replace(training, title="Renamed", version=2), 1, announcing=updated)

    assert ports.pending_events.of("users", "ann") == [registered]
    assert ports.pending_events.of("trainings", "t1") == [created, updated]
    assert ports.pending_events.of("trainings", "nothing") == []
    assert sorted(ports.pending_events.due(NOW + timedelta(seconds=1), 10)) == [("trainings", "t1"), ("users", "ann")]
    assert ports.pending_events.due(NOW - timedelta(minutes=5), 10) == []
    assert len(ports.pending_events.due(NOW + timedelta(seconds=1), 1)) == 1

    ports.pending_events.sent("trainings", "t1", [created.id])
    assert ports.pending_events.of("trainings", "t1") == [updated]
    ports.pending_events.sent("trainings", "t1", [updated.id])
    ports.pending_events.sent("users", "ann", [registered.id])
    assert ports.pending_events.due(NOW + timedelta(seconds=1), 10) == []
    with pytest.raises(ValueError):
        ports.pending_events.of("bookings", "b1")


def test_deferred_events_come_back_oldest_first_once_each_per_group(ports: Ports) -> None:
    from events import BookingWaitlisted

    def waitlisted(i: int) -> Event:
        data = {"booking_id": f"b{i}", "training_id": "t1", "trainee_id": f"u{i}", "position": i}
        return Event(type=BookingWaitlisted.TYPE, subject=f"b{i}", data=data, key="t1")

    first, second, third = waitlisted(1), waitlisted(2), waitlisted(3)
    ports.deferred.defer("notifications", [first, second], NOW)
    ports.deferred.defer("notifications", [second, third], NOW + timedelta(seconds=1))  # second kept once
    ports.deferred.defer("other", [third], NOW)
    due = ports.deferred.due("notifications", 10)
    assert [e.id for e in due] == [first.id, second.id, third.id]
    assert due[0] == first  # as it travelled
    assert [e.id for e in ports.deferred.due("notifications", 2)] == [first.id, second.id]
    ports.deferred.done("notifications", [first.id, second.id])
    assert [e.id for e in ports.deferred.due("notifications", 10)] == [third.id]
    assert [e.id for e in ports.deferred.due("other", 10)] == [third.id]
