"""One test's marketplace: a fresh database and topics, the API and the workers in threads."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import stripe

from adapters.bootstrap import bootstrap, release
from adapters.config import Config
from adapters.kafka_bus import delete_topics, ensure_topics
from core.services import attendance, trainings
from core.services.deps import Deps
from devstack.services import free_port
from devstack.smtp_sink import read_maildir
from devstack.stack import Infra, prepare
from events import BookingRequested
from events.envelope import Event
from events.types import GROUPS, all_topics
from tests.support.client import ApiClient
from tests.support.inputs import TRAINING, request_data
from tests.support.reading import text_of, wait_for
from workers import capacity as capacity_worker
from workers import certificates as certificates_worker
from workers import notifications as notifications_worker
from workers import payments as payments_worker
from workers.launch import build_runner
from workers.runner import Runner

WORKER_SPECS = {
    "capacity": (capacity_worker.HANDLERS, capacity_worker.TOPICS, capacity_worker.periodic),
    "payments": (payments_worker.HANDLERS, payments_worker.TOPICS, None),
    "notifications": (notifications_worker.HANDLERS, notifications_worker.TOPICS, notifications_worker.periodic),
    "certificates": (certificates_worker.HANDLERS, certificates_worker.TOPICS, None),
}

WORKER_MODULES = {"capacity": capacity_worker, "payments": payments_worker,
                  "notifications": notifications_worker, "certificates": certificates_worker}  # fmt: skip


@dataclass
class Stack:
    """One test's marketplace: its config, API, workers and direct access to its data."""

    infra: Infra | None  # None when the test runs on services of its own, without Stripe or SMTP
    config: Config
    api: ApiClient
    deps: Deps
    runners: list[tuple[Runner, threading.Thread]] = field(default_factory=list)

    def start_worker(self, group: str) -> Runner:
        """Run one more member of ``group`` in a thread."""
        handlers, topics, periodic = WORKER_SPECS[group]
        tasks = periodic(self.config) if periodic else None
        module = WORKER_MODULES[group]
        runner = build_runner(group, handlers, topics, self.config, periodic=tasks,
                              batch_handlers=getattr(module, "BATCH_HANDLERS", None),
                              max_poll_records=getattr(module, "MAX_POLL_RECORDS", 50),
                              deferred=getattr(module, "DEFERRED", frozenset()),
                              apart=getattr(module, "APART", frozenset()))  # fmt: skip
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

    def request_for_a_draft(
        self, expert: dict[str, Any], trainee: dict[str, Any], booking_id: str
    ) -> tuple[str, Event]:
        """A draft training of ``expert`` (no seats yet) and a seat request of ``trainee`` for it,
        published as the API would: the capacity group cannot decide it and dead-letters it after
        its retries. The draft's id and the request."""
        draft = self.api.call("POST", "/api/v1/trainings", expert["token"], json={"title": "Robotic prostatectomy"})
        assert draft.status_code == 201, draft.text
        request = Event(type=BookingRequested.TYPE, subject=booking_id, key=draft.json()["id"],
                        data=request_data(booking_id, draft.json()["id"], trainee["id"], 45000))  # fmt: skip
        self.deps.publisher.publish(request)
        return str(draft.json()["id"]), request

    def complete_and_publish(self, expert: dict[str, Any], draft_id: str) -> None:
        """Complete and publish the draft of ``request_for_a_draft``: the cause of its dead letter fixed."""
        fixed = self.api.call("PATCH", f"/api/v1/trainings/{draft_id}", expert["token"],
                              json={k: v for k, v in TRAINING.items() if k != "title"})  # fmt: skip
        assert fixed.status_code == 200, fixed.text
        published = self.api.call("POST", f"/api/v1/trainings/{draft_id}/publish", expert["token"])
        assert published.status_code == 200, published.text

    @property
    def stripe(self) -> stripe.StripeClient:
        """A client of the embedded Stripe, to look at what really happened there."""
        return stripe.StripeClient(self.config.stripe_api_key, base_addresses={"api": self.config.stripe_api_base})

    def mails_to(self, address: str) -> list[Any]:
        """Every e-mail the SMTP server received for ``address``."""
        assert self.infra is not None, "this stack has no SMTP sink"
        return [m for m in read_maildir(self.infra.maildir) if address in str(m["To"])]

    def link_in_mail(self, address: str, subject: str, page: str, count: int = 1) -> str:
        """The token of the ``page`` link (``verify-email``, ``reset-password``) in the ``count``-th e-mail
        of ``subject`` to ``address``, once it arrived (needs the notifications worker)."""

        def arrived() -> list[str]:
            found = [m for m in self.mails_to(address) if m["Subject"] == subject]
            tokens = [re.search(rf"/{page}/([^\s/\"<>]+)", text_of(m)) for m in found]
            return [unquote(t.group(1)) for t in tokens if t]

        return str(
            wait_for(lambda: (t := arrived()) and len(t) >= count and t, what=f"{subject} to {address}")[count - 1]
        )

    def verify_address(self, user: dict[str, Any]) -> None:
        """Open the address-verification link e-mailed after sign-up, as its owner would."""
        token = self.link_in_mail(user["email"], "Confirm your e-mail address", "verify-email")
        verified = self.api.call("POST", "/api/v1/auth/verify-email", json={"token": token})
        assert verified.status_code == 200, verified.text

    @property
    def db(self) -> Any:
        """The test's MongoDB database."""
        return self.deps.users._c.database  # type: ignore[attr-defined]


def _namespace(**overrides: Any) -> dict[str, Any]:
    """Topics and a database that belong to one test only, and the tests' worker settings."""
    ns = uuid.uuid4().hex[:10]
    return {
        "kafka_topic_prefix": f"t{ns}.",
        "mongodb_database": f"t_{ns}",
        "worker_max_attempts": 2,
        "outbox_send_seconds": 0.3,
        **overrides,
    }


def make_config(infra: Infra, api_port: int, **overrides: Any) -> Config:
    """A config whose topics and database belong to one test only."""
    return infra.config(api_port, **_namespace(**overrides))


def bare_config(api_port: int, kafka_bootstrap_servers: str, mongodb_uri: str, **overrides: Any) -> Config:
    """A config for a test that starts only a broker and a database: Stripe and SMTP point at a
    port nobody listens on, so a use the test did not expect fails loudly instead of passing."""
    nowhere = f"127.0.0.1:{free_port()}"
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": kafka_bootstrap_servers,
        "mongodb_uri": mongodb_uri,
        "stripe_api_base": f"http://{nowhere}",
        "stripe_js_url": f"http://{nowhere}/js.stripe.com/v3/",
        "smtp_url": f"smtp://{nowhere}",
        "public_base_url": f"http://127.0.0.1:{api_port}",
    }
    return Config(**{**values, **_namespace(**overrides)})


@contextlib.contextmanager
def running_stack(infra: Infra, api_server: Callable[..., str], groups: list[str], **overrides: Any) -> Iterator[Stack]:
    """A fresh marketplace on the session's services with these worker groups and configuration overrides."""
    port = free_port()
    config = make_config(infra, port, **overrides)
    prepare(infra, config, webhook_name="tests")
    with serving(config, port, api_server, groups, infra) as result:
        yield result


@contextlib.contextmanager
def serving(
    config: Config, port: int, api_server: Callable[..., str], groups: list[str], infra: Infra | None = None
) -> Iterator[Stack]:
    """The API on ``port`` and these worker groups, on the services ``config`` names; without
    ``infra`` (no Stripe webhook to register) the topics are created here."""
    if infra is None:
        ensure_topics(config.kafka_bootstrap_servers, all_topics(config.kafka_topic_prefix, GROUPS))
    base = api_server(config, port)
    deps = bootstrap(config)
    result = Stack(infra=infra, config=config, api=ApiClient(base, deps), deps=deps)
    try:
        for group in groups:
            result.start_worker(group)
        yield result
    finally:
        result.stop_workers()
        result.db.client.drop_database(config.mongodb_database)
        release(deps)
        # Each test's topics go with it: a real broker keeps every partition's files open, and
        # a session creates hundreds of them.
        delete_topics(config.kafka_bootstrap_servers, all_topics(config.kafka_topic_prefix, GROUPS))
