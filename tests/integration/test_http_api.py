"""The HTTP contract's errors: one format, the fields named, the right status."""

from __future__ import annotations

import pytest

from events import BookingRequested
from events.codec import decode
from events.types import topic_name
from tests.support import Stack, read_topic, wait_for

# Only the API: these are its synchronous answers.
pytestmark = pytest.mark.workers()


def _error(response, status: int, code: str) -> dict:  # noqa: ANN001 - a requests.Response
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert set(body) == {"code", "status", "message", "errors"}
    assert "Traceback" not in response.text
    return body


def test_bad_input_is_refused_with_every_field_named(stack: Stack) -> None:
    body = _error(
        stack.api.call(
            "POST",
            "/api/v1/auth/register",
            json={"email": "not-an-email", "password": "short", "role": "admin", "surprise": 1},
        ),
        422,
        "validation_error",
    )
    assert set(body["errors"]) == {"email", "password", "name", "role", "surprise"}
    expert = stack.api.expert()
    body = _error(
        stack.api.call(
            "POST",
            "/api/v1/trainings",
            expert["token"],
            json={"title": "TAVI", "capacity": 0, "price": -5, "currency": "xyz", "starts_at": "tomorrow"},
        ),
        422,
        "validation_error",
    )
    assert set(body["errors"]) == {"capacity", "price", "currency", "starts_at"}
    assert stack.db.trainings.count_documents({}) == 0  # nothing half-written
    malformed = stack.api.call(
        "POST", "/api/v1/trainings", expert["token"], data="{", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code in (400, 422) and malformed.json()["code"]
    # A query parameter the operation does not declare is refused by name, not ignored.
    typo = stack.api.call("POST", "/api/v1/auth/logout?everwhere=true", expert["token"])
    typo = _error(typo, 422, "validation_error")
    assert typo["errors"] == {"everwhere": ["Unknown query parameter."]}
    assert stack.api.call("GET", "/api/v1/me", expert["token"]).status_code == 200  # the token was not revoked
    search = stack.api.call("GET", "/api/v1/trainings?specialty=cardiology&colour=blue")
    assert set(_error(search, 422, "validation_error")["errors"]) == {"colour"}
    deep = _error(stack.api.call("GET", "/api/v1/trainings?offset=100000000000000000000000"), 422, "validation_error")
    assert set(deep["errors"]) == {"offset"}


def test_roles_tokens_and_unknown_ids(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert)
    _error(api.call("POST", "/api/v1/trainings", trainee["token"], json={"title": "Mine"}), 403, "forbidden")
    _error(api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", expert["token"]), 403, "forbidden")
    _error(api.call("POST", f"/api/v1/trainings/{training['id']}/bookings"), 401, "unauthorized")
    _error(api.call("GET", "/api/v1/me/bookings", "forged-token"), 401, "unauthorized")
    _error(api.call("GET", "/api/v1/trainings/no-such-id"), 404, "not_found")
    _error(api.call("POST", "/api/v1/trainings/no-such-id/bookings", trainee["token"]), 404, "not_found")
    _error(api.call("GET", "/api/v1/bookings/no-such-id", trainee["token"]), 404, "not_found")
    _error(api.call("POST", f"/api/v1/trainings/{training['id']}/publish", expert["token"]), 409, "conflict")
    other = api.expert()
    _error(api.call("POST", f"/api/v1/trainings/{training['id']}/publish", other["token"]), 403, "forbidden")
    _error(
        api.call("POST", "/api/v1/auth/login", json={"email": trainee["email"], "password": "wrong password"}),
        401,
        "unauthorized",
    )


@pytest.mark.workers("capacity")
def test_a_booking_is_private_and_a_retry_with_the_same_key_books_once(stack: Stack) -> None:
    api = stack.api
    expert, trainee, stranger = api.expert(), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert)
    path = f"/api/v1/trainings/{training['id']}/bookings"
    first = api.call("POST", path, trainee["token"], headers={"Idempotency-Key": "k-1"})
    again = api.call("POST", path, trainee["token"], headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 202
    booking_id = first.json()["booking"]["id"]
    assert again.json()["booking"]["id"] == booking_id
    _error(api.call("POST", path, trainee["token"]), 409, "conflict")  # one live booking per training
    _error(api.call("GET", f"/api/v1/bookings/{booking_id}", stranger["token"]), 404, "not_found")
    assert api.call("GET", f"/api/v1/bookings/{booking_id}", expert["token"]).status_code == 200
    wait_for(lambda: (stack.booking(booking_id) or {}).get("status") == "held", what="hold")
    records = read_topic(stack.config, topic_name(stack.config.kafka_topic_prefix, "bookings"))
    requested = [e for e in map(decode, (r.value for r in records)) if e.type == BookingRequested.TYPE]
    assert [e.id for e in requested] == [booking_id]


def test_the_openapi_document_describes_the_spine(stack: Stack) -> None:
    doc = stack.api.call("GET", "/api/openapi.json").json()
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/trainings",
        "/api/v1/trainings/{training_id}",
        "/api/v1/trainings/{training_id}/publish",
        "/api/v1/trainings/{training_id}/bookings",
        "/api/v1/bookings/{booking_id}",
        "/api/v1/bookings/{booking_id}/payment",
        "/api/v1/me/bookings",
        "/api/v1/me/notifications",
        "/api/v1/webhooks/stripe",
        "/healthz",
    ]:
        assert path in doc["paths"], path
    booking = doc["paths"]["/api/v1/trainings/{training_id}/bookings"]["post"]["responses"]
    assert {"202", "409", "503"} <= set(booking)
    assert "Error" in doc["components"]["schemas"]
    page = stack.api.call("GET", "/api/docs")
    assert page.status_code == 200 and "/api/docs/assets/swagger-ui-bundle.js" in page.text
    bundle = stack.api.call("GET", "/api/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text  # served locally, no CDN


def test_every_operation_documents_its_errors_in_the_one_format(stack: Stack) -> None:
    doc = stack.api.call("GET", "/api/openapi.json").json()
    error_ref = "#/components/schemas/Error"
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "patch"):
                continue
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), (method, path)
            for code, response in responses.items():
                if code.startswith("4") and code != "422" or code == "default":
                    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                    ref = response.get("$ref") or schema.get("$ref")
                    assert ref in (error_ref, "#/components/responses/DEFAULT_ERROR"), (method, path, code, response)


def test_every_response_carries_the_security_headers_and_pages_a_strict_policy(stack: Stack) -> None:
    api = stack.api
    trainee = api.user("trainee")
    answers = {
        "page": api.call("GET", "/"),
        "json": api.call("GET", "/api/v1/me/bookings", trainee["token"]),
        "error": api.call("GET", "/api/v1/trainings/no-such-id"),
        "docs": api.call("GET", "/api/docs"),
    }
    for name, answer in answers.items():
        assert answer.headers["X-Content-Type-Options"] == "nosniff", name
        assert answer.headers["X-Frame-Options"] == "DENY", name
        assert answer.headers["Referrer-Policy"] == "same-origin", name
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"], name
        assert "Strict-Transport-Security" not in answer.headers, name  # served over plain http here
    page_policy = answers["page"].headers["Content-Security-Policy"]
    stripe_origin = "/".join(stack.config.stripe_js_url.split("/")[:3])
    assert f"script-src 'self' {stripe_origin}" in page_policy
    assert "'unsafe-inline'" not in page_policy.split("script-src")[1].split(";")[0]
    assert "script-src 'self' 'unsafe-inline'" in answers["docs"].headers["Content-Security-Policy"]
    assert answers["json"].headers["Cache-Control"] == "no-store"
    assert answers["error"].headers["Cache-Control"] == "no-store"


def test_a_body_over_one_megabyte_is_refused_in_the_error_format_and_nothing_is_stored(stack: Stack) -> None:
    expert = stack.api.expert()
    huge = {"title": "TAVI", "description": "x" * (1024 * 1024 + 1)}
    _error(stack.api.call("POST", "/api/v1/trainings", expert["token"], json=huge), 413, "request_entity_too_large")
    assert stack.db.trainings.count_documents({}) == 0
