"""Expert verification: submit, verify, reject, withdraw; the trainings' badge follows."""

from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden, NotFound
from core.model import Role, TrainingStatus, Verification
from core.services import verification
from events import ExpertRejected, ExpertVerificationRequested, ExpertVerified
from tests.fakes import fake_deps
from tests.unit import builders


def _setup(state=Verification.UNVERIFIED):
    deps = fake_deps()
    return deps, builders.user(deps, Role.EXPERT, verification=state), builders.user(deps, Role.ADMIN)


def test_submitting_credentials_makes_the_expert_pending_and_announces_it():
    deps, expert, _ = _setup()
    creds = [{"kind": "licence", "number": "123"}]
    updated = verification.submit_credentials(deps, expert, creds)
    assert updated.verification is Verification.PENDING and updated.credentials == creds
    assert deps.users.extra[expert.id]["submitted_at"] == deps.clock()
    [event] = deps.publisher.published
    assert event.type == ExpertVerificationRequested.TYPE and event.data["status"] == "pending"


def test_only_experts_submit_credentials():
    deps = fake_deps()
    with pytest.raises(Forbidden):
        verification.submit_credentials(deps, builders.user(deps), [])
    assert deps.publisher.published == []


def test_verifying_gives_the_badge_to_every_training_of_the_expert():
    deps, expert, admin = _setup(Verification.PENDING)
    draft = builders.training(deps, expert, TrainingStatus.DRAFT)
    updated = verification.verify_expert(deps, admin, expert.id)
    assert updated.verified and updated.verified_at == deps.clock()
    assert deps.trainings.get(draft.id).expert_verified
    assert deps.publisher.published[-1].type == ExpertVerified.TYPE
    assert deps.publisher.published[-1].data["admin_id"] == admin.id


def test_withdrawing_takes_the_badge_back_with_the_reason():
    deps, expert, admin = _setup(Verification.VERIFIED)
    t = builders.training(deps, expert)
    assert t.expert_verified
    updated = verification.withdraw_verification(deps, admin, expert.id, "Licence lapsed")
    assert updated.verification is Verification.WITHDRAWN and updated.verification_reason == "Licence lapsed"
    assert not deps.trainings.get(t.id).expert_verified
    assert deps.publisher.published[-1].data["reason"] == "Licence lapsed"


def test_rejecting_a_pending_expert_records_the_reason():
    deps, expert, admin = _setup(Verification.PENDING)
    updated = verification.reject_expert(deps, admin, expert.id, "Unreadable scan")
    assert updated.verification is Verification.REJECTED
    assert deps.publisher.published[-1].type == ExpertRejected.TYPE


def test_a_move_the_state_machine_forbids_is_a_conflict_and_writes_nothing():
    deps, expert, admin = _setup(Verification.UNVERIFIED)
    with pytest.raises(Conflict, match="unverified cannot become verified"):
        verification.verify_expert(deps, admin, expert.id)
    assert deps.users.get(expert.id).verification is Verification.UNVERIFIED and deps.publisher.published == []


def test_two_admins_deciding_at_once_cannot_both_win():
    deps, expert, admin = _setup(Verification.PENDING)
    stale = deps.users.get(expert.id)
    deps.users.update(expert.id, {"verification": Verification.REJECTED})  # the other admin, meanwhile
    deps.users.get = lambda _id: stale  # this admin still reads the pending expert
    with pytest.raises(Conflict, match="changed meanwhile"):
        verification.verify_expert(deps, admin, expert.id)
    assert deps.users.rows[expert.id].verification is Verification.REJECTED


def test_only_admins_decide_and_only_on_experts():
    deps, expert, admin = _setup(Verification.PENDING)
    with pytest.raises(Forbidden):
        verification.verify_expert(deps, expert, expert.id)
    with pytest.raises(NotFound):
        verification.verify_expert(deps, admin, admin.id)
    with pytest.raises(NotFound):
        verification.reject_expert(deps, admin, "nobody", "x")


def test_the_admins_queue_lists_pending_experts_oldest_submission_first():
    deps = fake_deps()
    admin = builders.user(deps, Role.ADMIN)
    first = builders.user(deps, Role.EXPERT, verification=Verification.UNVERIFIED)
    second = builders.user(deps, Role.EXPERT, verification=Verification.UNVERIFIED)
    verification.submit_credentials(deps, second, [])
    deps.clock.advance(minutes=1)
    verification.submit_credentials(deps, first, [])
    experts, total = verification.experts_to_check(deps, admin, Verification.PENDING, 10, 0)
    assert [e.id for e in experts] == [second.id, first.id] and total == 2
    with pytest.raises(Forbidden):
        verification.experts_to_check(deps, first, None, 10, 0)
