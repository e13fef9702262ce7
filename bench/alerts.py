"""``python -m bench.alerts``: 10,000 saved searches, and how long a publication takes to be matched.

On the embedded database (a fresh one), with the real adapters: ``--alerts`` alerts (5 per person)
over realistic filters (a technique, a specialty, a city, words, a country or a language), then
``--publications`` trainings published one after another, each handled as the notifications
worker handles ``training.published`` (core/handlers/alerts.py: read the candidate alerts, match
them, record the matches, put the instant ones' notices in the inbox and queue their e-mails).
Printed: the handler's time per publication (p50, p95, max) with the target beside it, the
candidates read and the matches per publication.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.bootstrap import bootstrap
from adapters.config import Config
from core.alerts import Alert, key_of, keys_of
from core.handlers import inject
from core.handlers.alerts import match_alerts
from core.model import Role, Training, TrainingStatus, User, Venue, Verification
from devstack.services import start_mongo
from events import TrainingPublished
from events.envelope import new_event

TARGET_S = 1.0  # issue 20: a publication is matched in under a second
TECHNIQUES = ["TAVI", "MitraClip", "PCI", "ECMO cannulation", "EBUS-TBNA", "Phacoemulsification", "Knee arthroscopy",
              "Laparoscopic cholecystectomy", "Endoscopic sinus surgery", "Robotic-assisted radical prostatectomy",
              "Ultrasound-guided regional anaesthesia", "Deep brain stimulation", "TEVAR", "Fetal ultrasound",
              "Percutaneous nephrolithotomy", "Carotid stenting", "ERCP", "Hip arthroplasty", "Cochlear implant",
              "Vitrectomy"]  # fmt: skip
SPECIALTIES = ["cardiology", "cardiac surgery", "urology", "anaesthesia", "ENT", "ophthalmology", "orthopaedics",
               "pulmonology", "general surgery", "neurosurgery", "vascular surgery", "gastroenterology"]  # fmt: skip
CITIES = [("Paris", "FR"), ("Lyon", "FR"), ("Brussels", "BE"), ("Zurich", "CH"), ("London", "GB"), ("Munich", "DE"),
          ("Milan", "IT"), ("Madrid", "ES"), ("Mumbai", "IN"), ("Boston", "US")]  # fmt: skip
LANGUAGES = ["fr", "en", "de", "es", "it", "hi"]


def _filters(rng: random.Random) -> dict[str, object]:
    kind = rng.random()
    if kind < 0.45:
        found: dict[str, object] = {"technique": rng.choice(TECHNIQUES)}
        if rng.random() < 0.3:
            found["country"] = rng.choice(CITIES)[1]
        return found
    if kind < 0.65:
        return {"specialty": rng.choice(SPECIALTIES), "language": rng.choice(LANGUAGES)}
    if kind < 0.80:
        return {"city": rng.choice(CITIES)[0]}
    if kind < 0.92:
        return {"q": rng.choice(TECHNIQUES).split()[0].lower()}
    return {"country": rng.choice(CITIES)[1]} if rng.random() < 0.5 else {"language": rng.choice(LANGUAGES)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--publications", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    run_dir = Path(tempfile.mkdtemp(prefix="marketplace-bench-alerts-"))
    mongo = start_mongo(run_dir)
    try:
        config = Config.from_env({}, mongodb_uri=mongo.url, mongodb_database=f"alerts_{uuid.uuid4().hex[:8]}",
                                 kafka_bootstrap_servers="127.0.0.1:9")  # fmt: skip
        deps = bootstrap(config)
        db = deps.users._c.database  # type: ignore[attr-defined]
        now = datetime.now(UTC)
        people = args.alerts // 5
        print(f"storing {people} people and {args.alerts} alerts...", flush=True)
        users = [User(id=f"u{i}", email=f"u{i}@example.org", name=f"Person {i}", role=Role.TRAINEE,
                      password_hash="-", created_at=now) for i in range(people)]  # fmt: skip
        db.users.insert_many([{"_id": u.id, "email": u.email, "name": u.name, "role": "trainee", "password_hash": "-",
                               "created_at": now} for u in users])  # fmt: skip
        docs = []
        for i in range(args.alerts):
            filters = _filters(rng)
            alert = Alert(f"a{i}", f"u{i % people}", filters, "instant" if rng.random() < 0.6 else "daily", now,
                          key=key_of(filters))  # fmt: skip
            docs.append({"_id": alert.id, **{k: v for k, v in vars(alert).items() if k != "id"}})
        for start in range(0, len(docs), 1000):
            db.alerts.insert_many(docs[start : start + 1000])
        expert = User(id="e1", email="e1@example.org", name="Dr E", role=Role.EXPERT, password_hash="-",
                      created_at=now, verification=Verification.VERIFIED)  # fmt: skip
        deps.users.add(expert)
        handle = inject(match_alerts, deps)
        timings, matched, read = [], [], []
        for n in range(args.publications):
            city, country = rng.choice(CITIES)
            technique = rng.choice(TECHNIQUES)
            venue = Venue(institution="University Hospital", address="1 Main St", city=city, country=country)
            t = Training(
                id=f"t{n}", expert_id=expert.id, title=f"{technique}, hands-on", status=TrainingStatus.PUBLISHED,
                created_at=now, updated_at=now, specialty=rng.choice(SPECIALTIES), technique=technique,
                description="A day in the operating room.", languages=[rng.choice(LANGUAGES), "en"], venue=venue,
                starts_at=now + timedelta(days=30), ends_at=now + timedelta(days=30, hours=8), timezone="UTC",
                capacity=6, price=100_000, currency="eur", expert_verified=True,
            )  # fmt: skip
            deps.trainings.add(t)
            event = new_event(TrainingPublished(training_id=t.id, expert_id=expert.id, title=t.title,
                                                status="published"), "bench")  # fmt: skip
            before = db.alert_matches.count_documents({})
            began = time.perf_counter()
            handle(event)
            timings.append(time.perf_counter() - began)
            matched.append(db.alert_matches.count_documents({}) - before)
            read.append(db.alerts.count_documents({"key": {"$in": sorted(set(keys_of(t)))}}))
        print(f"\nAlerts: {args.alerts} saved searches, {args.publications} publications, on the embedded database")
        p95 = sorted(timings)[int(0.95 * (len(timings) - 1))]
        verdict = "met" if p95 < TARGET_S else "MISSED"
        print(f"  matched in (s)      p50 {statistics.median(timings):.3f}  p95 {p95:.3f}  max {max(timings):.3f}"
              f"   (target p95 < {TARGET_S:g} s: {verdict})")  # fmt: skip
        print(f"  candidates read     mean {statistics.mean(read):.0f} of {args.alerts}")
        print(f"  matches             mean {statistics.mean(matched):.0f} per publication")
        return 0 if p95 < TARGET_S else 1
    finally:
        mongo.stop()


if __name__ == "__main__":
    sys.exit(main())
