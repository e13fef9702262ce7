"""Contract of ``Questions``: the same cases against MongoDB (a fresh database on the embedded
server) and the fake; each guarded write applies once and keeps its event in the question's
document; every query runs on an index that it names, without a hint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from adapters.mongo_pending import MongoPendingEvents
from adapters.mongo_questions import MongoQuestions
from core import ports
from core.questions import Question, QuestionReport, QuestionState
from events import QuestionAsked
from events.envelope import Event, new_event
from tests.fakes import FakePendingEvents, FakeQuestions

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(params=["mongo", "fake"])
def store(request: pytest.FixtureRequest) -> tuple[ports.Questions, ports.PendingEvents]:
    """The repository and the outbox it writes into, once on MongoDB and once faked."""
    if request.param == "mongo":
        db = request.getfixturevalue("database")
        return MongoQuestions(db), MongoPendingEvents(db)
    pending = FakePendingEvents()
    return FakeQuestions(pending), pending


def _question(qid: str, minutes: int = 0, **fields: Any) -> Question:
    values: dict[str, Any] = {"training_id": "t1", "expert_id": "e1", "trainee_id": "ann", "author_name": "Ann K.",
                              "text": f"Question {qid} <i>as typed</i>", "created_at": NOW + timedelta(minutes=minutes),
                              **fields}  # fmt: skip
    return Question(id=qid, **values)


def _event(question: Question) -> Event:
    asked = QuestionAsked(question_id=question.id, training_id=question.training_id, expert_id=question.expert_id,
                          trainee_id=question.trainee_id)  # fmt: skip
    return new_event(asked, source="test")


def test_a_question_reads_back_as_stored_with_the_event_that_announced_it(store: Any) -> None:
    questions, pending = store
    asked = _question("q1")
    event = _event(asked)
    questions.add(asked, announcing=event)
    assert questions.get("q1") == asked and questions.get("missing") is None
    assert [e.id for e in pending.of("questions", "q1")] == [event.id]


def test_an_answer_is_set_once_and_never_on_a_hidden_question(store: Any) -> None:
    questions, pending = store
    questions.add(_question("q1"))
    questions.add(_question("q2"))
    assert questions.answer("q1", "Yes.", NOW, announcing=_event(_question("q1"))) is True
    assert questions.answer("q1", "No.", NOW) is False
    answered = questions.get("q1")
    assert (answered.state, answered.answer, answered.answered_at) == (QuestionState.ANSWERED, "Yes.", NOW)
    assert len(pending.of("questions", "q1")) == 1
    assert questions.hide("q2", "root", "Rude.", NOW) is True
    assert questions.answer("q2", "Too late.", NOW) is False and questions.get("q2").answer is None


def test_a_report_is_once_per_person_puts_it_on_the_desk_and_hiding_takes_it_off(store: Any) -> None:
    questions, pending = store
    for n in range(3):
        questions.add(_question(f"q{n}", minutes=n))
    assert questions.report("q0", QuestionReport("bob", "Spam.", NOW), announcing=_event(_question("q0"))) is True
    assert questions.report("q0", QuestionReport("bob", "Spam again.", NOW)) is False
    assert questions.report("q0", QuestionReport("cy", "Rude.", NOW + timedelta(minutes=2))) is True
    assert questions.report("q1", QuestionReport("bob", "Spam.", NOW + timedelta(minutes=1))) is True
    reported = questions.get("q0")
    assert [(r.by, r.reason) for r in reported.reports] == [("bob", "Spam."), ("cy", "Rude.")]
    assert reported.reported_at == NOW + timedelta(minutes=2) and reported.under_review is True
    assert len(pending.of("questions", "q0")) == 1
    desk, total = questions.under_review(10, 0)
    assert [q.id for q in desk] == ["q0", "q1"] and total == 2
    assert [q.id for q in questions.under_review(1, 1)[0]] == ["q1"]
    assert questions.hide("q0", "root", "Rude.", NOW) is True
    assert questions.hide("q0", "root", "Rude.", NOW) is False
    hidden = questions.get("q0")
    assert (hidden.state, hidden.hidden_by, hidden.hidden_reason, hidden.hidden_at) == (
        QuestionState.HIDDEN, "root", "Rude.", NOW)  # fmt: skip
    assert questions.report("q0", QuestionReport("dan", "Still rude.", NOW)) is False
    assert [q.id for q in questions.under_review(10, 0)[0]] == ["q1"]


def test_a_trainings_questions_by_state_answered_newest_first_waiting_oldest_first(store: Any) -> None:
    questions, _ = store
    for n in range(4):
        questions.add(_question(f"q{n}", minutes=n, trainee_id="ann" if n % 2 else "bob"))
    questions.add(_question("other", training_id="t2"))
    questions.answer("q0", "First answered.", NOW + timedelta(hours=2))
    questions.answer("q2", "Answered later.", NOW + timedelta(hours=3))
    answered, total = questions.of_training("t1", QuestionState.ANSWERED, 10, 0)
    assert [q.id for q in answered] == ["q2", "q0"] and total == 2
    assert [q.id for q in questions.of_training("t1", QuestionState.ANSWERED, 1, 1)[0]] == ["q0"]
    waiting, total = questions.of_training("t1", QuestionState.OPEN, 10, 0)
    assert [q.id for q in waiting] == ["q1", "q3"] and total == 2
    assert questions.of_training("t1", QuestionState.OPEN, 10, 0, asked_by="bob") == ([], 0)
    mine, total = questions.of_training("t1", QuestionState.OPEN, 1, 0, asked_by="ann")
    assert [q.id for q in mine] == ["q1"] and total == 2
    assert questions.of_training("t1", QuestionState.HIDDEN, 10, 0) == ([], 0)


class _Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.sent.append({"name": event.command_name, **dict(event.command)})

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def _stages(plan: dict[str, Any]) -> list[str]:
    stage, out = plan["queryPlanner"]["winningPlan"], []
    while stage:
        out.append(stage["stage"])
        stage = stage.get("inputStage")
    return out


def test_every_query_runs_on_an_index_and_sends_no_hint(database: Database, mongo_url: str) -> None:
    commands = _Commands()
    client: MongoClient[Any] = MongoClient(mongo_url, tz_aware=True, event_listeners=[commands])
    watched = client[database.name]
    questions = MongoQuestions(watched)
    for n in range(6):
        questions.add(_question(f"q{n}", minutes=n))
    questions.answer("q0", "Yes.", NOW)
    questions.report("q1", QuestionReport("bob", "Spam.", NOW))
    commands.sent.clear()
    questions.of_training("t1", QuestionState.ANSWERED, 10, 0)
    questions.of_training("t1", QuestionState.OPEN, 10, 0, asked_by="ann")
    questions.under_review(10, 0)
    reads = [c for c in commands.sent if c["name"] in ("find", "count", "aggregate")]
    assert len(reads) == 6 and [c for c in reads if "hint" in c] == []
    plans = [
        database.questions.find({"training_id": "t1", "state": "answered"}).sort("answered_at", -1).explain(),
        database.questions.find({"training_id": "t1", "state": "open", "trainee_id": "ann"}).sort("created_at", 1)
        .explain(),
        database.questions.find({"under_review": True}).sort("reported_at", -1).explain(),
    ]  # fmt: skip
    for plan in plans:
        assert "IXSCAN" in _stages(plan) and "COLLSCAN" not in _stages(plan), plan["queryPlanner"]
    client.close()
