"""``Prefer: wait=1`` (RFC 7240): a booking request comes back decided, with no poll, when the
capacity worker decides within the second; without it, or when it does not, it answers at once."""

from __future__ import annotations

import time

import pytest

from tests.support import Stack, wait_for


@pytest.mark.workers("capacity")
def test_a_request_that_prefers_to_wait_comes_back_held_or_waitlisted(stack: Stack) -> None:
    api = stack.api
    training = api.published_training(api.expert(), capacity=1)
    trainees = [api.user("trainee") for _ in range(6)]
    answers = []
    for trainee in trainees:
        sent = time.monotonic()
        response = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"],
                            headers={"Prefer": "wait=1"})  # fmt: skip
        assert response.status_code == 202, response.text
        assert response.headers["Preference-Applied"] == "wait=1"
        answers.append((response.json()["booking"]["status"], time.monotonic() - sent))
    # The API reads the decisions from the broker once its reader is positioned (the first
    # request starts it): from then on, every answer is the decision itself.
    decided = [status for status, _ in answers if status != "requested"]
    assert len(decided) >= 4, answers
    assert set(decided) <= {"held", "waitlisted"} and decided.count("held") <= 1
    assert answers[-1][0] == "waitlisted"
    assert all(took < 5 for _, took in answers)


@pytest.mark.workers()
def test_without_a_worker_the_wait_ends_after_a_second_and_the_request_stays_accepted(stack: Stack) -> None:
    api = stack.api
    training = api.published_training(api.expert(), capacity=3)
    trainee = api.user("trainee")
    sent = time.monotonic()
    response = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"],
                        headers={"Prefer": "wait=1"})  # fmt: skip
    took = time.monotonic() - sent
    assert response.status_code == 202 and response.json()["booking"]["status"] == "requested"
    assert took < 3
    plain = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", api.user("trainee")["token"])
    assert plain.status_code == 202 and "Preference-Applied" not in plain.headers


@pytest.mark.workers()
def test_a_poll_before_the_decision_is_answered_from_memory_and_after_it_from_the_store(stack: Stack) -> None:
    api = stack.api
    training = api.published_training(api.expert(), capacity=3)
    trainee = api.user("trainee")
    booking_id = stack.book(trainee, training)
    stack.db.bookings.delete_one({"_id": booking_id})  # the store no longer has it: only memory does
    poll = api.call("GET", f"/api/v1/bookings/{booking_id}", trainee["token"])
    assert poll.status_code == 200 and poll.json()["status"] == "requested"
    other = api.call("GET", f"/api/v1/bookings/{booking_id}", api.user("trainee")["token"])
    assert other.status_code == 404  # memory keeps the same rule: another trainee's booking is not shown
    stack.start_worker("capacity")  # decides it (rebuilt from its event), and the decision goes by
    held = wait_for(
        lambda: (
            (r := api.call("GET", f"/api/v1/bookings/{booking_id}", trainee["token"])).json()["status"] == "held" and r
        ),
        what="the poll to read the decision from the store",
    )
    assert held.json()["history"][-1]["step"] == "held"


@pytest.mark.workers()
def test_a_training_its_expert_just_cancelled_takes_no_request_though_the_catalogue_held_it(stack: Stack) -> None:
    # The booking request takes the training from the catalogue in memory; this process's own
    # writes are seen at once all the same (the next request reads the store until it caught up).
    api = stack.api
    expert = api.expert()
    training = api.published_training(expert, capacity=3)
    assert wait_for(
        lambda: any(t["id"] == training["id"] for t in api.call("GET", "/api/v1/trainings").json()["items"])
    )
    first = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", api.user("trainee")["token"])
    assert first.status_code == 202, first.text
    cancelled = api.call(
        "POST", f"/api/v1/trainings/{training['id']}/cancel", expert["token"], json={"reason": "The expert is ill."}
    )
    assert cancelled.status_code in (200, 202), cancelled.text
    late = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", api.user("trainee")["token"])
    assert late.status_code == 409 and "cancelled" in late.json()["message"], late.text
