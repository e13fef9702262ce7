"""Expert verification: an expert submits credentials, an admin verifies or rejects."""

from __future__ import annotations

from typing import Any

from core.errors import Conflict, NotFound
from core.model import ACTIVE_STATUSES, VERIFICATION_TRANSITIONS, Role, TrainingStatus, User, Verification
from core.services.accounts import require_role
from core.services.announce import announce
from core.services.deps import Deps
from core.words import N_, Worded
from events import (
    ExpertRejected,
    ExpertVerification,
    ExpertVerificationRequested,
    ExpertVerificationWithdrawn,
    ExpertVerified,
)
from events.envelope import new_event


def submit_credentials(deps: Deps, expert: User, credentials: list[dict[str, Any]]) -> User:
    """Send credentials for checking; the expert waits as ``pending``."""
    require_role(expert, Role.EXPERT)
    now = deps.clock()
    return _move(
        deps, expert, Verification.PENDING, ExpertVerificationRequested,
        {"credentials": credentials, "submitted_at": now, "verification_reason": None}, None, None,
    )  # fmt: skip


def apply_to_teach(deps: Deps, trainee: User, values: dict[str, Any]) -> User:
    """A trainee asks to teach: the account becomes an expert waiting for the admin's usual check, and keeps
    its history (bookings, certificates, assessments, portfolio). A booking still under way must end first."""
    require_role(trainee, Role.TRAINEE)
    now = deps.clock()
    for booking in deps.bookings.for_trainee(trainee.id):
        training = deps.trainings.get(booking.training_id)
        published = training is not None and training.status is TrainingStatus.PUBLISHED
        under_way = published and training is not None and (training.ends_at or now) > now
        if booking.status in ACTIVE_STATUSES and under_way:
            raise Conflict(
                N_("Finish or cancel your current bookings first: a booking under way stays a trainee's."),
                {"bookings": [f"{booking.id} is {booking.status}."]},
            )
    profile = {k: values[k].strip() for k in ("institution", "specialty", "title", "bio") if values.get(k)}
    fields = {
        "role": Role.EXPERT, "former_roles": [*trainee.former_roles, str(Role.TRAINEE)],
        "credentials": values["credentials"], "submitted_at": now, "verification_reason": None, **profile,
    }  # fmt: skip
    changed = ExpertVerificationRequested(expert_id=trainee.id, status=str(Verification.PENDING))
    event = new_event(changed, deps.policy.source)
    expected = {"role": Role.TRAINEE, "verification": trainee.verification}
    if not deps.users.update(trainee.id, {"verification": Verification.PENDING, **fields}, expected, announcing=event):
        raise Conflict(N_("Your account changed meanwhile; reload and apply again."))
    announce(deps, "users", trainee.id)
    applied = deps.users.get(trainee.id)
    assert applied is not None
    return applied


def verify_expert(deps: Deps, admin: User, expert_id: str) -> User:
    """The credential check passed: the expert may publish (``expert.verified``)."""
    require_role(admin, Role.ADMIN)
    expert = _expert(deps, expert_id)
    return _move(
        deps, expert, Verification.VERIFIED, ExpertVerified,
        {"verified_at": deps.clock(), "verification_reason": None, "verified_by": admin.id}, None, admin,
    )  # fmt: skip


def withdraw_verification(deps: Deps, admin: User, expert_id: str, reason: str) -> User:
    """Take a verification back (credentials lapsed, a complaint upheld), with the reason the expert reads.

    The expert's trainings lose the verified badge (and so the ``verified_only`` searches) at
    once; published ones stay open, so nobody's seat is taken away by it. Publishing again
    needs a new check (``expert.verification_withdrawn``).
    """
    require_role(admin, Role.ADMIN)
    expert = _expert(deps, expert_id)
    return _move(
        deps, expert, Verification.WITHDRAWN, ExpertVerificationWithdrawn,
        {"verification_reason": reason, "verified_at": None, "withdrawn_by": admin.id}, reason, admin,
    )  # fmt: skip


def reject_expert(deps: Deps, admin: User, expert_id: str, reason: str) -> User:
    """The credential check failed, with the reason the expert will read (``expert.rejected``)."""
    require_role(admin, Role.ADMIN)
    expert = _expert(deps, expert_id)
    return _move(
        deps, expert, Verification.REJECTED, ExpertRejected,
        {"verification_reason": reason, "verified_at": None}, reason, admin,
    )  # fmt: skip


def experts_to_check(
    deps: Deps, admin: User, status: Verification | None, limit: int, offset: int
) -> tuple[list[User], int]:
    """Experts in a verification state (``pending`` is the admin's queue)."""
    require_role(admin, Role.ADMIN)
    return deps.users.experts(status, limit, offset)


def _expert(deps: Deps, expert_id: str) -> User:
    user = deps.users.get(expert_id)
    if user is None or user.role is not Role.EXPERT:
        raise NotFound(Worded(N_("No expert %(id)s."), id=expert_id))
    return user


def _move(
    deps: Deps,
    expert: User,
    target: Verification,
    kind: type[ExpertVerification],
    fields: dict[str, Any],
    reason: str | None,
    admin: User | None,
) -> User:
    if target not in VERIFICATION_TRANSITIONS[expert.verification]:
        raise Conflict(
            Worded(N_("An expert who is %(state)s cannot become %(target)s."), state=expert.verification, target=target)
        )
    # Compare-and-set on the state we checked: two admins deciding at once cannot both win.
    before = {"verification": expert.verification}
    changed = kind(expert_id=expert.id, status=str(target), reason=reason, admin_id=admin.id if admin else None)
    event = new_event(changed, deps.policy.source)
    if not deps.users.update(expert.id, {"verification": target, **fields}, expected=before, announcing=event):
        raise Conflict(N_("This expert's verification changed meanwhile; reload."))
    if expert.verified != (target is Verification.VERIFIED):  # the trainings' badge follows (searches filter on it)
        deps.trainings.set_expert_verified(expert.id, target is Verification.VERIFIED)
    announce(deps, "users", expert.id)
    updated = deps.users.get(expert.id)
    assert updated is not None
    return updated
