"""Reviews: by attendees of completed trainings, once, editable 14 days; the expert answers once."""

from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden, NotFound
from core.model import BookingStatus, Role, TrainingStatus
from core.services import reviews
from events import ReviewAnswered, ReviewEdited, ReviewPosted
from tests.fakes import fake_deps
from tests.unit import builders


def _attended(status=TrainingStatus.COMPLETED, attendance="present"):
    deps = fake_deps()
    expert, trainee = builders.user(deps, Role.EXPERT), builders.user(deps, name="Dr Anna Maria Kowalska")
    t = builders.training(deps, expert, status)
    builders.booking(deps, t, trainee, BookingStatus.CONFIRMED, attendance=attendance)
    return deps, expert, trainee, t


def test_an_attendee_reviews_once_and_the_ratings_follow():
    deps, expert, trainee, t = _attended()
    assert reviews.review_status(deps, trainee, t) == (True, None)
    posted = reviews.post_review(deps, trainee, t.id, 4, "  Excellent wet lab. ")
    assert posted.text == "Excellent wet lab." and posted.author_name == "Anna K." and posted.series_id == t.id
    assert deps.trainings.get(t.id).rating_average == 4.0 and deps.users.get(expert.id).rating_count == 1
    assert deps.publisher.published[-1].type == ReviewPosted.TYPE
    with pytest.raises(Conflict, match="already"):
        reviews.post_review(deps, trainee, t.id, 5, "again")
    assert reviews.review_status(deps, trainee, t)[0] is False
    training, found, total = reviews.reviews_of(deps, t.id, 10, 0)
    assert training.id == t.id and [r.id for r in found] == [posted.id] and total == 1


@pytest.mark.parametrize("attendance", ["absent", None])
def test_only_trainees_marked_present_review(attendance):
    deps, _, trainee, t = _attended(attendance=attendance)
    with pytest.raises(Forbidden):
        reviews.post_review(deps, trainee, t.id, 5, "x")
    assert deps.reviews.rows == {} and deps.publisher.published == []


def test_reviews_open_once_the_training_is_completed():
    deps, _, trainee, t = _attended(status=TrainingStatus.PUBLISHED)
    with pytest.raises(Conflict, match="completed"):
        reviews.post_review(deps, trainee, t.id, 5, "x")
    assert reviews.review_status(deps, trainee, t) == (False, None)


def test_a_review_is_editable_for_fourteen_days_by_its_author_only():
    deps, _, trainee, t = _attended()
    posted = reviews.post_review(deps, trainee, t.id, 2, "Meh")
    edited = reviews.edit_review(deps, trainee, posted.id, {"rating": 5})
    assert (edited.rating, edited.text) == (5, "Meh") and deps.trainings.get(t.id).rating_average == 5.0
    assert deps.publisher.published[-1].type == ReviewEdited.TYPE
    with pytest.raises(NotFound):
        reviews.edit_review(deps, builders.user(deps), posted.id, {"rating": 1})
    deps.clock.advance(days=14, seconds=1)
    with pytest.raises(Conflict, match="14 days"):
        reviews.edit_review(deps, trainee, posted.id, {"text": "Changed my mind"})
    assert deps.reviews.get(posted.id).text == "Meh"


def test_the_expert_answers_once():
    deps, expert, trainee, t = _attended()
    posted = reviews.post_review(deps, trainee, t.id, 5, "Great")
    answered = reviews.answer_review(deps, expert, posted.id, " Thank you ")
    assert answered.answer == "Thank you" and deps.publisher.published[-1].type == ReviewAnswered.TYPE
    with pytest.raises(Conflict):
        reviews.answer_review(deps, expert, posted.id, "Again")
    with pytest.raises(NotFound):
        reviews.answer_review(deps, builders.user(deps, Role.EXPERT), posted.id, "Not mine")


@pytest.mark.parametrize("name, shown", [("Anna Kowalska", "Anna K."), ("Prof. Dr Sam Taylor", "Sam T."),
                                          ("Cher", "Cher"), ("Dr Who", "Dr W.")])  # fmt: skip
def test_shown_name_is_first_name_and_initial(name, shown):
    deps = fake_deps()
    assert reviews.shown_name(builders.user(deps, name=name)) == shown


def test_a_second_session_reads_the_series_reviews():
    deps, expert, trainee, t = _attended()
    reviews.post_review(deps, trainee, t.id, 3, "ok")
    later = builders.training(deps, expert, series_id=t.id, days=60)
    assert reviews.reviews_of(deps, later.id, 10, 0)[2] == 1
    assert deps.trainings.get(later.id).rating_count == 0  # refreshed on the next review only
