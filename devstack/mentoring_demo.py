"""Demo data for the mentoring side, through the public API as people would make it: the demo
trainee's learning goals and saved searches, and after the past session, Dr Martin's assessment of
the day and a follow-up thread between them. Idempotent: a rerun adds nothing."""

from __future__ import annotations

from typing import Any

import requests

from devstack import demo, history

GOALS = {
    "specialties": ["cardiology"], "techniques": ["TAVI", "MitraClip"], "level": "fellow",
    "languages": ["en", "fr"], "countries": ["FR", "BE", "IT"], "budget": {"amount": 150_000, "currency": "eur"},
}  # fmt: skip
ALERTS = [
    {"name": "TAVI anywhere", "filters": {"technique": "TAVI"}, "delivery": "instant"},
    {"name": "Anything in Milano", "filters": {"city": "Milano"}, "delivery": "daily"},
]
ASSESSMENT = {
    "competencies": [
        {"name": "Case selection on the CT", "level": "performed_supervised"},
        {"name": "Femoral access and closure", "level": "assisted"},
        {"name": "Valve deployment", "level": "observed"},
    ],
    "comment": "Careful sizing on the CT and steady hands at the access. You hesitated at the final check of the "
    "valve position: say each step aloud next time.",
    "next_step": "Ten supervised transfemoral cases at home, then come back for the deployment module.",
}
QUESTIONS = [
    ("How many cases should I have assisted before this day is worth it for me?",
     "Twenty or so as second operator; fewer if you did the CT sizing yourself. Bring two of your cases."),
    ("Is the afternoon's simulator hour open to fellows, or only to consultants?", None),
]  # fmt: skip
THREAD = [
    ("trainee", "Back home, my first patient is 84 with a bicuspid valve. Would you still go transfemoral?"),
    ("expert", "Often yes, but size on the CT at the annulus and at the raphe. Send me the measurements."),
]


def seed_mentoring(base_url: str) -> None:
    """Goals and alerts for the demo trainee; an assessment and a thread on the past session."""
    http = requests.Session()
    trainee = {"Authorization": f"Bearer {demo.login(http, base_url, demo.TRAINEE[0])}"}
    expert = {"Authorization": f"Bearer {demo.login(http, base_url, demo.EXPERTS[0].email)}"}
    _ok(http.put(f"{base_url}/api/v1/me/goals", json=GOALS, headers=trainee, timeout=10))
    saved = _ok(http.get(f"{base_url}/api/v1/me/alerts", headers=trainee, timeout=10))["items"]
    for alert in ALERTS:
        if not any(a["name"] == alert["name"] for a in saved):
            _ok(http.post(f"{base_url}/api/v1/me/alerts", json=alert, headers=trainee, timeout=10))
    _questions(http, base_url, trainee, expert)
    booking = f"{base_url}/api/v1/bookings/{history.PAST_BOOKING}"
    if http.get(f"{booking}/assessment", headers=trainee, timeout=10).status_code == 404:
        _ok(http.put(f"{booking}/assessment", json=ASSESSMENT, headers=expert, timeout=10))
    if not _ok(http.get(f"{booking}/messages", headers=trainee, timeout=10))["total"]:
        for who, text in THREAD:
            _ok(http.post(f"{booking}/messages", json={"text": text}, headers=trainee if who == "trainee" else expert,
                          timeout=10))  # fmt: skip


def _questions(http: requests.Session, base_url: str, trainee: dict[str, str], expert: dict[str, str]) -> None:
    """Two questions on Dr Martin's upcoming training: one answered (public), one waiting for her."""
    listed = _ok(http.get(f"{base_url}/api/v1/trainings", params={"limit": 100}, timeout=10))["items"]
    training = next((t for t in listed if t["title"] == demo.EXPERTS[0].title), None)
    if training is None:
        return
    url = f"{base_url}/api/v1/trainings/{training['id']}/questions"
    asked = {q["text"] for state in ("answered", "open")
             for q in _ok(http.get(url, params={"state": state}, headers=trainee, timeout=10))["items"]}  # fmt: skip
    for text, answer in QUESTIONS:
        if text in asked:
            continue
        question = _ok(http.post(url, json={"text": text}, headers=trainee, timeout=10))
        if answer:
            _ok(http.post(f"{base_url}/api/v1/questions/{question['id']}/answer", json={"text": answer},
                          headers=expert, timeout=10))  # fmt: skip


def _ok(response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.url}: {response.status_code} {response.text}")
    return dict(response.json()) if response.content else {}
