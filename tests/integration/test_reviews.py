"""Reviews: only trainees who attended, once each, editable for 14 days, answered once by the expert;
the averages (the programme's and the expert's) follow every post and edit, and search sorts by them."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from core.errors import Conflict
from core.reviews import EDIT_WINDOW
from core.services import reviews, trainings
from tests.support import Stack, csrf_of, day_ahead, wait_for


def _review(stack: Stack, trainee: dict[str, Any], training: dict[str, Any], rating: int, text: str) -> Any:
    return stack.api.call("POST", f"/api/v1/trainings/{training['id']}/reviews", trainee["token"],
                          json={"rating": rating, "text": text})  # fmt: skip


def _rating(stack: Stack, training: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """The training's average and count, and its expert's, as the API shows them."""
    body = stack.api.call("GET", f"/api/v1/trainings/{training['id']}").json()
    return (
        body["rating_average"],
        body["rating_count"],
        body["expert"]["rating_average"],
        body["expert"]["rating_count"],
    )


def _next_session(stack: Stack, expert: dict[str, Any], training: dict[str, Any], starts_at: str) -> dict[str, Any]:
    """A new session of the same programme, published."""
    api = stack.api
    copy = api.call("POST", f"/api/v1/trainings/{training['id']}/duplicate", expert["token"],
                    json={"starts_at": starts_at})  # fmt: skip
    assert copy.status_code == 201, copy.text
    published = api.call("POST", f"/api/v1/trainings/{copy.json()['id']}/publish", expert["token"])
    assert published.status_code == 200, published.text
    return dict(published.json())


def test_only_attendees_review_once_and_the_averages_follow_every_edit(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Dr Rated")
    anna, ben, absent, carl = (api.user("trainee", n) for n in ("Anna Karlsson", "Ben Ode", "Al Absent", "Carl Dorn"))
    tavi, _ = stack.held_training(expert, [anna, ben], (absent,), complete=False)
    refused = _review(stack, anna, tavi, 5, "Not over yet, but already great.")
    assert refused.status_code == 409 and "completed" in refused.json()["message"]
    trainings.complete(stack.deps, stack.deps.trainings.get(tavi["id"]))  # type: ignore[arg-type] - as the sweep does
    pci, _ = stack.held_training(expert, [carl], title="Complex PCI and imaging", technique="PCI")
    # The next sessions of both programmes, upcoming and searchable.
    tavi_next = _next_session(stack, expert, tavi, day_ahead(200)[0])
    pci_next = _next_session(stack, expert, pci, day_ahead(201)[0])

    first = _review(stack, anna, tavi, 5, "Six live cases, every step explained at the table.")
    assert first.status_code == 201, first.text
    assert first.json()["author_name"] == "Anna K."  # first name and initial only
    assert _review(stack, ben, tavi, 2, "Too crowded around the table to see much.").status_code == 201
    again = _review(stack, anna, tavi, 4, "Posting a second review of the same day.")
    assert again.status_code == 409 and "already" in again.json()["message"]
    assert _review(stack, absent, tavi, 1, "I was not there but have opinions.").status_code == 403
    assert _review(stack, carl, tavi, 1, "I attended another training only.").status_code == 403
    assert _review(stack, expert, tavi, 5, "Reviewing my own training, why not.").status_code == 403
    short = _review(stack, carl, pci, 6, "Short")
    assert short.status_code == 422 and set(short.json()["errors"]) == {"rating", "text"}
    assert _review(stack, carl, pci, 3, "Good imaging content, a long day.").status_code == 201

    assert _rating(stack, tavi) == (3.5, 2, pytest.approx(3.33, abs=0.01), 3)
    assert _rating(stack, tavi_next)[:2] == (3.5, 2)  # the next session shows its programme's rating

    ben_review = next(r for r in api.call("GET", f"/api/v1/trainings/{tavi['id']}/reviews").json()["items"]
                      if r["author_name"] == "Ben O.")  # fmt: skip
    edited = api.call("PATCH", f"/api/v1/reviews/{ben_review['id']}", ben["token"], json={"rating": 4})
    assert edited.status_code == 200 and edited.json()["text"] == "Too crowded around the table to see much."
    assert _rating(stack, tavi) == (4.5, 2, 4.0, 3)
    assert _rating(stack, tavi_next)[:2] == (4.5, 2)
    assert (
        api.call("PATCH", f"/api/v1/reviews/{ben_review['id']}", anna["token"], json={"rating": 1}).status_code == 404
    )
    assert api.call("PATCH", f"/api/v1/reviews/{ben_review['id']}", ben["token"], json={}).status_code == 422

    # After 14 days the review stands as written.
    ben_user = stack.deps.users.get(ben["id"])
    assert ben_user is not None
    later = dataclasses.replace(stack.deps, clock=lambda: stack.deps.clock() + EDIT_WINDOW + timedelta(minutes=1))
    with pytest.raises(Conflict, match="14 days"):
        reviews.edit_review(later, ben_user, ben_review["id"], {"rating": 1})
    assert _rating(stack, tavi) == (4.5, 2, 4.0, 3)

    # The search sorts by rating: the best-rated programme's session first, unrated ones last.
    starts_at, ends_at = day_ahead(40)
    unrated = api.published_training(api.expert(), title="Unrated first timer", starts_at=starts_at, ends_at=ends_at)
    found = api.call("GET", "/api/v1/trainings", params={"sort": "rating"}).json()["items"]
    assert [t["id"] for t in found] == [tavi_next["id"], pci_next["id"], unrated["id"]]
    assert [t["rating_average"] for t in found] == [4.5, 3.0, None]
    assert found[0]["expert"]["rating_average"] == 4.0 and found[0]["expert"]["rating_count"] == 3
    best = api.call("GET", "/api/v1/trainings", params={"sort": "rating", "min_rating": 4}).json()["items"]
    assert [t["id"] for t in best] == [tavi_next["id"]]
    assert api.call("GET", "/api/v1/trainings", params={"sort": "stars"}).status_code == 422


def test_the_expert_answers_a_review_once_and_its_author_hears_of_it(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert("Dr Answers"), api.user("trainee", "Dora Review")
    training, _ = stack.held_training(expert, [trainee])
    review = _review(stack, trainee, training, 4, "A lot of hands-on time, thank you.").json()

    assert api.call("POST", f"/api/v1/reviews/{review['id']}/answer", api.expert()["token"],
                    json={"text": "Not my training."}).status_code == 404  # fmt: skip
    answered = api.call("POST", f"/api/v1/reviews/{review['id']}/answer", expert["token"],
                        json={"text": "Thank you, see you at the next session."})  # fmt: skip
    assert answered.status_code == 200 and answered.json()["answer"] == "Thank you, see you at the next session."
    twice = api.call("POST", f"/api/v1/reviews/{review['id']}/answer", expert["token"], json={"text": "Again."})
    assert twice.status_code == 409 and "already" in twice.json()["message"]
    listed = api.call("GET", f"/api/v1/trainings/{training['id']}/reviews").json()
    assert listed["total"] == 1 and listed["items"][0]["answer"] == "Thank you, see you at the next session."

    def told(user: dict[str, Any], kind: str) -> bool:
        items = api.call("GET", "/api/v1/me/notifications", user["token"]).json()["items"]
        return any(i["kind"] == kind for i in items)

    wait_for(lambda: told(expert, "review.posted"), what="the expert told of the review")
    wait_for(lambda: told(trainee, "review.answered"), what="the trainee told of the answer")


def test_the_training_page_shows_reviews_and_lets_an_attendee_write_one(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert("Dr Pages"), api.user("trainee", "Eva Writer")
    training, _ = stack.held_training(expert, [trainee])
    session, csrf = api.web_session(trainee["email"])
    mine = session.get(f"{api.base_url}/me/bookings").text
    assert f"/trainings/{training['id']}/review" in mine and ">Cancel<" not in mine  # the day is over
    page = session.get(f"{api.base_url}/trainings/{training['id']}")
    assert "No reviews yet" in page.text and "Review this training" in page.text

    form = session.get(f"{api.base_url}/trainings/{training['id']}/review")
    bad = session.post(f"{api.base_url}/trainings/{training['id']}/review",
                       data={"csrf": csrf_of(form.text), "text": "Short"})  # fmt: skip
    assert bad.status_code == 422 and 'id="rating-error"' in bad.text and 'id="text-error"' in bad.text
    posted = session.post(f"{api.base_url}/trainings/{training['id']}/review",
                          data={"csrf": csrf, "rating": "5", "text": "The best day of my residency."})  # fmt: skip
    assert posted.status_code == 200 and "The best day of my residency." in posted.text
    assert (
        "Eva W." in posted.text
        and "Rated 5.0 out of 5 by 1 review" in posted.text
        and "Rated 5 out of 5" in posted.text
    )
    assert "Change my review" in posted.text and "Review this training" not in posted.text

    expert_session, expert_csrf = api.web_session(expert["email"])
    shown = expert_session.get(f"{api.base_url}/trainings/{training['id']}")
    assert "Post my answer" in shown.text
    review_id = stack.db.reviews.find_one({"trainee_id": trainee["id"]})["_id"]
    answered = expert_session.post(f"{api.base_url}/reviews/{review_id}/answer",
                                   data={"csrf": expert_csrf, "text": "Thank you, Eva."})  # fmt: skip
    assert (
        answered.status_code == 200 and "The expert answered" in answered.text and "Post my answer" not in answered.text
    )
