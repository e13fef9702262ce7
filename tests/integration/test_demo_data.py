"""The demo data, seeded through the API as ``make run`` does: trainings at real venues, each on its own
clock, whose pages give the local hours and name the zone."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.services import accounts
from devstack import demo, demo_pictures, history, mentoring_demo
from tests.support import Stack

ZONES = {"Paris": "Europe/Paris", "Milano": "Europe/Rome", "Berlin": "Europe/Berlin"}


def _page_text(stack: Stack, path: str) -> str:
    """A page's words without its markup, one space apart."""
    page = stack.api.call("GET", path)
    assert page.status_code == 200, page.text
    return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())


@pytest.mark.slow
def test_demo_trainings_are_at_real_venues_on_their_own_clocks(stack: Stack) -> None:
    accounts.create_admin(stack.deps, demo.ADMIN[0], demo.PASSWORD, demo.ADMIN[1])  # as `make run` does
    seeded = demo.seed(stack.api.base_url)
    assert {t["venue"]["city"]: t["timezone"] for t in seeded["trainings"]} == ZONES
    for training in seeded["trainings"]:
        zone = ZoneInfo(training["timezone"])
        assert training["venue"]["postal_code"] != "00000" and "Hospital Street" not in training["venue"]["address"]
        starts, ends = (datetime.fromisoformat(training[k]).astimezone(zone) for k in ("starts_at", "ends_at"))
        assert (starts.date(), starts.strftime("%H:%M"), ends.strftime("%H:%M")) == (ends.date(), "07:30", "16:30")
        text = _page_text(stack, f"/trainings/{training['id']}")
        assert f"07:30–16:30 {training['timezone']} time (" in text and "UTC time" not in text, text

    # Dr Martin's portrait and her training's photo, drawn at load time; loading again adds none.
    martin = seeded["trainings"][0]["expert"]
    shown = stack.api.call("GET", f"/api/v1/trainings/{seeded['trainings'][0]['id']}").json()
    assert shown["expert"]["portrait"]["alt"] == demo_pictures.PORTRAIT_ALT, martin
    assert [p["alt"] for p in shown["photos"]] == [demo_pictures.PHOTO_ALT]
    assert stack.api.call("GET", shown["photos"][0]["small"]["url"]).headers["Content-Type"] == "image/jpeg"
    demo.seed(stack.api.base_url)
    assert stack.db.fs.files.count_documents({}) == 4  # two images each, the portrait's and the photo's

    # The past session of the first programme keeps the venue's local hours, whatever the season then.
    history.seed_past_session(stack.config, seeded["trainings"][0]["id"])
    past = stack.deps.trainings.get(history.PAST_TRAINING)
    assert past is not None and past.starts_at and past.ends_at
    paris = ZoneInfo("Europe/Paris")
    starts, ends = past.starts_at.astimezone(paris), past.ends_at.astimezone(paris)
    assert (starts.date(), starts.strftime("%H:%M"), ends.strftime("%H:%M")) == (ends.date(), "07:30", "16:30")

    # The mentoring side: goals, alerts, an assessment of the past day and a follow-up thread; a rerun adds nothing.
    mentoring_demo.seed_mentoring(stack.api.base_url)
    mentoring_demo.seed_mentoring(stack.api.base_url)
    sam = stack.api.call("POST", "/api/v1/auth/login", json={"email": demo.TRAINEE[0], "password": demo.PASSWORD})
    token = sam.json()["access_token"]
    assert stack.api.call("GET", "/api/v1/me/goals", token).json()["techniques"] == ["TAVI", "MitraClip"]
    alerts = stack.api.call("GET", "/api/v1/me/alerts", token).json()["items"]
    assert [a["name"] for a in alerts] == ["TAVI anywhere", "Anything in Milano"]
    said = stack.api.call("GET", f"/api/v1/bookings/{history.PAST_BOOKING}/assessment", token).json()
    assert said["revision"] == 1 and len(said["competencies"]) == 3
    thread = stack.api.call("GET", f"/api/v1/bookings/{history.PAST_BOOKING}/messages", token).json()
    assert [m["by"] for m in thread["items"]] == ["trainee", "expert"]
    questions = f"/api/v1/trainings/{seeded['trainings'][0]['id']}/questions"
    assert [q["answer"] is not None for q in stack.api.call("GET", questions).json()["items"]] == [True]
    assert len(stack.api.call("GET", f"{questions}?state=open", token).json()["items"]) == 1
    recommended = stack.api.call("GET", "/api/v1/me/recommendations", token).json()["trainings"]
    assert recommended and recommended[0]["training"]["technique"] == "TAVI"
