"""Chaos: kill -9 the API again and again under a stream of the changes it owns; no change lacks its event.

Accounts, trainings (created, edited, published) and demos are stored by the API together with the
event that announces them; the API publishes, and the capacity worker's relay sends what a dead
API left behind. Writers keep changing things over HTTP, retrying through the outages, while the
API is killed whenever several of their requests are in flight. After the relay drained:

- every stored change has exactly its events on its topic (a training one per version, the last
  one saying what is stored), no event lacks its change, and nothing is left waiting;
- the same event id sent twice (published, then the process died before marking it sent) is
  counted and printed: consumers apply an event id once.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from adapters import kafka_ops
from adapters.mongo_pending import COLLECTIONS
from adapters.mongo_pending import FIELD as PENDING
from events.codec import decode
from events.envelope import Event
from events.types import Topic, topic_name
from tests.chaos.conftest import ChaosStack, chaos_stack
from tests.support import TRAINING, wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

KILLS = 12
IN_FLIGHT = 3  # writes the API holds when each kill lands
SEED = 20261202


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[ChaosStack]:
    """The API as a process, and the capacity worker that runs the relay."""
    with chaos_stack(tmp_path, "outbox", ("capacity",), event_relay_seconds=0.5) as chaos:
        yield chaos


@dataclass
class Writes:
    """What the writers sent and got, shared by their threads."""

    in_flight: int = 0
    answers: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, base: str, method: str, path: str, token: str | None = None, **kw: Any) -> requests.Response:
        """One write, retried through connection errors and 503 (the API is being killed)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        while True:
            with self.lock:
                self.in_flight += 1
            try:
                response = requests.request(method, base + path, headers=headers, timeout=30, **kw)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                response = None  # refused, or cut off mid-answer by the kill
            finally:
                with self.lock:
                    self.in_flight -= 1
            with self.lock:
                self.answers[str(response.status_code) if response is not None else "ConnectionError"] += 1
            if response is not None and response.status_code != 503:
                return response
            time.sleep(0.2)


def _writer(stop: threading.Event, work: Callable[[], None], writes: Writes) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            try:
                work()
            except AssertionError as exc:  # an answer no retry explains: reported, and the test fails
                writes.unexpected.append(str(exc)[:300])

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def test_killing_the_api_mid_write_leaves_no_change_without_its_event(
    stack: ChaosStack, capsys: pytest.CaptureFixture[str]
) -> None:
    base, writes, rng = stack.api.url, Writes(), random.Random(SEED)
    experts = [stack.client.expert(f"Dr Chaos {i}") for i in range(2)]
    sponsor = stack.client.user("sponsor")

    def register() -> None:
        email = f"stream-{uuid.uuid4().hex[:12]}@example.org"
        body = {"email": email, "password": "correct horse battery", "name": "Stream Trainee", "role": "trainee"}
        answer = writes.send(base, "POST", "/api/v1/auth/register", json=body)
        assert answer.status_code in (201, 409), answer.text  # 409: a retry of a registration that was stored

    def train(expert: dict[str, Any]) -> Callable[[], None]:
        def work() -> None:
            created = writes.send(base, "POST", "/api/v1/trainings", expert["token"], json=TRAINING)
            assert created.status_code == 201, created.text
            path = f"/api/v1/trainings/{created.json()['id']}"
            for edit in range(2):
                edited = writes.send(
                    base, "PATCH", path, expert["token"], json={"title": f"Edit {edit} {rng.random()}"}
                )
                assert edited.status_code == 200, edited.text
            published = writes.send(base, "POST", f"{path}/publish", expert["token"])
            assert published.status_code in (200, 409), published.text  # 409: a retry of a publication

        return work

    def demo() -> None:
        body = {"title": f"Demo {uuid.uuid4().hex[:6]}", "device": "Evolut FX TAVI system"}
        created = writes.send(base, "POST", "/api/v1/demos", sponsor["token"], json=body)
        assert created.status_code == 201, created.text

    stop = threading.Event()
    threads = [_writer(stop, w, writes) for w in (register, register, train(experts[0]), train(experts[1]), demo)]
    started, in_flight_at_kills = time.monotonic(), []
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.5, 1.5))
            deadline = time.monotonic() + 10
            while writes.in_flight < IN_FLIGHT and time.monotonic() < deadline:
                time.sleep(0.005)
            in_flight_at_kills.append(writes.in_flight)
            stack.api.kill()
            time.sleep(0.2)
            stack.api.restart()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    db = stack.client.deps.users._c.database  # type: ignore[attr-defined]

    def waiting() -> dict[str, int]:
        return {name: db[name].count_documents({PENDING: {"$exists": True, "$ne": []}}) for name in COLLECTIONS}

    waiting_when_the_kills_ended = waiting()
    wait_for(lambda: not any(waiting().values()), timeout=120, what="the relay sending every waiting event")

    on_topic: dict[str, list[Event]] = defaultdict(list)
    records = 0
    for topic in (Topic.ACCOUNTS, Topic.TRAININGS, Topic.BOOKINGS, Topic.SPONSORS):  # a training's changes: both
        for record in kafka_ops.read_topic(
            stack.config.kafka_bootstrap_servers, topic_name(stack.config.kafka_topic_prefix, topic)
        ):
            event = decode(record.value)
            on_topic[event.subject].append(event)
            records += 1
    # One training's events travel on two topics; each event's time orders them.
    distinct = {s: sorted({e.id: e for e in events}.values(), key=lambda e: e.time) for s, events in on_topic.items()}

    users = {u["_id"]: u for u in db.users.find({}, {"email": 1})}
    trainings = {t["_id"]: t for t in db.trainings.find({}, {"version": 1, "title": 1, "status": 1})}
    demos = {d["_id"] for d in db.demos.find({}, {"_id": 1})}
    changes_without_events: list[str] = []
    for user_id, user in users.items():
        if user["email"].startswith("stream-"):
            types = [e.type for e in distinct.get(user_id, [])]
            if types != ["user.registered"]:
                changes_without_events.append(f"user {user_id}: {types}")
    for training_id, training in trainings.items():
        events = distinct.get(training_id, [])
        last = events[-1].data if events else {}
        if len(events) != training["version"] or (last.get("title"), last.get("status")) != (
            training["title"], training["status"]
        ):  # fmt: skip
            changes_without_events.append(f"training {training_id} v{training['version']}: {[e.type for e in events]}")
    for demo_id in demos:
        if [e.type for e in distinct.get(demo_id, [])] != ["demo.created"]:
            changes_without_events.append(f"demo {demo_id}")
    events_without_changes = [
        f"{e.type} {subject}"
        for subject, events in distinct.items()
        for e in events
        if subject not in users and subject not in trainings and subject not in demos
    ]

    report = {
        "seconds": round(time.monotonic() - started),
        "kills": KILLS,
        "writes_in_flight_at_each_kill": in_flight_at_kills,
        "answers": dict(writes.answers),
        "stored": {"accounts": len(users), "trainings": len(trainings), "demos": len(demos)},
        "training_versions": sum(t["version"] for t in trainings.values()),
        "records_on_topics": records,
        "sent_twice_same_id": records - sum(len(events) for events in distinct.values()),
        "changes_without_their_events": changes_without_events,
        "events_without_their_change": events_without_changes,
        "waiting_when_the_kills_ended": waiting_when_the_kills_ended,
        "left_waiting": waiting(),
        "unexpected_answers": writes.unexpected,
    }
    Path("test-artifacts").mkdir(exist_ok=True)
    Path("test-artifacts/outbox-chaos-report.json").write_text(json.dumps(report, indent=1))
    with capsys.disabled():
        print("\noutbox chaos report:", json.dumps(report, indent=1))

    assert len(in_flight_at_kills) == KILLS and min(in_flight_at_kills) >= IN_FLIGHT, report
    assert writes.answers["ConnectionError"] > 0, report  # the kills did cut requests off
    assert len(users) > 10 and len(trainings) > 5 and demos, report
    assert not changes_without_events, report
    assert not events_without_changes, report
    assert not writes.unexpected, report
