"""Learning goals, recommendations and the experts' directory, on the fakes."""

from __future__ import annotations

import pytest

from core.errors import Forbidden
from core.model import Role, TrainingStatus, Verification
from core.services import experts, goals
from events import LearningGoalsSet
from tests.fakes import fake_deps
from tests.unit import builders

TAVI = {"specialty": "interventional cardiology", "technique": "TAVI", "title": "TAVI in the cath lab"}


def test_goals_are_set_whole_trimmed_and_announced():
    deps = fake_deps()
    trainee = builders.user(deps)
    assert goals.goals_of(deps, trainee).techniques == [] and goals.goals_of(deps, trainee).updated_at is None
    body = {"techniques": [" TAVI ", "TAVI", "MitraClip"], "specialties": ["cardiology"], "level": "fellow",
            "languages": ["fr"], "countries": ["FR"], "budget": {"amount": 150_000, "currency": "eur"}}  # fmt: skip
    goals.set_goals(deps, trainee, body)
    stored = goals.goals_of(deps, trainee)
    assert stored.techniques == ["TAVI", "MitraClip"] and stored.level == "fellow" and stored.budget.amount == 150_000
    assert stored.updated_at == deps.clock()
    event = deps.publisher.published[-1]
    assert event.type == LearningGoalsSet.TYPE and event.payload.techniques == ["TAVI", "MitraClip"]
    goals.set_goals(deps, trainee, {"specialties": ["urology"]})  # a PUT replaces every field
    again = goals.goals_of(deps, trainee)
    assert again.techniques == [] and again.budget is None and again.specialties == ["urology"]


def test_only_trainees_have_goals():
    deps = fake_deps()
    expert = builders.user(deps, Role.EXPERT)
    with pytest.raises(Forbidden):
        goals.set_goals(deps, expert, {"techniques": ["TAVI"]})
    with pytest.raises(Forbidden):
        goals.recommendations(deps, expert)


def test_recommendations_are_upcoming_published_trainings_of_verified_experts():
    deps = fake_deps()
    trainee = builders.user(deps)
    verified = builders.user(deps, Role.EXPERT, name="Dr Verified", specialty="interventional cardiology")
    unverified = builders.user(deps, Role.EXPERT, name="Dr Unverified", verification=Verification.PENDING)
    assert goals.recommendations(deps, trainee).trainings == []  # no goals yet
    good = builders.training(deps, verified, **TAVI)
    builders.training(deps, verified, TrainingStatus.DRAFT, **TAVI)
    builders.training(deps, verified, days=-3, **TAVI)  # started already
    builders.training(deps, unverified, **TAVI)
    builders.training(deps, verified, specialty="urology", technique="PCNL", title="Stones")
    goals.set_goals(deps, trainee, {"techniques": ["TAVR"]})
    found = goals.recommendations(deps, trainee)
    assert [m.training.id for m in found.trainings] == [good.id]
    assert [m.expert.id for m in found.experts] == [verified.id]
    assert found.trainings[0].fit.reasons[0] == "TAVR is one of your goals"


def test_the_directory_filters_verified_experts():
    deps = fake_deps()
    lyon = builders.user(deps, Role.EXPERT, name="Dr Claire Martin", specialty="interventional cardiology",
                         country="FR", languages=["fr"], institution="Hospices Civils de Lyon",
                         rating_average=4.9, rating_count=10)  # fmt: skip
    london = builders.user(deps, Role.EXPERT, name="Mr James Hall", specialty="urology", country="GB",
                           languages=["en"], rating_average=4.2, rating_count=3)  # fmt: skip
    builders.user(deps, Role.EXPERT, name="Dr Pending", specialty="urology", verification=Verification.PENDING)
    builders.training(deps, lyon, **TAVI)
    builders.training(deps, london, specialty="urology", technique="Robotic-assisted radical prostatectomy",
                      title="Robotic prostatectomy", venue={"institution": "UCLH", "address": "235 Euston Rd",
                                                            "city": "London", "country": "GB"})  # fmt: skip

    def names(**filters):
        found, total = experts.directory(deps, {"limit": 20, "offset": 0, **filters})
        assert total == len(found)
        return [x.expert.name for x in found]

    assert names() == ["Dr Claire Martin", "Mr James Hall"]  # best rated first; the pending one is not listed
    assert names(technique="prostatectomy") == ["Mr James Hall"]
    assert names(technique="TAVR") == ["Dr Claire Martin"]
    assert names(specialty="urology") == ["Mr James Hall"]
    assert names(country="GB") == ["Mr James Hall"] and names(language="fr") == ["Dr Claire Martin"]
    assert names(q="lyon hospices") == ["Dr Claire Martin"] and names(q="nobody") == []
    page, total = experts.directory(deps, {"limit": 1, "offset": 1})
    assert total == 2 and [x.expert.name for x in page] == ["Mr James Hall"]
    assert [t.technique for t in page[0].upcoming] == ["Robotic-assisted radical prostatectomy"]
