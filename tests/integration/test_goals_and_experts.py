"""Learning goals, recommendations and the experts' directory over HTTP, against the real services."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Stack, day_ahead, wait_for

LONDON = {"institution": "St Thomas' Hospital", "address": "Westminster Bridge Rd", "city": "London",
          "postal_code": "SE1 7EH", "country": "GB"}  # fmt: skip


def _put_goals(stack: Stack, who: dict[str, Any], body: dict[str, Any]) -> Any:
    return stack.api.call("PUT", "/api/v1/me/goals", who["token"], json=body)


@pytest.mark.workers()
def test_goals_are_mine_whole_and_checked(stack: Stack) -> None:
    api = stack.api
    anna = api.user("trainee", "Anna Karlsson")
    empty = api.call("GET", "/api/v1/me/goals", anna["token"])
    assert empty.status_code == 200 and empty.json()["techniques"] == [] and empty.json()["updated_at"] is None
    body = {
        "specialties": ["interventional cardiology"], "techniques": ["TAVI"], "level": "fellow",
        "languages": ["fr", "en"], "countries": ["FR", "BE"], "budget": {"amount": 150_000, "currency": "eur"},
    }  # fmt: skip
    put = _put_goals(stack, anna, body)
    assert put.status_code == 200, put.text
    got = api.call("GET", "/api/v1/me/goals", anna["token"]).json()
    assert {k: got[k] for k in body} == body and got["updated_at"]

    bad = _put_goals(stack, anna, {"techniques": ["TAVI"], "level": "intern", "countries": ["France"],
                                   "budget": {"amount": -1, "currency": "yen"}})  # fmt: skip
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert set(errors) == {"level", "countries", "budget"}
    assert set(errors["budget"]) == {"amount", "currency"}
    nothing = _put_goals(stack, anna, {"languages": ["fr"]})
    assert nothing.status_code == 422 and nothing.json()["errors"] == {
        "techniques": ["Name at least one technique or specialty."]
    }
    assert api.call("GET", "/api/v1/me/goals", anna["token"]).json()["level"] == "fellow"  # nothing half-written

    expert = api.user("expert")
    assert _put_goals(stack, expert, body).status_code == 403
    assert api.call("PUT", "/api/v1/me/goals", json=body).status_code == 401


@pytest.mark.workers()
def test_recommendations_rank_by_the_goals_and_say_why(stack: Stack) -> None:
    api = stack.api
    paris = api.expert("Dr Claire Martin")
    london = api.expert("Mr James Hall")
    api.call("PATCH", "/api/v1/me", paris["token"], json={"specialty": "interventional cardiology",
                                                          "languages": ["fr", "en"], "country": "FR"})  # fmt: skip
    starts, ends = day_ahead(60, zone="Europe/London")
    french = api.published_training(paris, title="TAVI for fellows", technique="TAVI", levels=["fellow"],
                                    specialty="interventional cardiology", price=120_000)  # fmt: skip
    english = api.published_training(london, title="TAVI, transfemoral", technique="TAVI", languages=["en"],
                                     venue=LONDON, timezone="Europe/London", starts_at=starts, ends_at=ends,
                                     levels=["senior"], currency="gbp", price=90_000)  # fmt: skip
    api.published_training(london, title="Robotic prostatectomy", specialty="urology",
                           technique="Robotic-assisted radical prostatectomy", languages=["en"])  # fmt: skip
    assert french["levels"] == ["fellow"]

    anna = api.user("trainee", "Anna Karlsson")
    before = api.call("GET", "/api/v1/me/recommendations", anna["token"]).json()
    assert before == {"goals_set": False, "trainings": [], "experts": []}
    _put_goals(stack, anna, {"techniques": ["TAVR"], "level": "fellow", "languages": ["fr"], "countries": ["FR"],
                             "budget": {"amount": 150_000, "currency": "eur"}})  # fmt: skip

    def recommended() -> Any:
        body = api.call("GET", "/api/v1/me/recommendations", anna["token"]).json()
        return body if len(body["trainings"]) == 2 else None

    body = wait_for(recommended, timeout=10, what="both TAVI sessions in the catalogue")
    first, second = body["trainings"]
    assert first["training"]["id"] == french["id"] and second["training"]["id"] == english["id"]
    assert first["reasons"] == [
        "TAVR is one of your goals", "Taught in French", "Held in France, where you want to train",
        "Meant for fellows like you", "Within your budget of 1500.00 EUR",
    ]  # fmt: skip
    assert 0 <= second["score"] < first["score"] <= 100
    assert first["training"]["expert"]["name"] == "Dr Claire Martin"
    assert [e["expert"]["id"] for e in body["experts"]] == [paris["id"], london["id"]]
    assert body["experts"][0]["reasons"][0] == "Teaches TAVI, in line with your goals"
    assert body["experts"][0]["trainings"][0]["id"] == french["id"]
    assert api.call("GET", "/api/v1/me/recommendations?trainings=0", anna["token"]).status_code == 422
    assert api.call("GET", "/api/v1/me/recommendations", paris["token"]).status_code == 403


@pytest.mark.workers()
def test_the_directory_lists_verified_experts_with_their_upcoming_trainings(stack: Stack) -> None:
    api = stack.api
    paris = api.expert("Dr Claire Martin")
    profile = {"specialty": "interventional cardiology", "institution": "Hôpital Européen", "country": "FR"}
    api.call("PATCH", "/api/v1/me", paris["token"], json=profile)
    unverified = api.user("expert", "Dr Not Yet")
    api.call("PATCH", "/api/v1/me", unverified["token"], json={"specialty": "interventional cardiology"})
    tavi = api.published_training(paris, technique="TAVI")

    def listed(query: str) -> Any:
        answer = api.call("GET", f"/api/v1/experts{query}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    found = wait_for(lambda: listed("?technique=tavi")["items"], timeout=10, what="the expert's TAVI session")
    assert [e["id"] for e in found] == [paris["id"]]
    assert found[0]["verified"] is True and found[0]["institution"] == "Hôpital Européen"
    assert [t["id"] for t in found[0]["upcoming"]] == [tavi["id"]] and found[0]["upcoming"][0]["city"] == "Paris"
    assert [e["id"] for e in listed("?specialty=cardiology")["items"]] == [paris["id"]]  # never the unverified one
    assert listed("?technique=prostatectomy")["total"] == 0
    assert listed("?q=europeen&country=FR")["total"] == 1
    bad = api.call("GET", "/api/v1/experts?country=France&language=French")
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"country", "language"}
