"""Schemathesis fuzzes every operation of the OpenAPI document, with a valid token of each role.

Valid and invalid requests, generated from the document, against the real stack: no answer
is a 5xx, every error is in the one JSON format, and every answer conforms to the status
codes, content types, headers and schemas the document declares.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from devstack.stack import Infra
from tests.integration.test_role_matrix import PUBLIC, REAL_IDS, ROLES, SIGNED_IN, STRIPE, TABLE, build_world
from tests.support import Stack, running_stack

EXAMPLES = 15  # per operation and generation mode; simple operations exhaust theirs sooner
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]  # fmt: skip
ERROR_KEYS = {"code", "status", "message", "errors"}
# Operations that may end the session they are called with: each call gets a session of its own.
SIGNS_OUT = frozenset({"/api/v1/auth/logout", "/api/v1/me/sessions/{session_id}", "/api/v1/me/password", "/api/v1/me"})


@pytest.fixture
def fuzzed(infra: Infra, api_server: Callable[..., str]) -> Iterator[Stack]:
    """A stack whose rate limits stay out of the way: the fuzzer is one client sending thousands."""
    limits = {"logins_per_account": "10000/minute", "failed_logins_per_client": "10000/minute",
              "bookings_per_trainee": "10000/minute", "questions_per_trainee": "10000/minute",
              "password_resets_per_address": "10000/minute", "password_resets_per_client": "10000/minute"}  # fmt: skip
    with running_stack(infra, api_server, ["capacity", "payments"], **limits) as stack:
        yield stack


def _sign_in(stack: Stack, email: str) -> str:
    signed = stack.api.call("POST", "/api/v1/auth/login", json={"email": email, "password": "correct horse battery"})
    assert signed.status_code == 200, signed.text
    return str(signed.json()["access_token"])


def _token_choices(audience: Any) -> list[str | None]:
    """Roles to call an operation as: mostly its audience, sometimes anyone, sometimes nobody."""
    if audience in (PUBLIC, STRIPE):
        return [None, None, *ROLES]
    allowed = list(ROLES) if audience == SIGNED_IN else sorted(audience)
    return [*allowed, *allowed, *allowed, *ROLES, None]


@pytest.mark.slow
def test_generated_requests_get_no_5xx_one_error_format_and_documented_answers(fuzzed: Stack) -> None:
    stack = fuzzed
    world = build_world(stack)  # a token per role and real ids, so requests reach past the 404s
    users, ids = world["users"], {name: world["ids"][name] for name in REAL_IDS}
    schema = schemathesis.openapi.from_dict(stack.api.call("GET", "/api/openapi.json").json())
    base_url = stack.api.base_url
    statuses: Counter[int] = Counter()
    problems: list[str] = []
    nothing_to_negate: list[str] = []

    def exercise(case: Any, data: st.DataObject, audience: Any) -> None:
        for name in case.path_parameters or {}:
            if name in ids and data.draw(st.booleans(), label=f"real {name}"):
                case.path_parameters[name] = ids[name]
        role = data.draw(st.sampled_from(_token_choices(audience)), label="role")
        token = users[role]["token"] if role else None
        if role and case.path in SIGNS_OUT:
            token = _sign_in(stack, users[role]["email"])  # a logout, everywhere even, must not sign the fuzzer out
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = case.call(base_url=base_url, headers=headers, timeout=60)
        statuses[response.status_code] += 1
        mode = case.meta.generation.mode if case.meta else GenerationMode.POSITIVE
        checks = [*CHECKS, negative_data_rejection] if mode is GenerationMode.NEGATIVE else CHECKS
        if response.status_code >= 400:
            where = f"{case.method} {case.formatted_path} -> {response.status_code}"
            content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])[0]
            assert content_type.startswith("application/json"), where
            body = response.json()
            assert set(body) == ERROR_KEYS and body["status"] == response.status_code, (where, body)
        case.validate_response(response, checks=checks, headers=headers)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} == set(TABLE)
    for operation in operations:
        audience = TABLE[(operation.method.upper(), operation.path)][0]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def run(case: Any, data: st.DataObject) -> None:
                exercise(case, data, audience)  # noqa: B023 - run() is called right here, in this iteration

            try:
                run()
            except Unsatisfiable:
                # Nothing to make invalid: no parameter and no body (GET /api/v1/me, say).
                assert mode is GenerationMode.NEGATIVE, operation.label
                nothing_to_negate.append(operation.label)
            except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - each operation's first, reported at the end
                problems.append(f"{operation.label} ({mode.value}): {failure!r}"[:3000])

    total = sum(statuses.values())
    print(f"\nfuzzed {len(operations)} operations with {total} requests; statuses: {dict(sorted(statuses.items()))}"
          f"; no invalid variant of: {', '.join(nothing_to_negate)}")  # fmt: skip
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])
    assert total >= 1000
    assert not [s for s in statuses if s >= 500]
    assert statuses[200] + statuses[201] + statuses[202] >= 50  # the tokens and ids took it past the refusals
