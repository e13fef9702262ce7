"""A trainee asks to teach: the admin's usual check, and the account keeps its history."""

from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden
from core.model import BookingStatus, Role, TrainingStatus, Verification
from core.services import bookings, portfolio, trainings, verification
from events import ExpertVerificationRequested
from tests.fakes import fake_deps
from tests.unit import builders

APPLICATION = {
    "credentials": [{"kind": "medical_license", "number": "FR-1", "issuer": "Ordre", "country": "FR"}],
    "institution": " CHU de Lyon ", "specialty": "cardiology", "bio": "Ten years of structural cases.",
}  # fmt: skip


def test_a_trainee_becomes_an_expert_waiting_for_the_check_and_keeps_the_history():
    deps = fake_deps()
    sam = builders.user(deps, name="Dr Sam Taylor")
    teacher = builders.user(deps, Role.EXPERT)
    past = builders.training(deps, teacher, TrainingStatus.COMPLETED, days=-10)
    builders.booking(deps, past, sam, attendance="present")
    applied = verification.apply_to_teach(deps, sam, APPLICATION)
    assert applied.role is Role.EXPERT and applied.verification is Verification.PENDING
    assert applied.former_roles == ["trainee"] and applied.institution == "CHU de Lyon"
    assert applied.credentials == APPLICATION["credentials"]
    assert deps.publisher.published[-1].type == ExpertVerificationRequested.TYPE  # the admins are told
    assert [b.training_id for b in bookings.my_bookings(deps, applied)] == [past.id]  # the history stays
    assert portfolio.my_portfolio(deps, applied).entries == []  # no certificate yet, but readable
    admin = builders.user(deps, Role.ADMIN)
    assert [e.id for e in verification.experts_to_check(deps, admin, Verification.PENDING, 10, 0)[0]] == [sam.id]
    verified = verification.verify_expert(deps, admin, sam.id)
    draft = trainings.create_training(deps, verified, builders.complete_fields(deps))
    assert trainings.publish_training(deps, verified, draft.id).status is TrainingStatus.PUBLISHED
    with pytest.raises(Forbidden):
        verification.apply_to_teach(deps, verified, APPLICATION)  # once an expert, nothing to apply for


def test_a_booking_still_under_way_must_end_first():
    deps = fake_deps()
    sam = builders.user(deps)
    upcoming = builders.training(deps, builders.user(deps, Role.EXPERT), days=20)
    builders.booking(deps, upcoming, sam, BookingStatus.CONFIRMED)
    with pytest.raises(Conflict, match="current bookings") as refused:
        verification.apply_to_teach(deps, sam, APPLICATION)
    assert list(refused.value.errors) == ["bookings"]
    assert deps.users.get(sam.id).role is Role.TRAINEE  # nothing half-written


def test_an_expert_who_never_trained_has_no_trainees_record():
    deps = fake_deps()
    expert = builders.user(deps, Role.EXPERT)
    with pytest.raises(Forbidden, match="never booked"):
        bookings.my_bookings(deps, expert)
