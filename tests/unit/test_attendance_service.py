"""The roll call: who may mark whom, when, and the completion of finished trainings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Conflict, NotFound
from core.model import BookingStatus, Role, TrainingStatus
from core.services import attendance
from events import AttendanceRecorded
from tests.fakes import fake_deps
from tests.unit import builders


def _day(**kw):
    deps = fake_deps()
    expert, trainee = builders.user(deps, Role.EXPERT), builders.user(deps)
    t = builders.training(deps, expert, days=2, timezone="Europe/Paris", **kw)
    b = builders.booking(deps, t, trainee)
    return deps, expert, trainee, t, b


def test_the_roll_call_opens_at_the_start_of_the_venues_day():
    deps, expert, _, t, b = _day()
    assert attendance.opens_at(t).tzinfo is not None and attendance.opens_at(t).hour == 0
    with pytest.raises(Conflict, match="opens on the day"):
        attendance.record_attendance(deps, expert, b.id, True)
    deps.clock.now = t.starts_at
    marked = attendance.record_attendance(deps, expert, b.id, True)
    assert marked.attendance == "present" and marked.attendance_at == deps.clock()
    [event] = deps.publisher.published
    assert event.type == AttendanceRecorded.TYPE and event.data["present"] is True
    assert attendance.record_attendance(deps, expert, b.id, False).attendance == "absent"


def test_only_confirmed_trainees_and_only_while_published():
    deps, expert, trainee, t, b = _day()
    deps.clock.now = t.starts_at
    held = builders.booking(deps, t, builders.user(deps), BookingStatus.HELD)
    with pytest.raises(Conflict, match="held"):
        attendance.record_attendance(deps, expert, held.id, True)
    deps.trainings.rows[t.id].status = TrainingStatus.COMPLETED
    with pytest.raises(Conflict, match="closed"):
        attendance.record_attendance(deps, expert, b.id, True)
    assert deps.publisher.published == []


def test_another_expert_sees_no_such_booking_nor_training():
    deps, expert, _, t, b = _day()
    other = builders.user(deps, Role.EXPERT)
    with pytest.raises(NotFound):
        attendance.record_attendance(deps, other, b.id, True)
    with pytest.raises(NotFound):
        attendance.roll_call(deps, other, t.id)


def test_the_roll_call_lists_confirmed_trainees_only():
    deps, expert, trainee, t, b = _day()
    builders.booking(deps, t, builders.user(deps), BookingStatus.WAITLISTED)
    training, rows = attendance.roll_call(deps, expert, t.id)
    assert training.id == t.id and [(bk.id, person.id) for bk, person in rows] == [(b.id, trainee.id)]


def test_trainings_are_completed_once_their_day_and_grace_are_over():
    deps, expert, _, t, _ = _day()
    deps.clock.now = t.ends_at + attendance.GRACE - timedelta(minutes=1)
    assert attendance.complete_finished_trainings(deps) == 0
    deps.clock.advance(minutes=2)
    assert attendance.complete_finished_trainings(deps) == 1
    assert deps.trainings.get(t.id).status is TrainingStatus.COMPLETED
    assert deps.publisher.types() == ["training.completed"]
    assert attendance.complete_finished_trainings(deps) == 0
