"""The catalogue: training lifecycle and edit rules over HTTP, and search."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

import pytest

from events import TrainingCancelled, TrainingCreated, TrainingPublished
from events.codec import decode
from events.types import topic_name
from tests.support import TRAINING, TRAINING_DAYS_AHEAD, Stack, day_ahead, local_day, read_topic, wait_for

# Only the API, but where a test waits for a worker's seats.
pytestmark = pytest.mark.workers()


def test_the_lifecycle_allows_and_refuses_each_move(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    draft = api.call("POST", "/api/v1/trainings", expert["token"], json={"title": "Incomplete idea"}).json()
    assert draft["status"] == "draft"
    assert api.call("GET", f"/api/v1/trainings/{draft['id']}").status_code == 404  # drafts are private
    incomplete = api.call("POST", f"/api/v1/trainings/{draft['id']}/publish", expert["token"])
    assert incomplete.status_code == 422
    assert {"venue.city", "programme", "languages", "capacity", "starts_at"} <= set(incomplete.json()["errors"])
    assert api.call("POST", f"/api/v1/trainings/{draft['id']}/complete", expert["token"]).status_code == 409

    training = api.published_training(expert)
    tid = training["id"]
    assert training["day"] == local_day(TRAINING["starts_at"]).isoformat() and training["cme_credits"] == 7
    assert api.call("POST", f"/api/v1/trainings/{tid}/publish", expert["token"]).status_code == 409
    early = api.call("POST", f"/api/v1/trainings/{tid}/complete", expert["token"])
    assert early.status_code == 409 and "after it ends" in early.json()["message"]
    assert (
        api.call("POST", f"/api/v1/trainings/{tid}/cancel", trainee["token"], json={"reason": "why not"}).status_code
        == 403
    )
    other = api.expert()
    assert (
        api.call("POST", f"/api/v1/trainings/{tid}/cancel", other["token"], json={"reason": "not mine"}).status_code
        == 403
    )
    cancelled = api.call(
        "POST", f"/api/v1/trainings/{tid}/cancel", expert["token"], json={"reason": "The OR is closed."}
    )
    assert cancelled.status_code == 200 and cancelled.json()["cancellation_reason"] == "The OR is closed."
    for move in ("publish", "complete"):
        assert api.call("POST", f"/api/v1/trainings/{tid}/{move}", expert["token"]).status_code == 409
    assert api.call("PATCH", f"/api/v1/trainings/{tid}", expert["token"], json={"title": "Back?"}).status_code == 409
    booking = api.call("POST", f"/api/v1/trainings/{tid}/bookings", trainee["token"])
    assert booking.status_code == 409

    records = [
        r for topic in ("trainings", "bookings")
        for r in read_topic(stack.config, topic_name(stack.config.kafka_topic_prefix, topic))
    ]  # fmt: skip
    kinds = [e.type for e in map(decode, (r.value for r in records)) if e.subject == tid]
    assert kinds == [TrainingCreated.TYPE, TrainingPublished.TYPE, TrainingCancelled.TYPE]


@pytest.mark.workers("capacity")
def test_published_edits_protect_bookings(stack: Stack) -> None:
    api = stack.api
    expert = api.expert()
    training = api.published_training(expert, capacity=3, price=50000)
    tid = training["id"]
    trainees = [api.user("trainee") for _ in range(2)]
    ids = [api.call("POST", f"/api/v1/trainings/{tid}/bookings", t["token"]).json()["booking"]["id"] for t in trainees]
    wait_for(lambda: all((stack.booking(b) or {}).get("status") == "held" for b in ids), what="two holds")

    too_low = api.call("PATCH", f"/api/v1/trainings/{tid}", expert["token"], json={"capacity": 1})
    assert too_low.status_code == 409 and "At least 2" in too_low.json()["errors"]["capacity"][0]
    frozen = api.call(
        "PATCH", f"/api/v1/trainings/{tid}", expert["token"], json={"currency": "usd", "requires_approval": True}
    )
    assert frozen.status_code == 422 and set(frozen.json()["errors"]) == {"currency", "requires_approval"}
    past = api.call(
        "PATCH",
        f"/api/v1/trainings/{tid}",
        expert["token"],
        json={"starts_at": "2020-01-01T08:00:00+00:00", "ends_at": "2020-01-01T17:00:00+00:00"},
    )
    assert past.status_code == 422 and "starts_at" in past.json()["errors"]

    edited = api.call(
        "PATCH",
        f"/api/v1/trainings/{tid}",
        expert["token"],
        json={"capacity": 2, "price": 65000, "venue": {"address": "Bâtiment B, 20 rue Leblanc"}},
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["capacity"] == 2 and body["price"] == 65000
    assert body["venue"]["address"] == "Bâtiment B, 20 rue Leblanc" and body["venue"]["city"] == "Paris"
    assert [stack.booking(b)["amount"] for b in ids] == [52500, 52500]  # they keep their price (+ 5 % fee)
    wait_for(lambda: stack.deps.seats.snapshot(tid)["capacity"] == 2, what="capacity applied by the worker")
    wait_for(lambda: api.call("GET", f"/api/v1/trainings/{tid}").json()["seats_left"] == 0, what="full")

    def with_free_seats() -> list[str]:
        found = api.call("GET", "/api/v1/trainings", params={"free_seats": "true", "q": "aortic"}).json()
        return [t["id"] for t in found["items"]]

    # The search's copy of the free seats follows the ledger: the worker writes it after the ledger,
    # and the catalogue in memory follows the write within a second (5 s here, for a loaded CI machine).
    wait_for(lambda: tid not in with_free_seats(), timeout=5, what="the full training out of the free-seat search")

    raised = api.call("PATCH", f"/api/v1/trainings/{tid}", expert["token"], json={"capacity": 5})
    assert raised.status_code == 200
    wait_for(lambda: stack.db.trainings.find_one({"_id": tid})["seats_left"] == 3, what="seats left after raise")
    wait_for(lambda: tid in with_free_seats(), timeout=5, what="the training back in the free-seat search")


def test_duplicate_copies_to_a_new_date_as_a_draft(stack: Stack) -> None:
    api = stack.api
    expert = api.expert()
    source = api.published_training(expert, prerequisites=["ACLS certificate"])
    moved_to = day_ahead(TRAINING_DAYS_AHEAD + 84)[0]
    copy = api.call(
        "POST",
        f"/api/v1/trainings/{source['id']}/duplicate",
        expert["token"],
        json={"starts_at": moved_to},
    )
    assert copy.status_code == 201, copy.text
    body = copy.json()
    assert body["status"] == "draft" and body["duplicated_from"] == source["id"] and body["id"] != source["id"]
    starts, ends = (datetime.fromisoformat(body[k]) for k in ("starts_at", "ends_at"))
    assert starts == datetime.fromisoformat(moved_to) and ends - starts == timedelta(hours=9)
    assert body["programme"] == source["programme"] and body["prerequisites"] == ["ACLS certificate"]
    assert api.call("POST", f"/api/v1/trainings/{body['id']}/publish", expert["token"]).status_code == 200
    mine = api.call("GET", "/api/v1/me/trainings", expert["token"]).json()
    assert {t["id"] for t in mine["items"]} == {source["id"], body["id"]} and mine["total"] == 2
    stranger = api.expert()
    assert (
        api.call(
            "POST",
            f"/api/v1/trainings/{source['id']}/duplicate",
            stranger["token"],
            json={"starts_at": moved_to},
        ).status_code
        == 403
    )


def _weeks_later(weeks: int) -> dict[str, str]:
    """The default training's hours, ``weeks`` weeks after its day."""
    starts, ends = day_ahead(TRAINING_DAYS_AHEAD + 7 * weeks)
    return {"starts_at": starts, "ends_at": ends}


def _seed_catalogue(stack: Stack) -> dict[str, str]:
    api = stack.api
    paris, lyon = api.expert("Dr Paris"), api.expert("Dr Lyon")
    venue = TRAINING["venue"]
    specs = {
        "tavi_paris_march": (paris, {}),
        "tavi_paris_may": (paris, {**_weeks_later(8), "price": 30000}),
        "mitral_lyon": (lyon, {**_weeks_later(4),
                               "title": "Mitral valve repair, hands-on", "technique": "Mitral repair",
                               "specialty": "cardiac surgery", "languages": ["fr"], "price": 80000,
                               "venue": {**venue, "city": "Lyon", "institution": "Hôpital Louis Pradel"}}),
        "dmek_berlin": (lyon, {**_weeks_later(13),
                               "title": "DMEK corneal transplant", "technique": "DMEK", "specialty": "ophthalmology",
                               "languages": ["de", "en"], "price": 0, "currency": "eur",
                               "venue": {**venue, "city": "Berlin", "country": "DE", "institution": "Charité"}}),
    }  # fmt: skip
    return {name: api.published_training(expert, **fields)["id"] for name, (expert, fields) in specs.items()}


def _search(stack: Stack, **params: Any) -> list[str]:
    response = stack.api.call("GET", "/api/v1/trainings", params=params)
    assert response.status_code == 200, response.text
    return [t["id"] for t in response.json()["items"]]


def test_search_filters_combine(stack: Stack) -> None:
    ids = _seed_catalogue(stack)
    by = {v: k for k, v in ids.items()}

    def names(**params: Any) -> list[str]:
        return [by[i] for i in _search(stack, **params) if i in by]

    assert names() == ["tavi_paris_march", "mitral_lyon", "tavi_paris_may", "dmek_berlin"]
    assert names(q="aortic valve") == ["tavi_paris_march", "tavi_paris_may"]
    assert names(q="CORNÉAL") == ["dmek_berlin"]  # case and accents do not matter
    assert names(specialty="Cardiology", city="paris") == ["tavi_paris_march", "tavi_paris_may"]
    assert names(country="FR", language="fr", price_max=50000, currency="eur") == ["tavi_paris_march", "tavi_paris_may"]
    assert names(country="FR", price_min=40000, price_max=90000, currency="eur") == ["tavi_paris_march", "mitral_lyon"]
    assert names(technique="mitral repair") == ["mitral_lyon"]
    assert names(language="en", sort="-price") == ["tavi_paris_march", "tavi_paris_may", "dmek_berlin"]
    six_weeks_later, ten_weeks_later = _weeks_later(6)["starts_at"], _weeks_later(10)["starts_at"]
    assert names(date_from=six_weeks_later, date_to=ten_weeks_later) == ["tavi_paris_may"]
    assert names(sort="price") == ["dmek_berlin", "tavi_paris_may", "tavi_paris_march", "mitral_lyon"]
    assert names(verified_only="true", free_seats="true", city="Berlin") == ["dmek_berlin"]
    assert names(q="nothing matches this") == []

    bad = stack.api.call(
        "GET",
        "/api/v1/trainings",
        params={"country": "France", "sort": "stars", "price_min": 5, "price_max": 1, "currency": "eur"},
    )
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"country", "sort", "price_max"}


def test_pages_are_stable(stack: Stack) -> None:
    api = stack.api
    expert = api.expert()
    made = {api.published_training(expert, title=f"Same-day course number {i}")["id"] for i in range(7)}
    seen: list[str] = []
    for offset in range(0, 9, 3):
        body = api.call("GET", "/api/v1/trainings", params={"q": "course", "limit": 3, "offset": offset}).json()
        assert body["total"] == 7
        seen += [t["id"] for t in body["items"]]
    assert len(seen) == 7 and set(seen) == made  # same start time for all: the id breaks ties


def _seed_currencies(stack: Stack) -> dict[str, str]:
    """Trainings whose raw prices interleave across currencies (and two of the same price, for the id)."""
    expert, day = stack.api.expert(), _weeks_later(2)
    prices = {"chf_50": ("chf", 5000), "gbp_400": ("gbp", 40000), "eur_300": ("eur", 30000),
              "eur_100": ("eur", 10000), "gbp_200": ("gbp", 20000), "eur_300_too": ("eur", 30000)}  # fmt: skip
    return {
        name: stack.api.published_training(expert, **day, title=f"Priced course {name}", currency=c, price=p)["id"]
        for name, (c, p) in prices.items()
    }


def test_sorting_by_price_compares_within_each_currency(stack: Stack) -> None:
    ids = _seed_currencies(stack)
    by = {v: k for k, v in ids.items()}
    same_price = sorted(["eur_300", "eur_300_too"], key=ids.__getitem__)  # the id breaks the tie, ascending

    def names(**params: Any) -> list[str]:
        return [by[i] for i in _search(stack, **params)]

    # Grouped by currency (alphabetically), each group by price; a raw sort would interleave eur and gbp.
    assert names(sort="price") == ["chf_50", "eur_100", *same_price, "gbp_200", "gbp_400"]
    assert names(sort="-price") == ["chf_50", *same_price, "eur_100", "gbp_400", "gbp_200"]
    assert names(sort="-price", currency="eur") == [*same_price, "eur_100"]
    assert names(sort="price", currency="gbp") == ["gbp_200", "gbp_400"]
    paged = [name for offset in (0, 2, 4) for name in names(sort="-price", limit=2, offset=offset)]
    assert paged == names(sort="-price")  # pages neither overlap nor skip


def test_price_filters_need_the_currency_they_are_in(stack: Stack) -> None:
    ids = _seed_currencies(stack)
    by = {v: k for k, v in ids.items()}

    def names(**params: Any) -> list[str]:
        return sorted(by[i] for i in _search(stack, **params))

    required = {"currency": ["Required with price_min or price_max: prices are compared within one currency."]}
    for params in ({"price_min": 15000}, {"price_max": 25000}, {"price_min": 0, "price_max": 1, "sort": "price"}):
        refused = stack.api.call("GET", "/api/v1/trainings", params=params)
        assert refused.status_code == 422 and refused.json()["errors"] == required, (params, refused.text)
    mistyped = stack.api.call("GET", "/api/v1/trainings", params={"price_max": 100, "currency": "btc"})
    assert mistyped.status_code == 422 and len(mistyped.json()["errors"]["currency"]) == 1  # its own message only

    # Within one currency only: 200.00 GBP is not "at most 250.00 EUR", nor 50.00 CHF.
    assert names(price_max=25000, currency="eur") == ["eur_100"]
    assert names(price_min=15000, currency="gbp") == ["gbp_200", "gbp_400"]
    assert names(price_min=30000, price_max=30000, currency="eur") == ["eur_300", "eur_300_too"]
    assert names(currency="chf") == ["chf_50"]


BAD_FIELDS = {
    "title": "ab",
    "specialty": "x",
    "technique": "",
    "description": 5,
    "programme": [{"start": "8am", "end": "09:00", "title": "Step"}],
    "languages": ["french"],
    "venue": {"country": "France"},
    "starts_at": "2020-03-15 08:00",
    "ends_at": "2020-03-15T08:00:00",
    "timezone": "Paris",
    "capacity": 0,
    "price": -1,
    "currency": "btc",
    "cme_credits": 30,
    "prerequisites": ["x"],
    "requires_approval": "maybe",
    "refund_full_days_before": 400,
    "hold_minutes": 1,
    "surprise": True,
}


def test_each_training_field_is_validated_and_named(stack: Stack) -> None:
    api = stack.api
    expert = api.expert()
    for field, value in BAD_FIELDS.items():
        body = {"title": "A valid title", field: value}
        response = api.call("POST", "/api/v1/trainings", expert["token"], json=body)
        assert response.status_code == 422, (field, response.text)
        assert list(response.json()["errors"]) == [field], (field, response.json())
    assert api.call("GET", "/api/v1/me/trainings", expert["token"]).json()["total"] == 0  # nothing half-written
    training = api.published_training(expert)
    for field in ("capacity", "timezone", "venue"):
        patch = api.call(
            "PATCH", f"/api/v1/trainings/{training['id']}", expert["token"], json={field: BAD_FIELDS[field]}
        )
        assert patch.status_code == 422 and list(patch.json()["errors"]) == [field], (field, patch.text)


@pytest.mark.workers("capacity")
def test_the_search_shows_a_taken_seat_a_rating_and_an_edit_within_a_second(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    tid = api.published_training(expert, capacity=1, title="Freshness check: aortic valve day")["id"]

    def listed(**params: Any) -> dict[str, dict[str, Any]]:
        response = api.call("GET", "/api/v1/trainings", params={"q": "freshness", **params})
        assert response.status_code == 200, response.text
        return {t["id"]: t for t in response.json()["items"]}

    def within_a_second(shown: Any, what: str) -> None:
        wait_for(shown, timeout=1.0, what=what)

    assert listed(free_seats="true")[tid]["seats_left"] == 1
    # The capacity worker takes the seat and copies the free seats onto the training.
    assert api.call("POST", f"/api/v1/trainings/{tid}/bookings", trainee["token"]).status_code == 202
    wait_for(lambda: stack.db.trainings.find_one({"_id": tid})["seats_left"] == 0, what="the seat taken")
    within_a_second(lambda: tid not in listed(free_seats="true") and listed()[tid]["seats_left"] == 0, "no seat left")
    # The reviews write the rating; another process edits the training.
    stack.db.trainings.update_one({"_id": tid}, {"$set": {"rating_average": 4.5, "rating_count": 2}})
    within_a_second(lambda: listed(min_rating=4, sort="rating").get(tid, {}).get("rating_count") == 2, "the rating")
    stored = stack.deps.trainings.get(tid)
    assert stored is not None
    renamed = dataclasses.replace(stored, title="Freshness check, renamed", version=stored.version + 1)
    assert stack.deps.trainings.replace(renamed, expected_version=stored.version)
    within_a_second(lambda: listed()[tid]["title"] == "Freshness check, renamed", "the edit")
    cancelled = api.call(
        "POST", f"/api/v1/trainings/{tid}/cancel", expert["token"], json={"reason": "The OR is closed."}
    )
    assert cancelled.status_code == 200
    assert tid not in listed()  # this API's own change: at its next search
