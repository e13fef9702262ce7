"""Accounts, profiles, tokens, the admin command and expert verification."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from api import create_app
from core.errors import Unauthorized
from core.services import accounts
from events import ExpertRejected, ExpertVerificationRequested, ExpertVerified, UserRegistered
from events.codec import decode
from events.types import topic_name
from tests.support import TRAINING, Stack, read_topic, wait_for

# Only the API, but where a test reads the e-mails the notifications worker sends.
pytestmark = pytest.mark.workers()

CREDENTIAL = {"kind": "board_certification", "number": "EBCTS-2231", "issuer": "EBCTS", "country": "BE"}


def test_a_profile_is_kept_and_each_role_edits_only_its_own_fields(stack: Stack) -> None:
    api = stack.api
    created = api.call(
        "POST",
        "/api/v1/auth/register",
        json={
            "email": "prof.dubois@example.org",
            "password": "correct horse battery",
            "name": "Pr Dubois",
            "role": "expert",
            "institution": "CHU de Lyon",
            "title": "Professor of cardiac surgery",
            "specialty": "cardiac surgery",
            "country": "FR",
            "languages": ["fr", "en"],
        },
    )
    assert created.status_code == 201, created.text
    token = api.call(
        "POST", "/api/v1/auth/login", json={"email": "prof.dubois@example.org", "password": "correct horse battery"}
    ).json()["access_token"]
    me = api.call("GET", "/api/v1/me", token).json()
    assert me["institution"] == "CHU de Lyon" and me["languages"] == ["fr", "en"]
    assert me["verification"] == "unverified" and me["verified"] is False
    patched = api.call("PATCH", "/api/v1/me", token, json={"bio": "Twenty years of mitral repair."})
    assert patched.status_code == 200 and patched.json()["bio"] == "Twenty years of mitral repair."

    trainee = api.user("trainee")
    refused = api.call("PATCH", "/api/v1/me", trainee["token"], json={"institution": "Nowhere", "bio": "x"})
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"institution", "bio"}
    bad = api.call("PATCH", "/api/v1/me", trainee["token"], json={"country": "France", "languages": ["french"]})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"country", "languages"}
    assert api.call("GET", "/api/v1/me", trainee["token"]).json()["country"] is None


def test_logout_revokes_the_token_and_everywhere_revokes_them_all(stack: Stack) -> None:
    api = stack.api
    user = api.user("trainee")
    second = api.call(
        "POST", "/api/v1/auth/login", json={"email": user["email"], "password": "correct horse battery"}
    ).json()["access_token"]
    out = api.call("POST", "/api/v1/auth/logout", user["token"])
    assert out.status_code == 200 and out.json() == {"revoked": 1}
    assert api.call("GET", "/api/v1/me", user["token"]).status_code == 401
    assert api.call("GET", "/api/v1/me", second).status_code == 200
    third = api.call(
        "POST", "/api/v1/auth/login", json={"email": user["email"], "password": "correct horse battery"}
    ).json()["access_token"]
    everywhere = api.call("POST", "/api/v1/auth/logout?everywhere=true", second)
    assert everywhere.json() == {"revoked": 2}
    assert api.call("GET", "/api/v1/me", third).status_code == 401


def test_a_token_expires(stack: Stack) -> None:
    user = stack.api.user("trainee")
    assert accounts.authenticate(stack.deps, user["token"]).id == user["id"]
    later = dataclasses.replace(
        stack.deps, clock=lambda: stack.deps.clock() + timedelta(seconds=stack.config.token_ttl_seconds + 1)
    )
    with pytest.raises(Unauthorized):
        accounts.authenticate(later, user["token"])


def test_admins_come_from_the_command_line_only(stack: Stack) -> None:
    refused = stack.api.call(
        "POST",
        "/api/v1/auth/register",
        json={"email": "boss@example.org", "password": "correct horse battery", "name": "Boss", "role": "admin"},
    )
    assert refused.status_code == 422 and "role" in refused.json()["errors"]

    runner = create_app(stack.config).test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "--email", "ops@example.org", "--name", "Ops"],
        input="a long admin password\na long admin password\n",
    )
    assert result.exit_code == 0, result.output
    assert "admin ops@example.org created" in result.output
    login = stack.api.call(
        "POST", "/api/v1/auth/login", json={"email": "ops@example.org", "password": "a long admin password"}
    )
    assert login.status_code == 200 and login.json()["user"]["role"] == "admin"
    again = runner.invoke(
        args=["create-admin", "--email", "ops@example.org", "--name", "Ops"],
        input="a long admin password\na long admin password\n",
    )
    assert again.exit_code != 0 and "exists" in again.output


@pytest.mark.workers("notifications")
def test_only_a_verified_expert_publishes_and_the_badge_shows(stack: Stack) -> None:
    api = stack.api
    admin, expert, trainee, sponsor = (
        api.admin(),
        api.user("expert", "Dr Rossi"),
        api.user("trainee"),
        api.user("sponsor"),
    )
    draft = api.call(
        "POST", "/api/v1/trainings", expert["token"], json={**TRAINING, "title": "Robotic nephrectomy"}
    ).json()
    publish = f"/api/v1/trainings/{draft['id']}/publish"
    refused = api.call("POST", publish, expert["token"])
    assert refused.status_code == 403 and "credentials" in refused.json()["message"]

    assert (
        api.call("POST", "/api/v1/me/credentials", trainee["token"], json={"credentials": [CREDENTIAL]}).status_code
        == 403
    )
    empty = api.call("POST", "/api/v1/me/credentials", expert["token"], json={"credentials": []})
    assert empty.status_code == 422 and "credentials" in empty.json()["errors"]
    submitted = api.call("POST", "/api/v1/me/credentials", expert["token"], json={"credentials": [CREDENTIAL]})
    assert submitted.status_code == 202 and submitted.json()["verification"] == "pending"

    for outsider in (trainee, expert, sponsor):
        assert api.call("GET", "/api/v1/admin/experts", outsider["token"]).status_code == 403
        assert api.call("POST", f"/api/v1/admin/experts/{expert['id']}/verify", outsider["token"]).status_code == 403
    queue = api.call("GET", "/api/v1/admin/experts?status=pending", admin["token"]).json()
    [entry] = [e for e in queue["items"] if e["id"] == expert["id"]]
    assert entry["credentials"][0]["number"] == "EBCTS-2231"

    short = api.call("POST", f"/api/v1/admin/experts/{expert['id']}/reject", admin["token"], json={"reason": "no"})
    assert short.status_code == 422 and "reason" in short.json()["errors"]
    reason = "The certificate number does not match the EBCTS register."
    rejected = api.call("POST", f"/api/v1/admin/experts/{expert['id']}/reject", admin["token"], json={"reason": reason})
    assert rejected.status_code == 200 and rejected.json()["verification"] == "rejected"
    assert api.call("GET", "/api/v1/me", expert["token"]).json()["verification_reason"] == reason
    assert api.call("POST", publish, expert["token"]).status_code == 403
    assert api.call("POST", f"/api/v1/admin/experts/{expert['id']}/verify", admin["token"]).status_code == 409

    api.call("POST", "/api/v1/me/credentials", expert["token"], json={"credentials": [CREDENTIAL]})
    verified = api.call("POST", f"/api/v1/admin/experts/{expert['id']}/verify", admin["token"])
    assert verified.status_code == 200 and verified.json()["verified"] is True
    assert api.call("POST", f"/api/v1/admin/experts/{expert['id']}/verify", admin["token"]).status_code == 409

    published = api.call("POST", publish, expert["token"])
    assert published.status_code == 200, published.text
    assert published.json()["expert"] == {
        "id": expert["id"],
        "name": "Dr Rossi",
        "title": None,
        "institution": None,
        "specialty": None,
        "country": None,
        "languages": [],
        "bio": None,
        "verified": True,
        "rating_average": None,  # no reviews yet
        "rating_count": 0,
        "portrait": None,  # none uploaded
    }
    assert api.call("GET", f"/api/v1/experts/{expert['id']}").json()["verified"] is True
    listed = api.call("GET", "/api/v1/trainings").json()["items"]
    assert [t["expert"]["verified"] for t in listed if t["id"] == draft["id"]] == [True]

    records = read_topic(stack.config, topic_name(stack.config.kafka_topic_prefix, "accounts"))
    kinds = [e.type for e in map(decode, (r.value for r in records)) if e.subject == expert["id"]]
    assert kinds == [
        UserRegistered.TYPE,
        ExpertVerificationRequested.TYPE,
        ExpertRejected.TYPE,
        ExpertVerificationRequested.TYPE,
        ExpertVerified.TYPE,
    ]
    subjects = wait_for(
        lambda: (
            len(m := [x for x in stack.mails_to(expert["email"]) if "credentials" in x["Subject"]]) >= 2
            and sorted(x["Subject"] for x in m)
        ),
        what="both verification e-mails",
    )
    assert subjects == ["Your credentials are verified", "Your credentials could not be verified"]
