"""Rate limits over HTTP: counted in MongoDB, so two API processes share them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest

from api import create_app
from devstack.services import free_port
from devstack.stack import Infra
from tests.support import ApiClient, Stack, csrf_of, running_stack


@pytest.fixture
def limited(infra: Infra, api_server: Callable[..., str]) -> Iterator[tuple[Stack, ApiClient]]:
    """A stack with low limits, and a second API process on the same database."""
    with running_stack(infra, api_server, [], logins_per_account="3/minute", failed_logins_per_client="4/hour",
                       bookings_per_trainee="2/hour") as stack:  # fmt: skip
        yield stack, ApiClient(api_server(stack.config, free_port()), stack.deps)


def login(api: ApiClient, email: str, password: str = "correct horse battery") -> tuple[int, dict[str, str], dict]:
    response = api.call("POST", "/api/v1/auth/login", json={"email": email, "password": password})
    return response.status_code, dict(response.headers), response.json()


def test_sign_ins_on_one_account_are_limited_across_api_processes(limited: tuple[Stack, ApiClient]) -> None:
    stack, other = limited
    first, second = stack.api.user("trainee"), stack.api.user("trainee")  # one sign-in each
    assert login(other, first["email"])[0] == 200
    assert login(stack.api, first["email"])[0] == 200
    status, headers, body = login(other, first["email"])
    assert status == 429
    assert body["code"] == "rate_limited" and body["status"] == 429
    assert body["message"].startswith("Too many sign-in attempts; try again in ")
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert login(stack.api, first["email"])[0] == 429  # the other process counts in the same place
    assert login(stack.api, second["email"])[0] == 200  # another account is not affected


def test_a_client_that_failed_too_often_is_refused_even_the_right_password(limited: tuple[Stack, ApiClient]) -> None:
    stack, other = limited
    trainee = stack.api.user("trainee")
    for guess in range(4):  # across accounts, so the per-account limit is not what stops it
        status, _headers, body = login(other, f"someone{guess}@example.org", "wrong password")
        assert (status, body["code"]) == (401, "unauthorized")
    status, _headers, body = login(stack.api, trainee["email"])
    assert (status, body["code"]) == (429, "rate_limited")
    assert "failed sign-ins" in body["message"]
    page = f"{stack.api.base_url}/login"
    form = {"csrf": csrf_of(stack.api.http.get(page).text), "email": trainee["email"], "password": "x"}
    web = stack.api.http.post(page, data=form)
    assert web.status_code == 429 and "Too many failed sign-ins" in web.text  # the web form too


def test_booking_requests_are_limited_per_trainee_and_the_refused_one_leaves_nothing(
    limited: tuple[Stack, ApiClient],
) -> None:
    stack, other = limited
    expert, trainee, neighbour = stack.api.expert(), stack.api.user("trainee"), stack.api.user("trainee")
    trainings = [stack.api.published_training(expert) for _ in range(3)]
    url = "/api/v1/trainings/{}/bookings"
    first = stack.api.call("POST", url.format(trainings[0]["id"]), trainee["token"], headers={"Idempotency-Key": "k1"})
    assert first.status_code == 202
    assert other.call("POST", url.format(trainings[1]["id"]), trainee["token"]).status_code == 202
    refused = stack.api.call("POST", url.format(trainings[2]["id"]), trainee["token"])
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert "booking requests" in refused.json()["message"] and int(refused.headers["Retry-After"]) >= 1
    assert stack.db.bookings.count_documents({"trainee_id": trainee["id"]}) == 2
    # A retry of the accepted request is still answered, with the same booking.
    again = other.call("POST", url.format(trainings[0]["id"]), trainee["token"], headers={"Idempotency-Key": "k1"})
    assert again.status_code == 202 and again.json()["booking"]["id"] == first.json()["booking"]["id"]
    assert stack.api.call("POST", url.format(trainings[2]["id"]), neighbour["token"]).status_code == 202


def test_behind_a_proxy_each_forwarded_client_has_its_own_count(limited: tuple[Stack, ApiClient]) -> None:
    stack, _other = limited
    trainee = stack.api.user("trainee")
    behind_a_proxy = create_app(dataclasses.replace(stack.config, proxy_hops=1)).test_client()

    def attempt(client_address: str, email: str, password: str) -> int:
        # Every request comes from the proxy's socket; only X-Forwarded-For tells clients apart.
        body = {"email": email, "password": password}
        response = behind_a_proxy.post("/api/v1/auth/login", json=body, headers={"X-Forwarded-For": client_address})
        return response.status_code

    guesses = [attempt("203.0.113.7", f"someone{i}@example.org", "wrong password") for i in range(4)]
    assert guesses == [401] * 4
    assert attempt("203.0.113.7", trainee["email"], "correct horse battery") == 429
    assert attempt("198.51.100.2", trainee["email"], "correct horse battery") == 200
