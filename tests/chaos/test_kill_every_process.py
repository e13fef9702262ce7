"""Chaos: during a booking storm, kill -9 and restart every process in turn; nothing is lost.

Its own stack, every process real: the API and each worker as processes, its own Apache Kafka
broker (its data on disk, so it survives a kill), MongoDB, Stripe and SMTP. Trainees book, pay
(some after a declined card), or cancel, over HTTP, retrying with the same Idempotency-Key
whenever the API is unreachable or answers 503, as a client should. Meanwhile the capacity,
payments and notifications workers, the API, the broker and the database are each killed
with SIGKILL and restarted, and poison messages are injected. After the storm drains:

- no acknowledged record lost: every request and payment the API answered 202 to is on its
  topic, and every payment.succeeded there was applied;
- no booking lost: every accepted request is in a final state (waitlisted only when full);
- no double charge: at most one succeeded PaymentIntent per booking, exactly one if confirmed;
- no oversold seat: sampled all along, and at the end in MongoDB and in Stripe;
- no duplicate e-mail, and every confirmed trainee told once;
- every poison message in the dead-letter topic of each group that reads it, with its error,
  and nothing else there.

The counts are printed.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import stripe
from pymongo import MongoClient

from adapters import kafka_ops
from adapters.config import Config
from adapters.kafka_bus import KafkaPublisher
from api.operations import GROUP_TOPICS
from devstack.services import ServiceHandle
from devstack.smtp_sink import read_maildir
from devstack.stack import WORKERS
from events import BookingRequested, PaymentSubmitted, PaymentSucceeded
from events.codec import InvalidEvent, decode
from events.envelope import Event
from events.types import topic_name
from tests.chaos.conftest import ChaosStack, chaos_stack
from tests.support import TRAINING, ApiClient, request_data, wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

TRAININGS, SEATS, TRAINEES = 4, 16, 84
KILLS = 6  # capacity, payments, notifications, API, broker, database
MID_JOURNEY = 10  # trainees between request and confirmation (not waitlisted) when each kill lands
FINAL = {"confirmed", "cancelled", "rejected", "expired"}
# Which groups read which topic: a poison message there ends in each of their dead-letter topics.
READERS = {"bookings": ("capacity", "payments", "notifications"), "payments": ("capacity", "payments", "notifications")}
SEED = 20261122


@pytest.fixture
def chaos(tmp_path: Path) -> Iterator[ChaosStack]:
    """Every process of the marketplace, real and killable; the broker's and the database's data survive them."""
    with chaos_stack(tmp_path, "chaos", WORKERS, worker_max_attempts=2, outbox_send_seconds=0.5) as stack:
        yield stack


@dataclass
class Tally:
    """What happened, for the checks and the report."""

    accepted: dict[str, str] = field(default_factory=dict)  # booking id -> training id
    payments_accepted: set[str] = field(default_factory=set)  # bookings whose payment the API took (202)
    retries: Counter[str] = field(default_factory=Counter)  # why a request was sent again
    unexpected: list[str] = field(default_factory=list)
    kills: list[str] = field(default_factory=list)
    over_capacity_samples: int = 0
    samples: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Trainee:
    """One person booking through the HTTP API, as a careful client: retry what did not answer."""

    def __init__(self, client: ApiClient, user: dict[str, Any], training: dict[str, Any], plan: str,
                 tally: Tally, storm_over: threading.Event) -> None:  # fmt: skip
        self.client, self.user, self.training, self.plan = client, user, training, plan
        self.tally, self.storm_over = tally, storm_over

    waiting = False  # on the waitlist: only someone else's cancellation can move it on
    status = ""  # where the booking is, as this trainee last saw it ("" before the request is accepted)
    started = False

    @property
    def mid_journey(self) -> bool:
        """Between the request and its confirmation (or another end), and not waiting on a waitlist."""
        return self.started and self.status not in FINAL and not self.waiting

    def _training_full(self) -> bool:
        training = self.call("GET", f"/api/v1/trainings/{self.training['id']}", (200,)).json()
        return training.get("seats_left") == 0

    def call(self, method: str, path: str, ok: tuple[int, ...], **kwargs: Any) -> requests.Response:
        """Send until an answer in ``ok``; an unreachable API, a 502/503 or a timeout means retry."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                response = self.client.call(method, path, self.user["token"], **kwargs)
            except requests.RequestException as exc:
                self.tally.retries[type(exc).__name__] += 1
                time.sleep(0.5)
                continue
            if response.status_code in ok:
                return response
            if response.status_code in (502, 503, 504):
                self.tally.retries[str(response.status_code)] += 1
                time.sleep(0.5)
                continue
            with self.tally.lock:
                self.tally.unexpected.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
            return response
        raise AssertionError(f"{method} {path}: no answer for 300 s")

    def run(self) -> None:
        try:
            self._journey()
        except AssertionError as exc:
            with self.tally.lock:
                self.tally.unexpected.append(str(exc))

    def _journey(self) -> None:
        self.started = True
        key = uuid.uuid4().hex  # one request, however many times it is sent
        accepted = self.call("POST", f"/api/v1/trainings/{self.training['id']}/bookings", (202,),
                             headers={"Idempotency-Key": key})  # fmt: skip
        if accepted.status_code != 202:
            self.status = "refused"
            return
        booking_id = accepted.json()["booking"]["id"]
        with self.tally.lock:
            self.tally.accepted[booking_id] = self.training["id"]
        submitted_attempt, declined = 0, False
        deadline = time.monotonic() + 420
        while time.monotonic() < deadline:
            booking = self.call("GET", f"/api/v1/bookings/{booking_id}", (200,)).json()
            status, payment = booking["status"], booking.get("payment") or {}
            self.status, self.waiting = status, status == "waitlisted"
            if status in FINAL or (self.waiting and self.storm_over.is_set() and self._training_full()):
                return
            if status == "held" and payment.get("intent_id"):
                attempt = payment.get("attempt") or 1
                if self.plan == "cancel":
                    self.call("POST", f"/api/v1/bookings/{booking_id}/cancel", (202, 409))
                elif submitted_attempt < attempt or payment.get("status") == "failed":
                    method = "pm_card_visa"
                    if self.plan == "decline" and not declined:
                        method, declined = "pm_card_chargeCustomerFail", True
                    paid = self.call("POST", f"/api/v1/bookings/{booking_id}/payment", (202, 409),
                                     json={"payment_method": method})  # fmt: skip
                    if paid.status_code == 202:
                        with self.tally.lock:
                            self.tally.payments_accepted.add(booking_id)
                        submitted_attempt = attempt
                        if method == "pm_card_visa" and payment.get("status") == "failed":
                            submitted_attempt = attempt + 1  # the worker makes the next attempt for it
            time.sleep(0.5)
        raise AssertionError(f"booking {booking_id} ({self.plan}) still {status} after 420 s")


def _kill_and_restart(handle: ServiceHandle, tally: Tally, journeys: list[Trainee], down_s: float = 2.0) -> int:
    """SIGKILL once at least ``MID_JOURNEY`` trainees are mid-journey; how many were."""
    deadline = time.monotonic() + 20
    while sum(j.mid_journey for j in journeys) < MID_JOURNEY and time.monotonic() < deadline:
        time.sleep(0.05)
    in_flight = sum(j.mid_journey for j in journeys)
    handle.kill()
    tally.kills.append(f"{handle.name} ({in_flight} trainees mid-journey)")
    time.sleep(down_s)
    handle.restart()
    return in_flight


def _poison(config: Config, trainings: list[dict[str, Any]]) -> dict[str, bytes]:
    """Messages no handler can apply: undecodable bytes on two topics, a request for no training."""
    publisher = KafkaPublisher(config.kafka_bootstrap_servers, config.kafka_topic_prefix)
    tag = uuid.uuid4().hex[:8]
    garbage = {topic: f"{{not json {tag} on {topic}".encode() for topic in READERS}
    for topic, value in garbage.items():
        publisher.send_raw(topic_name(config.kafka_topic_prefix, topic), trainings[0]["id"], value)
    orphan = Event(type=BookingRequested.TYPE, subject=f"b-{tag}", key=trainings[1]["id"],
                   data=request_data(f"b-{tag}", f"no-such-training-{tag}", "nobody", 100))  # fmt: skip
    publisher.publish(orphan)
    publisher.close()
    return {**{f"garbage:{t}:{tag}": v for t, v in garbage.items()}, f"orphan:bookings:{orphan.id}": orphan.id.encode()}


def _sample_seats(config: Config, stop: threading.Event, tally: Tally) -> None:
    """Every 200 ms, every training's holders against its capacity (through database restarts)."""
    client: MongoClient[dict[str, Any]] = MongoClient(config.mongodb_uri, serverSelectionTimeoutMS=1000)
    try:
        while not stop.wait(0.2):
            try:
                counters = list(client[config.mongodb_database].seats.find({}, {"capacity": 1, "holders": 1}))
            except Exception:  # noqa: BLE001 - the database is being restarted: sample again next tick
                continue
            tally.samples += 1
            if any(len(c.get("holders", [])) > c.get("capacity", 0) for c in counters):
                tally.over_capacity_samples += 1
    finally:
        client.close()


def test_killing_every_process_mid_storm_loses_nothing(chaos: ChaosStack, capsys: pytest.CaptureFixture[str]) -> None:
    config, client, tally = chaos.config, chaos.client, Tally()
    started = time.monotonic()
    expert = client.expert()
    trainings = [client.published_training(expert, capacity=SEATS, price=30000, title=f"{TRAINING['title']} #{i}")
                 for i in range(TRAININGS)]  # fmt: skip
    trainees = [client.user("trainee") for _ in range(TRAINEES)]
    rng = random.Random(SEED)
    storm_over, sampling_done = threading.Event(), threading.Event()
    journeys = [
        Trainee(client, t, trainings[i % TRAININGS], rng.choices(["pay", "decline", "cancel"], [7, 2, 1])[0],
                tally, storm_over)
        for i, t in enumerate(trainees)
    ]  # fmt: skip
    sampler = threading.Thread(target=_sample_seats, args=(config, sampling_done, tally), daemon=True)
    sampler.start()

    poison = _poison(config, trainings)
    threads = [threading.Thread(target=journey.run, daemon=True) for journey in journeys]
    bursts = [threads[i::KILLS] for i in range(KILLS)]
    # In turn: each worker that holds state, the API, the broker (its data on disk survives), the
    # database. Each kill falls as a burst of trainees arrives, once at least MID_JOURNEY of them
    # have requests, holds and payments in flight.
    victims = [chaos.workers["capacity"], chaos.workers["payments"], chaos.workers["notifications"], chaos.api,
               chaos.infra.broker, chaos.infra.mongo]  # fmt: skip
    mid_journey_at_kills = []
    for burst, victim in zip(bursts, victims, strict=True):
        for thread in burst:
            thread.start()
        mid_journey_at_kills.append(_kill_and_restart(victim, tally, journeys))
        if victim is chaos.infra.broker:
            poison.update(_poison(config, trainings))  # after the broker's restart too
        time.sleep(3)
    # The storm is over once every trainee is done or waiting on a waitlist; those then leave
    # once their training is full (a late cancellation may still promote one of them).
    wait_for(lambda: all(not t.is_alive() or j.waiting for t, j in zip(threads, journeys, strict=True)),
             timeout=480, what="every trainee done or waitlisted")  # fmt: skip
    storm_over.set()
    for thread in threads:
        thread.join(timeout=120)
    stuck = [j.plan for t, j in zip(threads, journeys, strict=True) if t.is_alive()]

    # Every process still up: none may die of another's crash (a worker once did, of the broker's).
    processes = [chaos.api, *chaos.workers.values(), chaos.infra.broker, chaos.infra.mongo]
    died = [h.name for h in processes if not h.alive()]
    assert not died, f"died on their own: {died}"
    assert client.deps is not None
    db = client.deps.users._c.database  # type: ignore[attr-defined]
    deadline, left = time.monotonic() + 180, _left_to_do(config, db)
    left_when_the_storm_ended = {k: v if isinstance(v, int) else len(v) for k, v in left.items()}
    while left and time.monotonic() < deadline:
        time.sleep(1)
        left = _left_to_do(config, db)
    assert not left, f"not drained after 180 s: {left}"
    sampling_done.set()
    sampler.join(timeout=10)

    declined = db.bookings.count_documents({"history.step": "payment_failed"})

    # 0. No acknowledged record lost, and each applied: every request the API answered 202 to
    # is on the bookings topic, every payment it took is on the payments topic, and the capacity
    # worker applied every request and every payment.succeeded there (its markers say so).
    on_topic = {t: [e for e in _events(config, t) if e is not None] for t in ("bookings", "payments")}
    requested = {e.data["booking_id"]: e.id for e in on_topic["bookings"] if e.type == BookingRequested.TYPE}
    submitted = {e.data["booking_id"] for e in on_topic["payments"] if e.type == PaymentSubmitted.TYPE}
    successes = [e for e in on_topic["payments"]
                 if e.type == PaymentSucceeded.TYPE and e.data["booking_id"] in tally.accepted]  # fmt: skip
    acked_requests_missing = sorted(set(tally.accepted) - set(requested))
    acked_payments_missing = sorted(tally.payments_accepted - submitted)
    to_apply = [requested[b] for b in tally.accepted if b in requested] + [e.id for e in successes]
    applied = client.deps.processed.seen_many("capacity", to_apply)
    not_applied = sorted(set(to_apply) - applied)

    # 1. No booking lost.
    docs = {d["_id"]: d for d in db.bookings.find({"_id": {"$in": list(tally.accepted)}})}
    lost = [b for b in tally.accepted if b not in docs]
    unfinished = [b for b, d in docs.items() if d["status"] not in FINAL | {"waitlisted"}]
    by_status = Counter(d["status"] for d in docs.values())
    confirmed = Counter(d["training_id"] for d in docs.values() if d["status"] == "confirmed")
    waiting_while_free = [b for b, d in docs.items()
                          if d["status"] == "waitlisted" and confirmed[d["training_id"]] < SEATS]  # fmt: skip

    # 2. No double charge.
    stripe_client = stripe.StripeClient(config.stripe_api_key, base_addresses={"api": config.stripe_api_base})
    succeeded: Counter[str] = Counter()
    paid_per_training: Counter[str] = Counter()
    for intent in stripe_client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter():
        booking_id = (intent.metadata.to_dict() if intent.metadata else {}).get("booking_id")
        if booking_id in tally.accepted and intent.status == "succeeded":
            succeeded[booking_id] += 1
    refunded = {r["reference"] for r in db.ledger.find({"kind": "refund"}, {"reference": 1})}
    for booking_id, n in succeeded.items():
        if booking_id not in refunded:
            paid_per_training[tally.accepted[booking_id]] += n
    double_charged = [b for b, n in succeeded.items() if n > 1]
    confirmed_unpaid = [b for b, d in docs.items() if d["status"] == "confirmed" and succeeded[b] != 1]

    # 3. No oversold seat.
    counters = {c["_id"]: c for c in db.seats.find({"_id": {"$in": [t["id"] for t in trainings]}})}
    oversold = [t for t in trainings if confirmed[t["id"]] > SEATS or len(counters[t["id"]]["holders"]) > SEATS
                or paid_per_training[t["id"]] > SEATS]  # fmt: skip

    # 4. No duplicate e-mail: each trainee (one booking each) hears of each step once, and the
    # expert of each confirmed booking once. The same Message-ID twice is a resend after a crash
    # between the SMTP server's answer and the outbox's record (mail clients show it once).
    mails = read_maildir(chaos.infra.maildir)
    ids = Counter(str(m["Message-ID"]) for m in mails)
    resent_same_id = sum(n - 1 for n in ids.values() if n > 1)
    emails = {t["id"]: t["email"] for t in trainees}
    distinct: dict[tuple[str, str], set[str]] = {}
    for m in mails:
        distinct.setdefault((str(m["To"]), str(m["Subject"])), set()).add(str(m["Message-ID"]))
    duplicated = sum(len(ids) - 1 for (to, _subject), ids in distinct.items() if to in emails.values())
    told_expert = {
        t["id"]: len(distinct.get((expert["email"], f"New booking: {t['title']}"), set())) for t in trainings
    }
    expert_miscounted = {t: n for t, n in told_expert.items() if n != confirmed[t]}
    told = Counter(str(m["To"]) for m in mails if str(m["Subject"]).startswith("Booking confirmed"))
    untold = [b for b, d in docs.items() if d["status"] == "confirmed" and told[emails[d["trainee_id"]]] != 1]

    # 5. Every poison message dead-lettered, with its error, by every group that reads it; nothing else.
    letters = {g: kafka_ops.read_dead_letters(config.kafka_bootstrap_servers, config.kafka_topic_prefix, g)
               for g in WORKERS}  # fmt: skip
    poison_values = set(poison.values())
    missing_letters, foreign_letters, letters_without_error = [], [], []
    for name, value in poison.items():
        kind, where, _tag = name.split(":")
        readers = READERS[where] if kind == "garbage" else ("capacity",)
        for group in readers:
            found = [d for d in letters[group] if d.value == value or d.headers.get("id") == value.decode()]
            if not found:
                missing_letters.append(f"{name} in {group}")
            letters_without_error += [f"{name} in {group}" for d in found if not d.error]
    for group, dead in letters.items():
        poisoned = [d for d in dead if d.value in poison_values or d.headers.get("id", "").encode() in poison_values]
        foreign_letters += [f"{group} {d.ref}: {d.error}" for d in dead if d not in poisoned]

    report = {
        "seconds": round(time.monotonic() - started), "kills": tally.kills, "trainees": TRAINEES, "stuck": stuck,
        "mid_journey_at_each_kill": mid_journey_at_kills, "acked_requests_missing_from_topic": acked_requests_missing,
        "acked_payments_missing_from_topic": acked_payments_missing,
        "payment_succeeded_on_topic": len(successes), "acked_events_not_applied": not_applied,
        "accepted": len(tally.accepted), "by_status": dict(by_status), "declined_then_retried": declined,
        "lost": len(lost) + len(unfinished),
        "waitlisted_while_seats_free": len(waiting_while_free), "double_charges": len(double_charged),
        "confirmed_without_exactly_one_charge": len(confirmed_unpaid), "oversold_trainings": len(oversold),
        "seat_samples": tally.samples, "samples_over_capacity": tally.over_capacity_samples,
        "emails": len(mails), "duplicate_emails": duplicated, "resent_after_crash_same_message_id": resent_same_id,
        "confirmed_not_told_once": len(untold), "expert_told_of_confirmations_wrongly": expert_miscounted,
        "dead_letters": {g: len(d) for g, d in letters.items()}, "poison_missing_from_dlq": missing_letters,
        "dead_letters_not_poison": foreign_letters, "client_retries": dict(tally.retries),
        "unexpected_answers": tally.unexpected[:10], "left_when_the_storm_ended": left_when_the_storm_ended,
    }  # fmt: skip
    with capsys.disabled():
        print("\nchaos report:", json.dumps(report, indent=1))
    Path("test-artifacts").mkdir(exist_ok=True)
    Path("test-artifacts/chaos-report.json").write_text(json.dumps(report, indent=1))

    assert not stuck, report
    assert len(tally.kills) == KILLS and min(mid_journey_at_kills) >= MID_JOURNEY, report
    assert not acked_requests_missing and not acked_payments_missing and not not_applied, report
    assert len(successes) >= by_status["confirmed"], report
    assert declined >= 1, report  # a declined card was really part of the storm
    assert len(tally.accepted) == TRAINEES, report
    assert not lost and not unfinished, report
    assert not waiting_while_free, report
    assert by_status["confirmed"] >= TRAININGS, report  # money and seats really moved
    assert not double_charged and not confirmed_unpaid, report
    assert not oversold and tally.over_capacity_samples == 0 and tally.samples > 100, report
    assert duplicated == 0 and not untold and not expert_miscounted, report
    assert not missing_letters and not letters_without_error and not foreign_letters, report
    assert not tally.unexpected, report


def _left_to_do(config: Config, db: Any) -> dict[str, Any]:
    """What the marketplace still has to do: records a group has not committed, e-mails unsent."""
    lag = kafka_ops.consumer_lag(config.kafka_bootstrap_servers, config.kafka_topic_prefix, GROUP_TOPICS)
    left: dict[str, Any] = {f"{r.group} {r.topic}/{r.partition}": r.pending for r in lag if r.pending}
    unsent = list(db.outbox.find({"status": "queued"}, {"due_at": 1, "attempts": 1, "last_error": 1}).limit(5))
    if unsent:
        left["unsent e-mails"] = unsent
    return left


def _events(config: Config, topic: str) -> list[Event | None]:
    """Every record of one of our topics, decoded (None: not an event, i.e. injected poison)."""
    out: list[Event | None] = []
    for record in kafka_ops.read_topic(config.kafka_bootstrap_servers, topic_name(config.kafka_topic_prefix, topic)):
        try:
            out.append(decode(record.value))
        except InvalidEvent:
            out.append(None)
    return out


def _text(mail: Any) -> str:
    part = mail.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part else ""
