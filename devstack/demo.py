"""Demo data, created through the public API as a person would: accounts, trainings and some activity."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import requests

from devstack.demo_pictures import add_pictures

PASSWORD = "demo-password-1"


class DemoExpert(NamedTuple):
    """A demo expert, the hospital they teach in and the training they publish there."""

    email: str
    name: str
    institution: str
    address: str
    postal_code: str
    city: str
    country: str
    timezone: str
    languages: list[str]
    specialty: str
    title: str
    capacity: int
    price: int


EXPERTS = [
    DemoExpert(
        "dr.martin@demo.example", "Dr Claire Martin", "Hôpital Européen Georges-Pompidou", "20 rue Leblanc",
        "75015", "Paris", "FR", "Europe/Paris", ["fr", "en"], "cardiology",
        "TAVI: transfemoral valve implantation, step by step", 6, 95000,
    ),
    DemoExpert(
        "dr.rossi@demo.example", "Dr Marco Rossi", "Ospedale San Raffaele", "Via Olgettina 60", "20132", "Milano",
        "IT", "Europe/Rome", ["it", "en"], "urology", "Robotic partial nephrectomy in the OR", 4, 120000,
    ),
    DemoExpert(
        "dr.schmidt@demo.example", "Dr Anna Schmidt", "Charité", "Charitéplatz 1", "10117", "Berlin", "DE",
        "Europe/Berlin", ["de", "en"], "ophthalmology", "DMEK corneal transplant wet lab and live surgery", 8, 0,
    ),
]  # fmt: skip
# The day at the venue, on its own clock (HH:MM); the programme fills it.
DAY_STARTS, DAY_ENDS = "07:30", "16:30"
TRAINEE = ("trainee@demo.example", "Dr Sam Taylor")
ADMIN = ("admin@demo.example", "Demo Admin")
SPONSOR = ("sponsor@demo.example", "Jane Doe", "MedDevice SA")
PENDING_EXPERT = ("dr.garcia@demo.example", "Dr Lucía García")


def seed(base_url: str) -> dict[str, Any]:
    """Create the demo accounts and published trainings; idempotent (re-running adds nothing).

    The admin account must exist already (``flask create-admin``; the run command makes it).
    """
    http = requests.Session()
    out: dict[str, Any] = {"trainings": [], "password": PASSWORD, "admin": ADMIN[0]}
    admin = login(http, base_url, ADMIN[0])
    for i, expert in enumerate(EXPERTS):
        token = _account(
            http,
            base_url,
            expert.email,
            expert.name,
            "expert",
            institution=expert.institution,
            country=expert.country,
            specialty=expert.specialty,
            title="Consultant surgeon",
            languages=expert.languages,
        )
        me = _ok(http.get(f"{base_url}/api/v1/me", headers=_auth(token), timeout=10))
        if not me["verified"]:
            credential = {"kind": "medical_license", "number": f"DEMO-{i + 1:04d}", "issuer": "Medical council",
                          "country": expert.country}  # fmt: skip
            if me["verification"] != "pending":
                _ok(http.post(f"{base_url}/api/v1/me/credentials", json={"credentials": [credential]},
                              headers=_auth(token), timeout=10))  # fmt: skip
            _ok(http.post(f"{base_url}/api/v1/admin/experts/{me['id']}/verify", headers=_auth(admin), timeout=10))
        existing = http.get(f"{base_url}/api/v1/trainings", params={"limit": 100}, timeout=10).json()
        found = next((t for t in existing["items"] if t["title"] == expert.title), None)
        if found is None:
            body = training_body(expert, datetime.now(UTC), 30 + 14 * i)
            created = _ok(http.post(f"{base_url}/api/v1/trainings", json=body, headers=_auth(token), timeout=10))
            found = _ok(
                http.post(f"{base_url}/api/v1/trainings/{created['id']}/publish", headers=_auth(token), timeout=10)
            )
        if i == 0:  # Dr Martin: a portrait, and a photo on her training's card
            add_pictures(http, base_url, token, found)
        out["trainings"].append(found)
    trainee = _account(http, base_url, TRAINEE[0], TRAINEE[1], "trainee")
    out["trainee"] = TRAINEE[0]
    out["sponsor"] = _sponsor_demo(http, base_url, out["trainings"][0])
    out["experts"] = [e.email for e in EXPERTS]
    # Activity, so that every page shows something on a first visit: a paid booking, paid
    # sponsored seats with their vouchers, and an expert waiting for the admin.
    _paid_booking(http, base_url, trainee, out["trainings"][1])
    _paid_sponsorship(http, base_url, login(http, base_url, SPONSOR[0]), out["trainings"][0])
    _pending_expert(http, base_url)
    return out


def training_body(expert: DemoExpert, now: datetime, days_ahead: int) -> dict[str, Any]:
    """The expert's demo training, ``days_ahead`` days after ``now`` at the venue, 07:30 to 16:30 there."""
    zone = ZoneInfo(expert.timezone)
    day = now.astimezone(zone).date() + timedelta(days=days_ahead)
    # The local day first, then its instants: the offset is the one of that date (summer or winter).
    starts, ends = (
        datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), tzinfo=zone) for hhmm in (DAY_STARTS, DAY_ENDS)
    )
    return {
        "title": expert.title, "specialty": expert.specialty, "technique": expert.title.split(":")[0],
        "description": f"A hands-on day with {expert.name} at {expert.institution}: live cases, then practice "
                       "under supervision.",
        "programme": [
            {"start": DAY_STARTS, "end": "08:30", "title": "Welcome and case review"},
            {"start": "08:30", "end": "12:30", "title": "Live cases in the operating room"},
            {"start": "13:30", "end": "16:00", "title": "Hands-on practice under supervision"},
            {"start": "16:00", "end": DAY_ENDS, "title": "Debrief and questions"},
        ],
        "languages": expert.languages, "timezone": expert.timezone, "capacity": expert.capacity,
        "price": expert.price, "currency": "eur", "cme_credits": 7,
        "prerequisites": ["Board certification in the specialty"], "levels": ["fellow", "specialist"],
        "venue": {"institution": expert.institution, "address": expert.address, "city": expert.city,
                  "postal_code": expert.postal_code, "country": expert.country},
        "starts_at": starts.isoformat(), "ends_at": ends.isoformat(),
    }  # fmt: skip


def _paid_booking(http: requests.Session, base_url: str, token: str, training: dict[str, Any]) -> None:
    """The demo trainee's booking on a training, paid with Stripe's test card (once, whatever the reruns)."""
    booked = http.post(f"{base_url}/api/v1/trainings/{training['id']}/bookings", timeout=10,
                       headers={**_auth(token), "Idempotency-Key": "demo-booking-1"})  # fmt: skip
    if booked.status_code != 202:
        return  # bookings closed (or the broker is down): the demo goes on without it
    path = f"{base_url}/api/v1/bookings/{booked.json()['booking']['id']}"
    if _until(lambda: http.get(path, headers=_auth(token), timeout=10).json().get("payment", {}).get("intent_id")):
        http.post(f"{path}/payment", json={"payment_method": "pm_card_visa"}, headers=_auth(token), timeout=10)


def _paid_sponsorship(http: requests.Session, base_url: str, token: str, training: dict[str, Any]) -> None:
    """Two sponsored seats on a training, paid, so the sponsor has vouchers to hand out."""
    mine = _ok(http.get(f"{base_url}/api/v1/me/sponsorships", headers=_auth(token), timeout=10))
    if mine["items"]:
        return
    bought = _ok(http.post(f"{base_url}/api/v1/trainings/{training['id']}/sponsorships", json={"seats": 2},
                           headers=_auth(token), timeout=10))  # fmt: skip
    path = f"{base_url}/api/v1/sponsorships/{bought['id']}"
    if _until(lambda: http.post(f"{path}/payment", headers=_auth(token), timeout=10).status_code == 200):
        http.post(f"{path}/payment", json={"payment_method": "pm_card_visa"}, headers=_auth(token), timeout=10)


def _pending_expert(http: requests.Session, base_url: str) -> None:
    """An expert who submitted credentials: the admin's queue is not empty."""
    token = _account(http, base_url, PENDING_EXPERT[0], PENDING_EXPERT[1], "expert", institution="Hospital Clínic",
                     country="ES", specialty="interventional radiology")  # fmt: skip
    me = _ok(http.get(f"{base_url}/api/v1/me", headers=_auth(token), timeout=10))
    if me["verification"] == "unverified":
        credential = {"kind": "medical_license", "number": "DEMO-0100", "issuer": "Colegio de Médicos",
                      "country": "ES"}  # fmt: skip
        _ok(http.post(f"{base_url}/api/v1/me/credentials", json={"credentials": [credential]}, headers=_auth(token),
                      timeout=10))  # fmt: skip


def _until(check: Any, timeout_s: float = 30.0) -> bool:
    """Poll ``check`` (the workers act asynchronously) until it is truthy or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def _sponsor_demo(http: requests.Session, base_url: str, training: dict[str, Any]) -> str:
    """A sponsor whose demo the first training's expert agreed to show."""
    email, name, company = SPONSOR
    token = _account(http, base_url, email, name, "sponsor", company=company)
    me = _ok(http.get(f"{base_url}/api/v1/me", headers=_auth(token), timeout=10))
    listed = _ok(http.get(f"{base_url}/api/v1/demos", params={"sponsor": me["id"]}, timeout=10))
    if listed["total"]:
        return email
    demo = _ok(http.post(f"{base_url}/api/v1/demos", headers=_auth(token), timeout=10, json={
        "title": "Next-generation transcatheter valve", "device": "Valve system X", "technique": "TAVI",
        "description": "See the delivery system in live cases.", "specialties": ["cardiology"]}))  # fmt: skip
    _ok(http.post(f"{base_url}/api/v1/demos/{demo['id']}/trainings", headers=_auth(token), timeout=10,
                  json={"training_id": training["id"]}))  # fmt: skip
    expert = login(http, base_url, EXPERTS[0][0])
    _ok(http.post(f"{base_url}/api/v1/trainings/{training['id']}/demos/{demo['id']}/accept",
                  headers=_auth(expert), timeout=10))  # fmt: skip
    return email


def _account(http: requests.Session, base_url: str, email: str, name: str, role: str, **profile: Any) -> str:
    # A 409 means it exists from an earlier run: fine, we log in below.
    http.post(
        f"{base_url}/api/v1/auth/register",
        timeout=10,
        json={"email": email, "password": PASSWORD, "name": name, "role": role, **profile},
    )
    return login(http, base_url, email)


def login(http: requests.Session, base_url: str, email: str) -> str:
    """A bearer token of a demo account."""
    login = _ok(http.post(f"{base_url}/api/v1/auth/login", timeout=10, json={"email": email, "password": PASSWORD}))
    return str(login["access_token"])


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _ok(response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise RuntimeError(
            f"demo data: {response.request.method} {response.url} -> {response.status_code} {response.text}"
        )
    return response.json()  # type: ignore[no-any-return]
