"""The booking storm: N trainees ask for seats on M trainings at once over HTTP, each one given
a seat pays with a test card as soon as the PaymentIntent exists, and the run waits until
every booking is final and every confirmation is notified."""

from __future__ import annotations

import heapq
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from kafka import KafkaConsumer

from bench.measure import Progress, rate, summary
from bench.stack import BenchStack
from events import PaymentSucceeded
from events.codec import decode
from events.types import topic_name

FINAL = {"confirmed", "waitlisted", "rejected", "expired", "cancelled"}
DECIDED_STEPS = ("held", "waitlisted", "pending_approval", "rejected")
POLL_S = 0.5  # a client asks for its booking's status twice a second until it is decided


@dataclass
class Ask:
    """One trainee's request and what the API answered, timed by the client."""

    trainee: dict[str, str]
    training_id: str
    sent: float = 0.0
    answered: float = 0.0
    status: int = 0
    booking_id: str = ""
    learned: float = 0.0  # when the client knew its outcome (held, waitlisted...): the answer or a poll
    polls: int = 0


_local = threading.local()


def _http() -> requests.Session:
    """One keep-alive session per client thread, as a browser keeps its connection."""
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session  # type: ignore[no-any-return]


def run(
    stack: BenchStack,
    trainees: list[dict[str, str]],
    trainings: list[dict[str, Any]],
    clients: int,
    deadline_s: float = 600,
    wait_s: float = 1.0,
) -> dict[str, Any]:
    """Run the storm; every figure of it, and the per-booking timings for the plots."""
    db = stack.deps.users._c.database  # type: ignore[attr-defined]
    training_ids = [t["id"] for t in trainings]
    asks = [Ask(t, training_ids[i % len(training_ids)]) for i, t in enumerate(trainees)]
    capacity = {t["id"]: int(t["capacity"]) for t in trainings}
    paid: dict[str, float] = {}
    peak_holders: Counter[str] = Counter()
    stop = threading.Event()

    def ask(a: Ask) -> None:
        a.sent = time.time()
        response = _http().post(
            f"{stack.api_url}/api/v1/trainings/{a.training_id}/bookings",
            timeout=60,
            # As a booking page would: wait up to a second for the decision, then poll.
            headers={"Authorization": f"Bearer {a.trainee['token']}", "Prefer": f"wait={wait_s:g}"},
        )
        a.answered, a.status = time.time(), response.status_code
        if response.status_code in (200, 201, 202):
            booking = response.json()["booking"]
            a.booking_id = booking["id"]
            if booking["status"] != "requested":
                a.learned = a.answered  # decided within the request
            else:
                polls.add(a)

    token_of = {a.trainee["id"]: a.trainee["token"] for a in asks}

    def pay(booking_id: str, trainee_id: str) -> None:
        _http().post(
            f"{stack.api_url}/api/v1/bookings/{booking_id}/payment",
            timeout=60,
            json={"payment_method": "pm_card_visa"},
            headers={"Authorization": f"Bearer {token_of[trainee_id]}"},
        )

    payers = ThreadPoolExecutor(max(2, clients // 4), thread_name_prefix="payer")
    polls = Polls(stack.api_url)

    def watch() -> None:
        """Pay every payable hold as soon as it is, and sample the seat counters.

        Twice a second, through the bookings' own index: the observer must not become the
        database's main load (a first version polling five times a second and counting every
        status did).
        """
        while not stop.wait(0.5):
            for doc in db.bookings.find(
                {"training_id": {"$in": training_ids}, "status": "held", "payment.intent_id": {"$exists": True}},
                {"trainee_id": 1},
            ).hint("bookings_training"):
                if doc["_id"] not in paid:
                    paid[doc["_id"]] = time.time()
                    payers.submit(pay, doc["_id"], doc["trainee_id"])
            for tid in training_ids:
                snapshot = stack.deps.seats.snapshot(tid) or {"holders": []}
                peak_holders[tid] = max(peak_holders[tid], len(snapshot["holders"]))

    counts: Counter[str] = Counter()

    def count() -> None:
        counts.clear()
        for row in db.bookings.aggregate(  # every 2 s, for the progress line and the end
            [{"$match": {"training_id": {"$in": training_ids}}}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
        ):
            counts[row["_id"]] = row["n"]

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    progress = Progress(
        "storm",
        len(asks),
        lambda: sum(1 for a in asks if a.status),
        lambda: " ".join(f"{k} {v}" for k, v in sorted(counts.items())),
    )
    progress.start()
    started = time.time()
    with ThreadPoolExecutor(clients, thread_name_prefix="trainee") as pool:
        list(pool.map(ask, asks))
    polls.drain(deadline_s)
    accepted = [a for a in asks if a.booking_id]
    end = time.monotonic() + deadline_s
    seats = sum(capacity.values())
    while time.monotonic() < end:
        count()
        notified = db.inbox.count_documents({"kind": "booking.confirmed"})
        final = sum(counts[s] for s in FINAL)
        confirmed_all = counts["confirmed"] >= min(seats, len(accepted))
        if final == len(accepted) and confirmed_all and notified >= counts["confirmed"]:
            break
        time.sleep(2)
    count()
    stop.set()
    watcher.join()
    payers.shutdown(wait=True)
    polls.stop()
    progress.finish()
    return _figures(stack, asks, accepted, counts, capacity, peak_holders, paid, started)


class Polls:
    """Every client with an undecided booking asks for its status every ``POLL_S``, as a page would."""

    def __init__(self, api_url: str, threads: int = 16) -> None:
        self._api = api_url
        self._due: list[tuple[float, int, Ask]] = []
        self._lock = threading.Condition()
        self._stopped = False
        self._count = 0
        self._threads = [threading.Thread(target=self._work, daemon=True, name=f"poller-{i}") for i in range(threads)]
        for t in self._threads:
            t.start()

    def add(self, a: Ask, after_s: float = POLL_S) -> None:
        with self._lock:
            self._count += 1
            heapq.heappush(self._due, (time.time() + after_s, self._count, a))
            self._lock.notify()

    def drain(self, deadline_s: float) -> None:
        """Wait until every client learned its outcome (or the deadline)."""
        end = time.monotonic() + deadline_s
        with self._lock:
            while self._due and time.monotonic() < end:
                self._lock.wait(0.2)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
        for t in self._threads:
            t.join(timeout=5)

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._stopped and (not self._due or self._due[0][0] > time.time()):
                    self._lock.wait(max(0.001, self._due[0][0] - time.time()) if self._due else 0.2)
                if self._stopped:
                    return
                _, _, a = heapq.heappop(self._due)
            a.polls += 1
            try:
                response = _http().get(f"{self._api}/api/v1/bookings/{a.booking_id}", timeout=60,
                                       headers={"Authorization": f"Bearer {a.trainee['token']}"})  # fmt: skip
                decided = response.status_code == 200 and response.json()["status"] != "requested"
            except requests.RequestException:
                decided = False
            if decided:
                a.learned = time.time()
                with self._lock:
                    self._lock.notify_all()
            else:
                self.add(a)


def _figures(
    stack: BenchStack,
    asks: list[Ask],
    accepted: list[Ask],
    counts: Counter[str],
    capacity: dict[str, int],
    peak_holders: Counter[str],
    paid: dict[str, float],
    started: float,
) -> dict[str, Any]:
    db = stack.deps.users._c.database  # type: ignore[attr-defined]
    ask_of = {a.booking_id: a for a in accepted}
    docs = list(db.bookings.find({"_id": {"$in": list(ask_of)}}))
    webhooks = _webhook_times(stack, set(ask_of))
    inbox = {d["user_id"]: d for d in db.inbox.find({"kind": "booking.confirmed"}, {"user_id": 1, "created_at": 1})}
    # An e-mail's id is its inbox notification's: (person, event).
    mailed = {d["_id"]: d.get("sent_at") for d in db.outbox.find({"_id": {"$in": _ids(inbox)}}, {"sent_at": 1})}

    stages: dict[str, list[float]] = {
        k: []
        for k in (
            "request_to_accepted",
            "request_to_decision_known",
            "api_to_decided",
            "api_to_held",
            "held_to_payment_intent",
            "payment_to_webhook",
            "webhook_to_confirmed",
            "payment_to_confirmed",
            "confirmed_to_inbox",
            "confirmed_to_email",
            "request_to_confirmed",
            "request_to_notified",
        )
    }
    timeline: list[dict[str, Any]] = []
    for a in accepted:
        stages["request_to_accepted"].append(a.answered - a.sent)
        if a.learned:
            stages["request_to_decision_known"].append(a.learned - a.sent)
    for doc in docs:
        a = ask_of[doc["_id"]]
        at = {h["step"]: _ts(h["at"]) for h in reversed(doc.get("history", []))}  # the first of each step
        requested = _ts(doc["requested_at"])
        decided = min((at[s] for s in DECIDED_STEPS if s in at), default=None)
        row = {"sent": a.sent - started, "status": doc["status"]}
        if decided:
            stages["api_to_decided"].append(decided - requested)
            row["decided"] = decided - a.sent
        if "held" in at:
            stages["api_to_held"].append(at["held"] - requested)
            if "payment_pending" in at:
                stages["held_to_payment_intent"].append(at["payment_pending"] - at["held"])
        webhook = webhooks.get(doc["_id"])
        if webhook and "payment_submitted" in at:
            stages["payment_to_webhook"].append(webhook - at["payment_submitted"])
        if "confirmed" in at:
            confirmed = at["confirmed"]
            if "payment_submitted" in at:
                stages["payment_to_confirmed"].append(confirmed - at["payment_submitted"])
            row["confirmed"] = confirmed - a.sent
            stages["request_to_confirmed"].append(confirmed - a.sent)
            if webhook:
                stages["webhook_to_confirmed"].append(confirmed - webhook)
            note = inbox.get(doc["trainee_id"])
            if note:
                stages["confirmed_to_inbox"].append(_ts(note["created_at"]) - confirmed)
                stages["request_to_notified"].append(_ts(note["created_at"]) - a.sent)
                row["notified"] = _ts(note["created_at"]) - a.sent
                sent = mailed.get(note["_id"])
                if sent:
                    stages["confirmed_to_email"].append(_ts(sent) - confirmed)
        timeline.append(row)

    by_status = Counter(d["status"] for d in docs)
    seated = Counter(d["training_id"] for d in docs if d["status"] in ("held", "pending_approval", "confirmed"))
    oversold = sum(max(0, n - capacity[t]) for t, n in seated.items())
    oversold += sum(max(0, n - capacity[t]) for t, n in peak_holders.items())
    decided_times = [_ts(h["at"]) for d in docs for h in d.get("history", []) if h["step"] in DECIDED_STEPS]
    confirmed_times = [_ts(h["at"]) for d in docs for h in d.get("history", []) if h["step"] == "confirmed"]
    answered = [a.answered for a in accepted]
    learned = [a.learned for a in accepted if a.learned]
    return {
        "requests": len(asks),
        "accepted": len(accepted),
        "refused": dict(Counter(a.status for a in asks if a.status != 202)),
        "statuses": dict(by_status),
        "oversold_seats": oversold,
        "unresolved_bookings": sum(n for s, n in by_status.items() if s not in FINAL) + len(accepted) - len(docs),
        "confirmed_without_notice": max(0, by_status["confirmed"] - len(inbox)),
        "paid_by_the_bench": len(paid),
        "undecided_for_their_clients": len(accepted) - len(learned),
        "status_polls": sum(a.polls for a in accepted),
        "throughput_per_s": {
            "api_accepted": rate(len(accepted), min(a.sent for a in asks), max(answered, default=0)),
            "decided": rate(len(decided_times), started, max(decided_times, default=0)),
            # Every request's outcome known to its client, from the first request sent.
            "decided_end_to_end": rate(len(learned), min(a.sent for a in asks), max(learned, default=0)),
            "confirmed_end_to_end": rate(len(confirmed_times), started, max(confirmed_times, default=0)),
        },
        "latency": {k: summary(v) for k, v in stages.items()},
        "timeline": timeline,
    }


def _ids(inbox: dict[str, dict[str, Any]]) -> list[str]:
    return [d["_id"] for d in inbox.values()]


def _ts(value: datetime) -> float:
    return value.timestamp()


def _webhook_times(stack: BenchStack, booking_ids: set[str]) -> dict[str, float]:
    """When the API published ``payment.succeeded`` (on Stripe's webhook), per booking."""
    consumer = KafkaConsumer(
        topic_name(stack.config.kafka_topic_prefix, PaymentSucceeded.TOPIC),
        bootstrap_servers=stack.config.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=3000,
    )
    found: dict[str, float] = {}
    try:
        for record in consumer:
            event = decode(record.value)
            if event.type == PaymentSucceeded.TYPE and event.data.get("booking_id") in booking_ids:
                found.setdefault(event.data["booking_id"], datetime.fromisoformat(event.time).timestamp())
    finally:
        consumer.close()
    return found
