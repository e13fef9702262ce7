"""Contract of ``Goals``: one document per trainee, replaced whole, its event kept until sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.goals import Budget, LearningGoals
from events import LearningGoalsSet
from events.envelope import new_event
from tests.contract.conftest import Ports

NOW = datetime.now(UTC).replace(microsecond=0)


def test_goals_are_read_back_whole_and_replaced(ports: Ports) -> None:
    assert ports.goals.get("ann") is None
    first = LearningGoals("ann", ["cardiology"], ["TAVI"], "fellow", ["fr", "en"], ["FR"], Budget(150_000, "eur"), NOW)
    ports.goals.put(first)
    assert ports.goals.get("ann") == first
    second = LearningGoals("ann", ["urology"], [], None, [], [], None, NOW + timedelta(minutes=1))
    ports.goals.put(second)
    assert ports.goals.get("ann") == second
    assert ports.goals.get("bob") is None


def test_the_announcing_event_waits_in_the_document_until_sent(ports: Ports) -> None:
    event = new_event(LearningGoalsSet(trainee_id="ann", specialties=[], techniques=["TAVI"]), "test")
    ports.goals.put(LearningGoals("ann", techniques=["TAVI"], updated_at=NOW), announcing=event)
    assert [e.id for e in ports.pending_events.of("goals", "ann")] == [event.id]
    assert ("goals", "ann") in ports.pending_events.due(datetime.now(UTC) + timedelta(minutes=1), 10)
    ports.pending_events.sent("goals", "ann", [event.id])
    assert ports.pending_events.of("goals", "ann") == []
    assert ports.goals.get("ann").techniques == ["TAVI"]  # sending the event left the goals alone
