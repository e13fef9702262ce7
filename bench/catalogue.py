"""Catalogue reads: search with filters under concurrent clients, against a catalogue of many trainings."""

from __future__ import annotations

import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from bench.measure import Progress, rate, summary
from bench.stack import BenchStack
from core.model import Training, TrainingStatus, Venue

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


def run(stack: BenchStack, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` searching without pause for ``seconds``: requests/s and latency."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client(seed_: int) -> None:
        rng = random.Random(seed_)
        http = requests.Session()
        while time.monotonic() < end:
            params = _queries(rng)
            started = time.perf_counter()
            try:
                status = http.get(f"{stack.api_url}/api/v1/trainings", params=params, timeout=60).status_code
            except requests.RequestException:
                status = 0  # no answer within a minute: an error, and the latency it cost
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
