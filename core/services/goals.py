"""A trainee's learning goals, and what the platform recommends against them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.goals import Budget, LearningGoals
from core.matching import ExpertMatch, TrainingMatch, rank_experts, rank_trainings
from core.model import Role, Training, User, Verification
from core.services.accounts import require_role
from core.services.announce import announce
from core.services.catalogue import upcoming_trainings
from core.services.deps import Deps
from events import LearningGoalsSet
from events.envelope import new_event

MAX_EXPERTS_READ = 2_000  # every verified expert is a candidate; a page of them per read


@dataclass(frozen=True)
class Recommendations:
    """What to put in front of a trainee: trainings and experts, best fit first."""

    goals: LearningGoals | None
    trainings: list[TrainingMatch]
    experts: list[ExpertMatch]


def goals_of(deps: Deps, trainee: User) -> LearningGoals:
    """My goals (empty ones until I set them)."""
    require_role(trainee, Role.TRAINEE)
    return deps.goals.get(trainee.id) or LearningGoals(trainee_id=trainee.id)


def set_goals(deps: Deps, trainee: User, values: dict[str, Any]) -> LearningGoals:
    """Replace my goals; ``goals.set`` tells whoever follows them."""
    require_role(trainee, Role.TRAINEE)
    budget = values.get("budget")
    goals = LearningGoals(
        trainee_id=trainee.id,
        specialties=_distinct(values.get("specialties", [])),
        techniques=_distinct(values.get("techniques", [])),
        level=values.get("level"),
        languages=_distinct(values.get("languages", [])),
        countries=_distinct(values.get("countries", [])),
        budget=Budget(budget["amount"], budget["currency"]) if budget else None,
        updated_at=deps.clock(),
    )
    event = LearningGoalsSet(
        trainee_id=trainee.id, specialties=goals.specialties, techniques=goals.techniques, level=goals.level
    )
    deps.goals.put(goals, announcing=new_event(event, deps.policy.source))
    announce(deps, "goals", trainee.id)
    return goals


def recommendations(deps: Deps, trainee: User, trainings: int = 10, experts: int = 5) -> Recommendations:
    """Upcoming trainings and verified experts ranked against my goals (none before I set any)."""
    require_role(trainee, Role.TRAINEE)
    goals = deps.goals.get(trainee.id)
    if goals is None or goals.empty:
        return Recommendations(goals, [], [])
    upcoming = [t for t in upcoming_trainings(deps) if t.expert_verified]
    by_expert: dict[str, list[Training]] = {}
    for training in upcoming:
        by_expert.setdefault(training.expert_id, []).append(training)
    return Recommendations(
        goals,
        rank_trainings(goals, upcoming)[:trainings],
        rank_experts(goals, verified_experts(deps), by_expert)[:experts],
    )


def verified_experts(deps: Deps) -> list[User]:
    """Every verified expert, a page at a time."""
    found: list[User] = []
    while True:
        page, total = deps.users.experts(Verification.VERIFIED, MAX_EXPERTS_READ, len(found))
        found += page
        if not page or len(found) >= total:
            return found


def _distinct(values: list[str]) -> list[str]:
    """Each value once, trimmed, in the order given."""
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))
