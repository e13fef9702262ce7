"""Contract of ``Assessments``: one per booking, each revision over the one before, the first date kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from core.assessments import Assessment, Competency, FollowUpMessage, MessageReport
from events import AssessmentRecorded
from events.envelope import new_event
from tests.contract.conftest import Ports

NOW = datetime.now(UTC).replace(microsecond=0)


def _assessment(booking_id: str, trainee_id: str = "ann", at: datetime = NOW, **fields: object) -> Assessment:
    values: dict = {
        "training_id": "t1", "trainee_id": trainee_id, "expert_id": "e1",
        "competencies": [Competency("Femoral access", "assisted")], "comment": "Good.", "created_at": at,
        "updated_at": at, "training_title": "TAVI", "expert_name": "Dr E", **fields,
    }  # fmt: skip
    return Assessment(booking_id=booking_id, **values)


def test_each_revision_goes_over_the_one_before_only(ports: Ports) -> None:
    first = _assessment("b1")
    assert ports.assessments.put(first) is True
    assert ports.assessments.get("b1") == first
    assert ports.assessments.put(first) is False  # a second first revision
    later = NOW + timedelta(hours=1)
    second = replace(first, comment="Better.", revision=2, updated_at=later, created_at=later)
    assert ports.assessments.put(second) is True
    stored = ports.assessments.get("b1")
    assert stored.comment == "Better." and stored.revision == 2 and stored.created_at == NOW  # the first date kept
    assert ports.assessments.put(replace(second, comment="Lost race.")) is False  # revision 2 again
    assert ports.assessments.get("b1").comment == "Better."
    assert ports.assessments.get("nothing") is None


def test_a_trainees_assessments_newest_first_with_their_events(ports: Ports) -> None:
    older, newer = _assessment("b1"), _assessment("b2", at=NOW + timedelta(days=30))
    event = new_event(AssessmentRecorded(booking_id="b2", training_id="t1", trainee_id="ann", expert_id="e1",
                                         revision=1), "test")  # fmt: skip
    ports.assessments.put(older)
    ports.assessments.put(newer, announcing=event)
    ports.assessments.put(_assessment("b3", trainee_id="bob"))
    assert [a.booking_id for a in ports.assessments.of_trainee("ann")] == ["b2", "b1"]
    assert [e.id for e in ports.pending_events.of("assessments", "b2")] == [event.id]


def test_messages_are_reported_once_per_person_and_hidden_once(ports: Ports) -> None:
    message = FollowUpMessage("m1", "b1", "t1", "e1", "expert", "Rude.", NOW)
    ports.follow_ups.add(message)
    ports.follow_ups.add(FollowUpMessage("m2", "b1", "t1", "ann", "trainee", "Thanks.", NOW + timedelta(seconds=1)))
    assert ports.follow_ups.get("m1") == message and ports.follow_ups.under_review(10, 0) == ([], 0)
    first = MessageReport("ann", "Insulting.", NOW + timedelta(minutes=1))
    assert ports.follow_ups.report("m1", first) is True
    assert ports.follow_ups.report("m1", MessageReport("ann", "Again.", NOW + timedelta(minutes=2))) is False
    assert ports.follow_ups.report("m2", MessageReport("e1", "Spam.", NOW + timedelta(minutes=3))) is True
    waiting, total = ports.follow_ups.under_review(10, 0)
    assert [m.id for m in waiting] == ["m2", "m1"] and total == 2  # the latest report first
    assert waiting[1].reports == (first,)
    assert ports.follow_ups.hide("m1", "Rude.", NOW + timedelta(hours=1)) is True
    assert ports.follow_ups.hide("m1", "Again.", NOW + timedelta(hours=2)) is False
    assert ports.follow_ups.report("m1", MessageReport("bob", "Late report.", NOW)) is False
    stored = ports.follow_ups.get("m1")
    assert stored.hidden_reason == "Rude." and stored.hidden_at == NOW + timedelta(hours=1)
    assert [m.id for m in ports.follow_ups.under_review(10, 0)[0]] == ["m2"]
    assert [m.id for m in ports.follow_ups.of_booking("b1", 10, 0)[0]] == ["m1", "m2"]
