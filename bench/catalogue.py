"""Catalogue reads: search with filters under concurrent clients, against a catalogue of many trainings."""

from __future__ import annotations

import http.client
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from bench.measure import Progress, rate, summary
from bench.stack import BenchStack
from core.model import Training, TrainingStatus, Venue
from core.services.catalogue import query_of
from schemas.catalogue import SearchArgs

SPECIALTIES = ["cardiology", "urology", "ophthalmology", "orthopaedics", "neurosurgery", "gastroenterology"]
TECHNIQUES = ["TAVI", "robotic nephrectomy", "DMEK", "knee arthroplasty", "deep brain stimulation", "ERCP"]
CITIES = [
    ("Paris", "FR"),
    ("Lyon", "FR"),
    ("Milan", "IT"),
    ("Berlin", "DE"),
    ("Madrid", "ES"),
    ("Brussels", "BE"),
    ("Zurich", "CH"),
    ("London", "GB"),
    ("Vienna", "AT"),
    ("Amsterdam", "NL"),
]
WORDS = ["valve", "live", "hands-on", "robotic", "transplant", "simulation", "advanced", "masterclass"]


def seed(stack: BenchStack, count: int, expert_id: str, threads: int = 8) -> float:
    """Store ``count`` published trainings through the repository; the seconds it took."""
    rng = random.Random(7)
    now = datetime.now(UTC)

    def one(i: int) -> None:
        specialty = rng.choice(SPECIALTIES)
        technique = TECHNIQUES[SPECIALTIES.index(specialty)]
        city, country = rng.choice(CITIES)
        starts = (now + timedelta(days=rng.randint(2, 365))).replace(hour=7, minute=30, second=0, microsecond=0)
        stack.deps.trainings.add(
            Training(
                id=str(uuid.uuid4()),
                expert_id=expert_id,
                status=TrainingStatus.PUBLISHED,
                created_at=now,
                updated_at=now,
                title=f"{technique.title()}: {rng.choice(WORDS)} {rng.choice(WORDS)} day {i}",
                specialty=specialty,
                technique=technique,
                description=f"A {rng.choice(WORDS)} day in the OR.",
                languages=rng.sample(["en", "fr", "de", "it", "es"], 2),
                starts_at=starts,
                ends_at=starts + timedelta(hours=9),
                timezone="Europe/Paris",
                capacity=rng.randint(4, 12),
                price=rng.randint(0, 20) * 10000,
                currency="eur",
                cme_credits=7,
                expert_verified=True,
                venue=Venue(
                    institution="University Hospital",
                    address="1 Main St",
                    city=city,
                    postal_code="00000",
                    country=country,
                ),
            )
        )

    done = [0]

    def counted(i: int) -> None:
        one(i)
        done[0] += 1

    progress = Progress("catalogue+", count, lambda: done[0])
    progress.start()
    start = time.time()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(counted, range(count)))
    progress.finish()
    return round(time.time() - start, 1)


def _queries(rng: random.Random) -> dict[str, Any]:
    city, country = rng.choice(CITIES)
    return rng.choice(
        [
            {},
            {"specialty": rng.choice(SPECIALTIES)},
            {"city": city},
            {"q": rng.choice(WORDS)},
            {"country": country, "sort": "price"},
            {"price_max": 50000, "currency": "eur", "free_seats": "true"},  # prices compare within a currency
            {"language": "en", "specialty": rng.choice(SPECIALTIES)},
            {"sort": "rating"},
            {"offset": 40, "sort": "-date"},
        ]
    )


def check(stack: BenchStack, count: int = 8) -> dict[str, Any]:
    """The API's answers to a sample of the queries against the database's own search (the reference):
    the same ids in the same order, and the same total."""
    rng = random.Random(99)
    wrong: list[dict[str, Any]] = []
    for _ in range(count):
        params = _queries(rng)
        body = requests.get(f"{stack.api_url}/api/v1/trainings", params=params, timeout=60).json()
        items, total = stack.deps.trainings.search(query_of(stack.deps, SearchArgs().load(params)))
        if [t["id"] for t in body["items"]] != [t.id for t in items] or body["total"] != total:
            wrong.append(params)
    return {"checked": count, "wrong": len(wrong), "wrong_queries": wrong}


class _Connection:
    """One keep-alive HTTP connection (http.client): requests' Session spent 1.6 ms of CPU per
    search, more than the API, and 16 such clients in one process could not ask 1,000 a second."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> int:
        """The status of a GET (0 if no answer within a minute), the body read."""
        try:
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=60)
            self._conn.request("GET", path)
            response = self._conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            return 0


def run(stack: BenchStack, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` searching without pause for ``seconds``: requests/s and latency."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client(seed_: int) -> None:
        rng = random.Random(seed_)
        http = _Connection(stack.api_url)
        while time.monotonic() < end:
            params = _queries(rng)
            started = time.perf_counter()
            status = http.get(f"/api/v1/trainings?{urlencode(params)}" if params else "/api/v1/trainings")
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                if status != 200:
                    errors.append(status)

    progress = Progress(
        "catalogue",
        int(seconds),
        lambda: int(seconds - max(0.0, end - time.monotonic())),
        lambda: f"{len(latencies)} searches",
    )
    progress.start()
    start = time.time()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    stop = time.time()
    progress.finish()
    return {
        "clients": clients,
        "seconds": seconds,
        "searches": len(latencies),
        "errors": len(errors),
        "searches_per_s": rate(len(latencies), start, stop),
        "latency": summary(latencies),
    }
