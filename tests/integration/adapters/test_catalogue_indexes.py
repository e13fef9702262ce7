"""Every catalogue search runs on an index, on the real database.

Moved from tests/integration/test_catalogue.py (the second half of its paging test, which
stays there over HTTP): the plan is the adapter's, and needs MongoDB and nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from adapters.mongo_catalogue import MongoTrainings
from core.model import Training, TrainingStatus, Venue
from core.ports import TrainingQuery


def _plan_stages(explain: dict[str, Any]) -> list[str]:
    stage, out = explain["queryPlanner"]["winningPlan"], []
    while stage:
        out.append(stage["stage"])
        stage = stage.get("inputStage")
    return out


def test_every_search_uses_an_index(database: Database) -> None:
    trainings, now = MongoTrainings(database), datetime.now(UTC).replace(microsecond=0)
    starts = now + timedelta(days=120)
    for i in range(7):  # as the paging test publishes them: one expert, the same day
        trainings.add(Training(id=f"t{i}", expert_id="ann", title=f"Same-day course number {i}",
                               status=TrainingStatus.PUBLISHED, created_at=now, updated_at=now, starts_at=starts,
                               ends_at=starts + timedelta(hours=9), specialty="cardiology", technique="TAVI",
                               venue=Venue(city="Paris", country="FR"), languages=["fr", "en"], capacity=4,
                               price=45000, currency="eur", expert_verified=True))  # fmt: skip
    queries = [
        TrainingQuery(), TrainingQuery(text_words=("course",)), TrainingQuery(specialty="cardiology", city="paris"),
        TrainingQuery(country="FR", price_max=100, currency="eur"), TrainingQuery(language="fr", free_seats_only=True),
        TrainingQuery(sponsor_id="s1"), TrainingQuery(technique="tavi"), TrainingQuery(free_seats_only=True),
        TrainingQuery(sort="price"), TrainingQuery(sort="-price"), TrainingQuery(sort="price", currency="gbp"),
        TrainingQuery(price_min=100, price_max=900, currency="chf", sort="-price"),
        TrainingQuery(verified_only=True, currency="eur"),
    ]  # fmt: skip
    for query in queries:
        stages = _plan_stages(trainings.explain_search(query))
        assert "IXSCAN" in stages and "COLLSCAN" not in stages, (query, stages)
