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
    booking = f"{base_url}/api/v1/bookings/{history.PAST_BOOKING}"
    if http.get(f"{booking}/assessment", headers=trainee, timeout=10).status_code == 404:
        _ok(http.put(f"{booking}/assessment", json=ASSESSMENT, headers=expert, timeout=10))
    if not _ok(http.get(f"{booking}/messages", headers=trainee, timeout=10))["total"]:
        for who, text in THREAD:
            _ok(http.post(f"{booking}/messages", json={"text": text}, headers=trainee if who == "trainee" else expert,
                          timeout=10))  # fmt: skip


def _ok(response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.url}: {response.status_code} {response.text}")
    return dict(response.json()) if response.content else {}
