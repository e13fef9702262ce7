"""Contract of ``Trainings``: optimistic concurrency, the expert's list, the sweeps, the search."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from core.model import Training, TrainingStatus, Venue
from core.ports import TrainingQuery
from tests.contract.conftest import Ports

NOW = datetime.now(UTC).replace(microsecond=0)


def _training(training_id: str, days: int = 30, **fields: object) -> Training:
    starts = NOW + timedelta(days=days)
    values: dict = {"expert_id": "ann", "title": f"Course {training_id}", "status": TrainingStatus.PUBLISHED,
                    "created_at": NOW, "updated_at": NOW, "starts_at": starts, "ends_at": starts + timedelta(hours=9),
                    "capacity": 4, "price": 45000, "currency": "eur", "specialty": "Cardiology", "technique": "TAVI",
                    "venue": Venue(city="Paris", country="FR"), "languages": ["fr"], **fields}  # fmt: skip
    return Training(id=training_id, **values)


def test_a_training_reads_back_and_changes_only_from_the_version_read(ports: Ports) -> None:
    ports.trainings.add(_training("t1"))
    stored = ports.trainings.get("t1")
    assert stored is not None and stored.title == "Course t1" and stored.venue == Venue(city="Paris", country="FR")
    assert stored.seats_left == 4 and stored.series_id in (None, "t1")
    renamed = dataclasses.replace(stored, title="Renamed", version=2)
    assert ports.trainings.replace(renamed, expected_version=1) is True
    assert ports.trainings.replace(dataclasses.replace(renamed, title="Lost"), expected_version=1) is False
    again = ports.trainings.get("t1")
    assert again is not None and again.title == "Renamed" and again.version == 2
    assert ports.trainings.get("missing") is None


def test_an_experts_trainings_newest_first_with_the_total(ports: Ports) -> None:
    for n in range(3):
        ports.trainings.add(_training(f"t{n}", created_at=NOW + timedelta(minutes=n)))
    ports.trainings.add(_training("other", expert_id="bob"))
    page, total = ports.trainings.by_expert("ann", limit=2, offset=0)
    assert [t.id for t in page] == ["t2", "t1"] and total == 3
    assert [t.id for t in ports.trainings.by_expert("ann", limit=2, offset=2)[0]] == ["t0"]
    assert ports.trainings.set_expert_verified("ann", True) == 3
    assert ports.trainings.set_expert_verified("ann", True) == 0


def test_ended_trainings_and_reminders_due(ports: Ports) -> None:
    ports.trainings.add(_training("past", days=-2))
    ports.trainings.add(_training("soon", days=1))
    ports.trainings.add(_training("draft-past", days=-2, status=TrainingStatus.DRAFT))
    assert [t.id for t in ports.trainings.ended_before(NOW, 10)] == ["past"]
    window = (NOW, NOW + timedelta(days=2))
    assert [t.id for t in ports.trainings.due_for_reminder(*window, 10)] == ["soon"]
    soon = ports.trainings.get("soon")
    assert soon is not None and soon.starts_at is not None
    ports.trainings.mark_reminded("soon", soon.starts_at)
    assert ports.trainings.due_for_reminder(*window, 10) == []


def test_the_search_filters_sorts_within_a_currency_and_pages(ports: Ports) -> None:
    prices = {"chf_50": ("chf", 5000), "gbp_400": ("gbp", 40000), "eur_300": ("eur", 30000),
              "eur_100": ("eur", 10000), "gbp_200": ("gbp", 20000)}  # fmt: skip
    for name, (currency, price) in prices.items():
        ports.trainings.add(_training(name, currency=currency, price=price))
    ports.trainings.add(_training("draft", status=TrainingStatus.DRAFT))
    ports.trainings.set_seats_left("gbp_400", -3)  # never below zero

    def ids(**query: object) -> list[str]:
        return [t.id for t in ports.trainings.search(TrainingQuery(**query))[0]]  # type: ignore[arg-type]

    assert ids(sort="price") == ["chf_50", "eur_100", "eur_300", "gbp_200", "gbp_400"]
    assert ids(sort="-price") == ["chf_50", "eur_300", "eur_100", "gbp_400", "gbp_200"]
    assert ids(sort="price", currency="gbp", price_max=30000) == ["gbp_200"]
    assert ids(sort="price", free_seats_only=True) == ["chf_50", "eur_100", "eur_300", "gbp_200"]
    assert ids(sort="price", city="PARIS", specialty="cardiology") == ids(sort="price")
    assert ids(sort="price", city="Lyon") == []
    page, total = ports.trainings.search(TrainingQuery(sort="price", limit=2, offset=2))
    assert [t.id for t in page] == ["eur_300", "gbp_200"] and total == 5
    ports.trainings.set_sponsor("eur_100", "s1", True)
    assert ids(sponsor_id="s1") == ["eur_100"]
    ports.trainings.set_sponsor("eur_100", "s1", False)
    assert ids(sponsor_id="s1") == []
