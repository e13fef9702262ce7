"""Experts who approve each trainee, the day-before reminders and the catalogue search."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Conflict, Forbidden, NotFound
from core.model import BookingStatus, Role
from core.services import approvals, catalogue, reminders
from events import BookingApprovalDecided, TrainingReminderDue
from events.envelope import derived_id
from tests.fakes import fake_deps
from tests.unit import builders


def _waiting():
    deps = fake_deps()
    expert, trainee = builders.user(deps, Role.EXPERT), builders.user(deps)
    t = builders.training(deps, expert, requires_approval=True)
    b = builders.booking(deps, t, trainee, BookingStatus.PENDING_APPROVAL)
    return deps, expert, trainee, t, b


def test_pending_requests_come_with_the_trainees_profile():
    deps, expert, trainee, _, b = _waiting()
    [(booking, person)] = approvals.pending_requests(deps, expert)
    assert booking.id == b.id and person.id == trainee.id


def test_a_decision_is_published_for_the_capacity_worker_and_changes_nothing_here():
    deps, expert, trainee, t, b = _waiting()
    approvals.decide(deps, expert, b.id, approved=False, reason="Needs more experience")
    [event] = deps.publisher.published
    assert event.type == BookingApprovalDecided.TYPE and event.key == t.id
    assert event.data == {"booking_id": b.id, "training_id": t.id, "trainee_id": trainee.id, "approved": False,
                          "reason": "Needs more experience", "expert_id": expert.id}  # fmt: skip
    assert deps.bookings.get(b.id).status is BookingStatus.PENDING_APPROVAL


def test_only_the_trainings_expert_decides_and_only_on_waiting_requests():
    deps, expert, trainee, t, b = _waiting()
    with pytest.raises(Forbidden):
        approvals.decide(deps, builders.user(deps, Role.EXPERT), b.id, True)
    with pytest.raises(NotFound):
        approvals.decide(deps, expert, "nope", True)
    held = builders.booking(deps, t, builders.user(deps), BookingStatus.HELD)
    with pytest.raises(Conflict, match="held"):
        approvals.decide(deps, expert, held.id, True)
    assert deps.publisher.published == []


def test_reminders_go_once_per_training_date_and_again_after_a_move():
    deps = fake_deps()
    expert = builders.user(deps, Role.EXPERT)
    start = deps.clock() + timedelta(hours=12)
    soon = builders.training(deps, expert, starts_at=start, ends_at=start + timedelta(hours=1))
    builders.training(deps, expert, days=5)  # not yet
    assert reminders.announce_reminders(deps) == 1
    [event] = deps.publisher.published
    assert event.type == TrainingReminderDue.TYPE
    assert event.id == derived_id(soon.id, f"reminder/{soon.starts_at.isoformat()}")
    assert reminders.announce_reminders(deps) == 0
    later = soon.starts_at + timedelta(hours=2)
    deps.trainings.rows[soon.id].starts_at = later
    assert (
        reminders.announce_reminders(deps) == 1 and deps.publisher.published[-1].data["starts_at"] == later.isoformat()
    )


def test_the_catalogue_shows_upcoming_trainings_matching_every_filter():
    deps = fake_deps()
    expert = builders.user(deps, Role.EXPERT)
    match = builders.training(deps, expert, days=10, title="Laparoscopic suturing")
    builders.training(deps, expert, days=10, title="Laparoscopic suturing", venue={"city": "Lyon", "country": "FR",
                      "institution": "x", "address": "y"})  # fmt: skip
    builders.training(deps, expert, days=-3, title="Laparoscopic suturing")  # over
    found, total = catalogue.search(deps, {"q": "suturing the", "city": "PARIS", "country": "fr"})
    assert [t.id for t in found] == [match.id] and total == 1


def test_the_catalogue_sorts_and_pages():
    deps = fake_deps()
    expert = builders.user(deps, Role.EXPERT)
    cheap = builders.training(deps, expert, days=20, price=10_000)
    dear = builders.training(deps, expert, days=10, price=90_000)
    assert [t.id for t in catalogue.search(deps, {"sort": "price"})[0]] == [cheap.id, dear.id]
    assert [t.id for t in catalogue.search(deps, {"sort": "date"})[0]] == [dear.id, cheap.id]
    page, total = catalogue.search(deps, {"sort": "-price", "limit": 1, "offset": 1})
    assert [t.id for t in page] == [cheap.id] and total == 2
