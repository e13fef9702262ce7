"""Fixtures: the real embedded services once per session; per test a fresh database,
fresh topics, an API on a free port and every worker."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
import stripe
from waitress.server import create_server

from adapters import kafka_ops
from adapters.bootstrap import bootstrap, release
from adapters.config import Config
from adapters.kafka_bus import delete_topics
from api import create_app
from core.cancellation import RefundTerms
from core.model import Booking, BookingStatus
from core.services import accounts, attendance, capacity, certificates, notifications, trainings
from core.services.bookings import requested_payload
from core.services.deps import Deps
from devstack.services import free_port
from devstack.smtp_sink import read_maildir
from devstack.stack import Infra, prepare, start_infra
from events.types import GROUPS, all_topics
from workers import capacity as capacity_worker
from workers import certificates as certificates_worker
from workers import notifications as notifications_worker
from workers import payments as payments_worker
from workers.runner import Runner, build_runner

WORKER_SPECS = {
    "capacity": (capacity.HANDLERS, capacity_worker.TOPICS, capacity_worker.periodic),
    "payments": (payments_worker.HANDLERS, payments_worker.TOPICS, None),
    "notifications": (notifications.HANDLERS, notifications_worker.TOPICS, notifications_worker.periodic),
    "certificates": (certificates.HANDLERS, certificates_worker.TOPICS, None),
}


def day_ahead(days: int, start: str = "08:00", end: str = "17:00", zone: str = "Europe/Paris") -> tuple[str, str]:
    """ISO instants of ``start`` and ``end`` (local HH:MM) on the venue's day ``days`` after today there.

    The local day comes first and its instants after, so the hours hold in summer and in winter time.
    """
    tz = ZoneInfo(zone)
    day = datetime.now(tz).date() + timedelta(days=days)
    starts, ends = (datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), tzinfo=tz) for hhmm in (start, end))
    return starts.isoformat(), ends.isoformat()


def local_day(instant: str, zone: str = "Europe/Paris") -> date:
    """The venue's calendar day of an ISO instant."""
    return datetime.fromisoformat(instant).astimezone(ZoneInfo(zone)).date()


# Months ahead: a cancellation gets the full refund (30 days or more before), on a real clock.
TRAINING_DAYS_AHEAD = 120
TRAINING_STARTS, TRAINING_ENDS = day_ahead(TRAINING_DAYS_AHEAD)

TRAINING: dict[str, Any] = {
    "title": "Transcatheter aortic valve implantation",
    "specialty": "cardiology",
    "technique": "TAVI",
    "description": "A day in the cath lab.",
    "programme": [
        {"start": "08:00", "end": "09:00", "title": "Case review"},
        {"start": "09:00", "end": "16:30", "title": "Live cases in the cath lab"},
        {"start": "16:30", "end": "17:00", "title": "Debrief"},
    ],
    "languages": ["fr", "en"],
    "venue": {
        "institution": "Hôpital Européen Georges-Pompidou",
        "address": "20 rue Leblanc",
        "city": "Paris",
        "postal_code": "75015",
        "country": "FR",
    },
    "starts_at": TRAINING_STARTS,
    "ends_at": TRAINING_ENDS,
    "timezone": "Europe/Paris",
    "capacity": 4,
    "price": 45000,
    "currency": "eur",
    "cme_credits": 7,
}


def request_data(
    booking_id: str, training_id: str, trainee_id: str, amount: int, service_fee: int = 0
) -> dict[str, Any]:
    """The payload of ``booking.requested`` as the API builds it, for events a test publishes itself."""
    return requested_payload(
        Booking(id=booking_id, training_id=training_id, trainee_id=trainee_id, amount=amount, service_fee=service_fee,
                currency="eur", status=BookingStatus.REQUESTED, requested_at=datetime.now(UTC),
                refund_terms=RefundTerms())
    )  # fmt: skip


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    """Apache Kafka, SecantusDB, localstripe and the SMTP sink, started once, on free ports."""
    stack = start_infra(tmp_path_factory.mktemp("stack"))
    yield stack
    stack.stop()


class ApiClient:
    """A requests session bound to the test's API, with a bearer token per user.

    With ``deps`` it can make an admin (as the ``flask create-admin`` command does) and
    so verified experts, through the same HTTP endpoints a person uses.
    """

    def __init__(self, base_url: str, deps: Deps | None = None) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.deps = deps
        self._admin: dict[str, Any] | None = None

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        """One request; ``path`` is relative to the server root."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)

    def user(self, role: str, name: str | None = None) -> dict[str, Any]:
        """Register and log in a fresh user; returns its id, e-mail and token."""
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.org"
        reg = self.call(
            "POST",
            "/api/v1/auth/register",
            json={"email": email, "password": "correct horse battery", "name": name or role.title(), "role": role},
        )
        assert reg.status_code == 201, reg.text
        login = self.call("POST", "/api/v1/auth/login", json={"email": email, "password": "correct horse battery"})
        assert login.status_code == 200, login.text
        return {"id": reg.json()["id"], "email": email, "token": login.json()["access_token"]}

    def web_session(self, email: str) -> tuple[requests.Session, str]:
        """A browser-like session signed in through the web form, and its CSRF token."""
        session = requests.Session()
        signed = session.post(
            f"{self.base_url}/login",
            data={"csrf": csrf_of(session.get(f"{self.base_url}/login").text), "email": email,
                  "password": "correct horse battery"},
        )  # fmt: skip
        assert signed.status_code == 200, signed.text
        return session, csrf_of(signed.text)

    def admin(self) -> dict[str, Any]:
        """An admin account, created once per client through the core (never over HTTP)."""
        if self._admin is None:
            assert self.deps is not None, "ApiClient(base_url, deps) is needed to make an admin"
            email = f"admin-{uuid.uuid4().hex[:10]}@example.org"
            user = accounts.create_admin(self.deps, email, "correct horse battery", "Admin")
            login = self.call("POST", "/api/v1/auth/login", json={"email": email, "password": "correct horse battery"})
            self._admin = {"id": user.id, "email": email, "token": login.json()["access_token"]}
        return self._admin

    def expert(self, name: str | None = None) -> dict[str, Any]:
        """An expert who submitted credentials and whom an admin verified."""
        expert = self.user("expert", name)
        submitted = self.call(
            "POST",
            "/api/v1/me/credentials",
            expert["token"],
            json={
                "credentials": [
                    {"kind": "medical_license", "number": "FR-123456", "issuer": "Ordre des médecins", "country": "FR"}
                ]
            },
        )
        assert submitted.status_code == 202, submitted.text
        verified = self.call("POST", f"/api/v1/admin/experts/{expert['id']}/verify", self.admin()["token"])
        assert verified.status_code == 200, verified.text
        return expert

    def published_training(self, expert: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """A complete training, published by ``expert``."""
        body = {**TRAINING, **fields}
        created = self.call("POST", "/api/v1/trainings", expert["token"], json=body)
        assert created.status_code == 201, created.text
        published = self.call("POST", f"/api/v1/trainings/{created.json()['id']}/publish", expert["token"])
        assert published.status_code == 200, published.text
        return published.json()


@dataclass
class Stack:
    """One test's marketplace: its config, API, workers and direct access to its data."""

    infra: Infra
    config: Config
    api: ApiClient
    deps: Deps
    runners: list[tuple[Runner, threading.Thread]] = field(default_factory=list)

    def start_worker(self, group: str) -> Runner:
        """Run one more member of ``group`` in a thread."""
        handlers, topics, periodic = WORKER_SPECS[group]
        tasks = periodic(self.config) if periodic else None
        runner = build_runner(group, handlers, topics, self.config, periodic=tasks)
        thread = threading.Thread(target=runner.run, name=f"worker-{group}", daemon=True)
        thread.start()
        self.runners.append((runner, thread))
        return runner

    def stop_workers(self) -> None:
        """Stop every worker thread cleanly."""
        for runner, _ in self.runners:
            runner.stop.set()
        for _, thread in self.runners:
            thread.join(timeout=30)
        for runner, _ in self.runners:
            release(runner.deps)
        self.runners.clear()

    def booking(self, booking_id: str) -> dict[str, Any] | None:
        """The booking document as stored."""
        return self.deps.bookings._c.find_one({"_id": booking_id})  # type: ignore[attr-defined]

    def book(self, trainee: dict[str, Any], training: dict[str, Any]) -> str:
        """Ask for a seat as ``trainee``; the booking id (the request is accepted, 202)."""
        response = self.api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"])
        assert response.status_code == 202, response.text
        return str(response.json()["booking"]["id"])

    def wait_status(self, booking_id: str, *wanted: str) -> dict[str, Any]:
        """The stored booking once it is in one of the ``wanted`` statuses."""

        def reached() -> dict[str, Any] | None:
            doc = self.booking(booking_id)
            return doc if doc and doc["status"] in wanted else None

        return wait_for(reached, what=f"{booking_id} {wanted}")

    def intent_of(self, booking_id: str, attempt: int = 1) -> str:
        """The booking's current PaymentIntent, once payment ``attempt`` (or a later one) has its own."""

        def made() -> str | None:
            payment = (self.booking(booking_id) or {}).get("payment", {})
            return payment.get("intent_id") if payment.get("attempt", 1) >= attempt else None

        return wait_for(made, what=f"intent of attempt {attempt}")

    def pay(self, trainee: dict[str, Any], booking_id: str, method: str = "pm_card_visa") -> None:
        """Pay the held booking with a Stripe test card on the server (202: submitted)."""
        self.intent_of(booking_id)
        paid = self.api.call(
            "POST", f"/api/v1/bookings/{booking_id}/payment", trainee["token"], json={"payment_method": method}
        )
        assert paid.status_code == 202, paid.text

    def held_training(
        self,
        expert: dict[str, Any],
        present: list[dict[str, Any]],
        absent: tuple[dict[str, Any], ...] = (),
        complete: bool = True,
        **fields: Any,
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """A training these trainees booked and paid, marked present or absent on its day by its
        expert, then completed as the sweep does after the day; the training and the booking ids
        by trainee id."""
        training = self.api.published_training(expert, **fields)
        bookings = {}
        for trainee in [*present, *absent]:
            bookings[trainee["id"]] = booking = self.book(trainee, training)
            self.pay(trainee, booking)
            self.wait_status(booking, "confirmed")
        starts, ends = (datetime.fromisoformat(training[k]) for k in ("starts_at", "ends_at"))
        on_the_day = dataclasses.replace(self.deps, clock=lambda: starts + timedelta(hours=1))
        teacher = self.deps.users.get(expert["id"])
        assert teacher is not None
        for trainee in [*present, *absent]:
            attendance.record_attendance(on_the_day, teacher, bookings[trainee["id"]], trainee in present)
        if complete:
            after = dataclasses.replace(self.deps, clock=lambda: ends + attendance.GRACE)
            stored = self.deps.trainings.get(training["id"])
            assert stored is not None
            trainings.complete(after, stored)
        return training, bookings

    @property
    def stripe(self) -> stripe.StripeClient:
        """A client of the embedded Stripe, to look at what really happened there."""
        return stripe.StripeClient(self.config.stripe_api_key, base_addresses={"api": self.config.stripe_api_base})

    def mails_to(self, address: str) -> list[Any]:
        """Every e-mail the SMTP server received for ``address``."""
        return [m for m in read_maildir(self.infra.maildir) if address in str(m["To"])]

    @property
    def db(self) -> Any:
        """The test's MongoDB database."""
        return self.deps.users._c.database  # type: ignore[attr-defined]


def csrf_of(html: str) -> str:
    """The CSRF token a web page put in its forms."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def text_of(mail: Any) -> str:
    """The plain-text part of a received e-mail."""
    return str(mail.get_body(preferencelist=("plain",)).get_content())


def make_config(infra: Infra, api_port: int, **overrides: Any) -> Config:
    """A config whose topics and database belong to one test only."""
    ns = uuid.uuid4().hex[:10]
    values: dict[str, Any] = {
        "kafka_topic_prefix": f"t{ns}.",
        "mongodb_database": f"t_{ns}",
        "worker_max_attempts": 2,
        "outbox_send_seconds": 0.3,
        **overrides,
    }
    return infra.config(api_port, **values)


@pytest.fixture
def api_server(infra: Infra) -> Iterator[Callable[[Config], str]]:
    """Serve ``create_app(config)`` with waitress in a thread; returns the base URL."""
    servers: list[tuple[Any, Any]] = []

    def serve(config: Config, port: int) -> str:
        app = create_app(config)
        server = create_server(app, host="127.0.0.1", port=port, threads=8)
        threading.Thread(target=server.run, daemon=True).start()
        servers.append((server, app))
        return f"http://127.0.0.1:{port}"

    yield serve  # type: ignore[misc]
    for server, app in servers:
        server.close()
        server.task_dispatcher.shutdown(timeout=5)  # its threads, not only its socket
        release(app.extensions["marketplace.deps"])


@contextlib.contextmanager
def running_stack(infra: Infra, api_server: Callable[..., str], groups: list[str], **overrides: Any) -> Iterator[Stack]:
    """A fresh marketplace with these worker groups and configuration overrides."""
    port = free_port()
    config = make_config(infra, port, **overrides)
    prepare(infra, config, webhook_name="tests")
    base = api_server(config, port)
    deps = bootstrap(config)
    result = Stack(infra=infra, config=config, api=ApiClient(base, deps), deps=deps)
    for group in groups:
        result.start_worker(group)
    try:
        yield result
    finally:
        result.stop_workers()
        result.db.client.drop_database(config.mongodb_database)
        release(deps)
        # Each test's topics go with it: a real broker keeps every partition's files open, and
        # a session creates hundreds of them.
        delete_topics(config.kafka_bootstrap_servers, all_topics(config.kafka_topic_prefix, GROUPS))


@pytest.fixture
def stack(infra: Infra, api_server: Callable[..., str], request: pytest.FixtureRequest) -> Iterator[Stack]:
    """A fresh marketplace: API plus one member of every consumer group."""
    with running_stack(infra, api_server, getattr(request, "param", None) or list(WORKER_SPECS)) as result:
        yield result


def read_topic(config: Config, topic: str, timeout: float = 30.0) -> list[Any]:
    """Every record of a topic from its beginning to its end now, read without a consumer group."""
    return kafka_ops.read_topic(config.kafka_bootstrap_servers, topic, timeout)


def maildir_of(infra: Infra) -> Path:
    """The SMTP sink's Maildir."""
    return infra.maildir
