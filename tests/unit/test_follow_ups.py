"""The private follow-up thread after the day, on the fakes: who may read and write, and when."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationError
from core.model import Role, TrainingStatus
from core.services import follow_ups
from core.services.deps import Policy
from core.services.limits import Limit
from events import FollowUpMessageHidden, FollowUpMessagePosted, FollowUpMessageReported
from tests.fakes import fake_deps
from tests.unit import builders


def _attended(follow_up_days: int = 90, **deps_fields):
    deps = fake_deps(**deps_fields)
    expert = builders.user(deps, Role.EXPERT)
    here, away = builders.user(deps, name="Anna Karlsson"), builders.user(deps)
    t = builders.training(deps, expert, days=2, follow_up_days=follow_up_days)
    present = builders.booking(deps, t, here, attendance="present")
    absent = builders.booking(deps, t, away, attendance="absent")
    return deps, expert, here, away, t, present, absent


def test_the_thread_opens_after_the_day_and_closes_when_the_expert_said():
    deps, expert, here, _away, t, present, _ = _attended(follow_up_days=30)
    with pytest.raises(Conflict, match="opens after the day"):
        follow_ups.post_message(deps, here, present.id, "Can I show you my case?")
    assert follow_ups.thread_of(deps, here, present.id).open is False
    deps.clock.advance(days=2, hours=17)  # the day ended at 16:00
    asked = follow_ups.post_message(deps, here, present.id, "  My patient has a bicuspid valve: TAVI?  ")
    assert asked.text == "My patient has a bicuspid valve: TAVI?" and asked.by == "trainee"
    event = deps.publisher.published[-1]
    assert event.type == FollowUpMessagePosted.TYPE and event.payload.by == "trainee"
    assert event.payload.expert_id == expert.id and event.payload.trainee_id == here.id
    answered = follow_ups.post_message(deps, expert, present.id, "Send me the CT; sizing decides.")
    assert answered.by == "expert"
    thread = follow_ups.thread_of(deps, expert, present.id)
    assert [m.text for m in thread.messages] == [asked.text, answered.text] and thread.total == 2 and thread.open
    assert thread.closes_at == t.ends_at + timedelta(days=30)
    deps.clock.advance(days=30)
    assert follow_ups.thread_of(deps, here, present.id).open is False
    with pytest.raises(Conflict, match="closed on"):
        follow_ups.post_message(deps, here, present.id, "One more thing?")


def test_a_completed_training_opens_the_thread_at_once():
    deps, _expert, here, _away, t, present, _ = _attended()
    deps.trainings.rows[t.id].status = TrainingStatus.COMPLETED
    assert follow_ups.post_message(deps, here, present.id, "Thank you!").by == "trainee"


def test_only_the_two_parties_and_only_a_trainee_who_attended():
    deps, expert, here, away, _t, present, absent = _attended()
    deps.clock.advance(days=3)
    with pytest.raises(Conflict, match="attended"):
        follow_ups.post_message(deps, away, absent.id, "Can I still ask?")
    for stranger in (away, builders.user(deps, Role.EXPERT), builders.user(deps, Role.ADMIN)):
        with pytest.raises(NotFound):
            follow_ups.thread_of(deps, stranger, present.id)
        with pytest.raises(NotFound):
            follow_ups.post_message(deps, stranger, present.id, "Hello")
    with pytest.raises(ValidationError):
        follow_ups.post_message(deps, here, present.id, "   ")
    assert follow_ups.thread_of(deps, expert, present.id).total == 0  # nothing half-written


def test_messages_are_rate_limited_per_author():
    deps, _expert, here, _away, _t, present, _ = _attended(policy=Policy(messages_per_user=Limit(2, 3600)))
    deps.clock.advance(days=3)
    follow_ups.post_message(deps, here, present.id, "One")
    follow_ups.post_message(deps, here, present.id, "Two")
    with pytest.raises(RateLimited):
        follow_ups.post_message(deps, here, present.id, "Three")
    assert follow_ups.thread_of(deps, here, present.id).total == 2


def test_a_party_reports_a_message_once_and_an_admin_hides_it():
    deps, expert, here, away, _t, present, _ = _attended()
    deps.clock.advance(days=3)
    rude = follow_ups.post_message(deps, expert, present.id, "A rude answer.")
    admin = builders.user(deps, Role.ADMIN)
    with pytest.raises(NotFound):
        follow_ups.report_message(deps, away, rude.id, "I should not even see it.")
    with pytest.raises(ValidationError):
        follow_ups.report_message(deps, here, rude.id, "bad")
    reported = follow_ups.report_message(deps, here, rude.id, "  Insulting, not an answer.  ")
    assert reported.reported_by(here.id) and reported.reports[0].reason == "Insulting, not an answer."
    assert deps.publisher.published[-1].type == FollowUpMessageReported.TYPE
    with pytest.raises(Conflict, match="already"):
        follow_ups.report_message(deps, here, rude.id, "Again and again.")
    assert [m.id for m in follow_ups.messages_under_review(deps, admin, 10, 0)[0]] == [rude.id]
    with pytest.raises(Forbidden):
        follow_ups.hide_message(deps, here, rude.id, "Not mine to hide.")
    hidden = follow_ups.hide_message(deps, admin, rude.id, "Breaks the rules of courtesy.")
    assert hidden.hidden_reason == "Breaks the rules of courtesy." and hidden.hidden_at is not None
    event = deps.publisher.published[-1]
    assert event.type == FollowUpMessageHidden.TYPE and event.payload.by == "expert"  # its author is told
    assert follow_ups.messages_under_review(deps, admin, 10, 0) == ([], 0)
    with pytest.raises(Conflict, match="hidden already"):
        follow_ups.hide_message(deps, admin, rude.id, "Breaks the rules of courtesy.")
    with pytest.raises(Conflict, match="hidden already"):
        follow_ups.report_message(deps, expert, rude.id, "Reporting my own hidden one.")
