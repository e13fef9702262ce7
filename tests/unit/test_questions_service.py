"""Questions before booking, on the fakes: who may ask, read, answer, report and hide, and the
event each change leaves in the question's document (published by ``announce``)."""

from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthorized, ValidationError
from core.model import Role, TrainingStatus
from core.questions import QuestionState
from core.services import questions
from core.services.announce import relay_pending
from core.services.deps import Policy
from core.services.limits import Limit
from events import QuestionAnswered, QuestionAsked, QuestionHidden, QuestionReported
from tests.fakes import fake_deps
from tests.unit import builders

ASKED = "Is the wet lab on porcine hearts or on simulators?"


def _world(status: TrainingStatus = TrainingStatus.PUBLISHED, **policy: Limit):
    deps = fake_deps(policy=Policy(**policy))
    expert = builders.user(deps, Role.EXPERT, "Prof. Marie Curie")
    trainee = builders.user(deps, name="Dr Anna Maria Kowalska")
    training = builders.training(deps, expert, status)
    return deps, expert, trainee, training


def test_a_trainee_asks_as_typed_and_only_she_and_the_expert_see_it_until_it_is_answered():
    deps, expert, anna, t = _world()
    asked = questions.ask(deps, anna, t.id, f"  {ASKED} <b>really</b>?\n")
    assert asked.text == f"{ASKED} <b>really</b>?" and asked.author_name == "Anna K."
    assert (asked.state, asked.expert_id) == (QuestionState.OPEN, expert.id)
    (event,) = deps.publisher.published
    assert (event.type, event.subject, event.key) == (QuestionAsked.TYPE, asked.id, t.id)
    assert event.data == {"question_id": asked.id, "training_id": t.id, "expert_id": expert.id,
                          "trainee_id": anna.id}  # fmt: skip
    assert deps.pending_events.of("questions", asked.id) == []  # sent, so it left the document

    def waiting(viewer):
        return [q.id for q in questions.questions_of(deps, viewer, t.id, QuestionState.OPEN, 10, 0)[1]]

    assert waiting(anna) == waiting(expert) == waiting(builders.user(deps, Role.ADMIN)) == [asked.id]
    assert waiting(builders.user(deps)) == [] and waiting(builders.user(deps, Role.EXPERT)) == []
    with pytest.raises(Unauthorized):
        waiting(None)
    assert questions.questions_of(deps, None, t.id, QuestionState.ANSWERED, 10, 0)[1:] == ([], 0)


@pytest.mark.parametrize("text", ["too short", " " * 30 + "x" * 9 + " " * 30, "x" * 2001])
def test_a_question_is_ten_to_two_thousand_characters_after_trimming(text):
    deps, _, anna, t = _world()
    with pytest.raises(ValidationError) as refused:
        questions.ask(deps, anna, t.id, text)
    assert set(refused.value.errors) == {"text"}
    assert deps.questions.rows == {} and deps.publisher.published == []
    assert questions.ask(deps, anna, t.id, "x" * 2000).text == "x" * 2000


def test_only_trainees_ask_and_only_on_a_training_open_for_booking():
    deps, expert, anna, t = _world()
    for someone in (expert, builders.user(deps, Role.SPONSOR), builders.user(deps, Role.ADMIN)):
        with pytest.raises(Forbidden):
            questions.ask(deps, someone, t.id, ASKED)
    with pytest.raises(NotFound):
        questions.ask(deps, anna, "no-such-training", ASKED)
    draft = builders.training(deps, expert, TrainingStatus.DRAFT)
    with pytest.raises(NotFound):  # a draft is the expert's alone
        questions.ask(deps, anna, draft.id, ASKED)
    cancelled = builders.training(deps, expert, TrainingStatus.CANCELLED)
    with pytest.raises(Conflict, match="takes bookings"):
        questions.ask(deps, anna, cancelled.id, ASKED)
    assert deps.questions.rows == {}


def test_questions_are_rate_limited_per_trainee_and_a_refused_one_is_not_counted():
    deps, _, anna, t = _world(questions_per_trainee=Limit(2, 3600))
    with pytest.raises(ValidationError):
        questions.ask(deps, anna, t.id, "short")
    questions.ask(deps, anna, t.id, ASKED)
    questions.ask(deps, anna, t.id, ASKED + " And the second day?")
    with pytest.raises(RateLimited, match="Too many questions; try again in"):
        questions.ask(deps, anna, t.id, ASKED)
    assert len(deps.questions.rows) == 2
    questions.ask(deps, builders.user(deps), t.id, ASKED)  # another trainee has her own allowance
    deps.clock.advance(hours=1)
    questions.ask(deps, anna, t.id, ASKED)


def test_the_training_expert_answers_once_and_it_becomes_public_newest_answer_first():
    deps, expert, anna, t = _world()
    first, second = (questions.ask(deps, anna, t.id, f"{ASKED} ({n})") for n in (1, 2))
    with pytest.raises(NotFound):
        questions.answer(deps, builders.user(deps, Role.EXPERT), first.id, "Not mine.")
    with pytest.raises(Forbidden):
        questions.answer(deps, anna, first.id, "Answering myself.")
    with pytest.raises(ValidationError) as empty:
        questions.answer(deps, expert, first.id, "   ")
    assert set(empty.value.errors) == {"text"}
    with pytest.raises(ValidationError):
        questions.answer(deps, expert, first.id, "x" * 4001)
    answered = questions.answer(deps, expert, first.id, " Porcine hearts. ")
    assert (answered.state, answered.answer, answered.answered_at) == (QuestionState.ANSWERED, "Porcine hearts.",
                                                                       deps.clock())  # fmt: skip
    assert deps.publisher.published[-1].type == QuestionAnswered.TYPE
    with pytest.raises(Conflict, match="already"):
        questions.answer(deps, expert, first.id, "Changed my mind.")
    assert deps.questions.get(first.id).answer == "Porcine hearts."
    deps.clock.advance(minutes=5)
    questions.answer(deps, expert, second.id, "Yes.")
    _, public, total = questions.questions_of(deps, None, t.id, QuestionState.ANSWERED, 10, 0)
    assert [q.id for q in public] == [second.id, first.id] and total == 2
    assert [q.id for q in questions.questions_of(deps, None, t.id, QuestionState.ANSWERED, 1, 1)[1]] == [first.id]
    assert questions.questions_of(deps, expert, t.id, QuestionState.OPEN, 10, 0)[2] == 0


def test_anyone_who_can_read_a_question_reports_it_once_and_it_waits_on_the_desk():
    deps, expert, anna, t = _world()
    open_one = questions.ask(deps, anna, t.id, ASKED)
    stranger, admin = builders.user(deps, name="Ben Ode"), builders.user(deps, Role.ADMIN)
    with pytest.raises(NotFound):  # not answered yet: a stranger cannot know it exists
        questions.report(deps, stranger, open_one.id, "Spam, spam.")
    questions.answer(deps, expert, open_one.id, "Porcine hearts.")
    with pytest.raises(ValidationError) as short:
        questions.report(deps, stranger, open_one.id, "bad")
    assert set(short.value.errors) == {"reason"}
    reported = questions.report(deps, stranger, open_one.id, "The answer insults the asker.")
    assert reported.under_review and [r.by for r in reported.reports] == [stranger.id]
    event = deps.publisher.published[-1]
    assert event.type == QuestionReported.TYPE
    assert (event.data["reporter_id"], event.data["reason"]) == (stranger.id, "The answer insults the asker.")
    with pytest.raises(Conflict, match="already"):
        questions.report(deps, stranger, open_one.id, "Once more, louder.")
    questions.report(deps, anna, open_one.id, "The answer is rude.")  # the asker may report the answer
    with pytest.raises(Forbidden):
        questions.under_review(deps, expert, 10, 0)
    desk, total = questions.under_review(deps, admin, 10, 0)
    assert [q.id for q in desk] == [open_one.id] and total == 1 and len(desk[0].reports) == 2


def test_an_admin_hides_a_question_from_everyone_else_and_its_author_is_told():
    deps, expert, anna, t = _world()
    admin = builders.user(deps, Role.ADMIN)
    asked = questions.ask(deps, anna, t.id, ASKED)
    questions.answer(deps, expert, asked.id, "Porcine hearts.")
    questions.report(deps, expert, asked.id, "Not a question about the day.")
    with pytest.raises(Forbidden):
        questions.hide(deps, expert, asked.id, "Off topic here.")
    with pytest.raises(NotFound):
        questions.hide(deps, admin, "no-such-question", "Off topic here.")
    hidden = questions.hide(deps, admin, asked.id, "Off topic here.")
    assert (hidden.state, hidden.hidden_by, hidden.hidden_reason) == (QuestionState.HIDDEN, admin.id, "Off topic here.")
    event = deps.publisher.published[-1]
    assert event.type == QuestionHidden.TYPE and event.data["trainee_id"] == anna.id
    assert (event.data["admin_id"], event.data["reason"]) == (admin.id, "Off topic here.")
    with pytest.raises(Conflict, match="hidden already"):
        questions.hide(deps, admin, asked.id, "Off topic here.")
    assert questions.under_review(deps, admin, 10, 0) == ([], 0)  # it left the desk
    assert questions.questions_of(deps, None, t.id, QuestionState.ANSWERED, 10, 0)[2] == 0
    for viewer in (anna, expert, builders.user(deps)):
        with pytest.raises(NotFound):
            questions.report(deps, viewer, asked.id, "Still here?")
        with pytest.raises(Forbidden):
            questions.questions_of(deps, viewer, t.id, QuestionState.HIDDEN, 10, 0)
    with pytest.raises(NotFound):
        questions.answer(deps, expert, asked.id, "Another answer.")
    assert [q.id for q in questions.questions_of(deps, admin, t.id, QuestionState.HIDDEN, 10, 0)[1]] == [asked.id]


def test_a_question_and_its_event_are_one_write_and_the_relay_sends_it_when_the_broker_was_away():
    deps, _, anna, t = _world()
    deps.publisher.down = True
    asked = questions.ask(deps, anna, t.id, ASKED)  # the broker's absence does not lose the question
    assert [e.type for e in deps.pending_events.of("questions", asked.id)] == [QuestionAsked.TYPE]
    deps.publisher.down = False
    deps.clock.advance(seconds=10)
    assert relay_pending(deps) == 1 and deps.publisher.types() == [QuestionAsked.TYPE]
