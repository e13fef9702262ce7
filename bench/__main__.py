"""``python -m bench``: the booking storm, the bare stack's ceiling and catalogue reads, with a
report, ``results.json`` and ``storm.png`` (see bench/README.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from bench import catalogue, ceiling, report, storm
from bench.stack import BenchStack, accounts, embedded, external, profiled
from core.model import Role

TRAINING: dict[str, Any] = {
    "specialty": "cardiology",
    "technique": "TAVI",
    "description": "A day in the cath lab.",
    "programme": [{"start": "08:00", "end": "17:00", "title": "Live cases"}],
    "languages": ["en"],
    "venue": {"institution": "Hospital", "address": "1 Main St", "city": "Paris", "country": "FR"},
    "timezone": "UTC",
    "price": 10000,
    "currency": "eur",
    "cme_credits": 7,
}


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--trainees", type=int, default=2000)
    parser.add_argument("--trainings", type=int, default=1)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients sending the requests")
    parser.add_argument(
        "--wait",
        type=float,
        default=1.0,
        help="each request's Prefer: wait=N, seconds (0: answered at once, decided by polls)",
    )
    parser.add_argument("--catalogue", type=int, default=10_000, help="trainings in the catalogue for the reads")
    parser.add_argument("--read-clients", type=int, default=16)
    parser.add_argument("--read-seconds", type=float, default=30)
    parser.add_argument(
        "--external",
        action="store_true",
        help="use the services of the environment (KAFKA_BOOTSTRAP_SERVERS, ..., BENCH_API_URL)",
    )
    parser.add_argument("--out", default="bench/out", help="where results.json and storm.png go")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the API and the capacity worker with py-spy (flame graphs in --out)",
    )
    parser.add_argument(
        "--count-commands",
        action="store_true",
        help="count each process's database commands during the storm (bench/probe), per request",
    )
    args = parser.parse_args(argv)
    if args.count_commands:
        # Every process of the stack inherits this and counts its commands (bench/probe/sitecustomize.py).
        counted = Path(args.out) / "commands"
        counted.mkdir(parents=True, exist_ok=True)
        for old in counted.glob("*.json"):
            old.unlink()
        os.environ["BENCH_COUNT_COMMANDS"] = str(counted.resolve())
        probe = str(Path(__file__).parent / "probe")
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (probe, os.environ.get("PYTHONPATH")) if p)

    print("starting the stack..." if not args.external else "using the given services...", file=sys.stderr)
    stack = external() if args.external else embedded()
    try:
        results = _run(stack, args)
    finally:
        stack.stop()
    data, plot = report.write(results, Path(args.out))
    print(report.text(results))
    print(f"figures: {data}   plot: {plot}")
    storm_ok = results["storm"]["oversold_seats"] == 0 and results["storm"]["unresolved_bookings"] == 0
    return 0 if storm_ok else 1


def _run(stack: BenchStack, args: argparse.Namespace) -> dict[str, Any]:
    [expert] = accounts(stack, Role.EXPERT, 1, "expert")
    trainings = [_training(stack, expert, i, args.seats) for i in range(args.trainings)]
    trainees = accounts(stack, Role.TRAINEE, args.trainees, "trainee")
    results: dict[str, Any] = {"parameters": vars(args), "machine": report.machine(), "started": time.time()}
    results["ceiling"] = ceiling.run(stack.config, args.trainees, args.clients)
    flames = Path(args.out) if args.profile else None
    before, ops = stack.cpu_seconds(), _operations(stack)
    with profiled(stack, ["api", "capacity", "payments", "notifications", "mongo"], flames, "storm"):
        results["storm"] = storm.run(stack, trainees, trainings, args.clients, wait_s=args.wait)
    results["storm"]["cpu_seconds"] = _spent(before, stack.cpu_seconds())
    results["storm"]["database_operations"] = _spent(ops, _operations(stack))
    if args.count_commands:
        results["storm"]["commands_per_request"] = _commands(Path(args.out) / "commands", len(trainees))
    seeded = catalogue.seed(stack, args.catalogue, expert["id"])
    before = stack.cpu_seconds()
    with profiled(stack, ["api", "mongo"], flames, "catalogue"):
        reads = catalogue.run(stack, args.read_clients, args.read_seconds)
    results["catalogue"] = {
        "trainings": args.catalogue,
        "seeded_in_s": seeded,
        **reads,
        "cpu_seconds": _spent(before, stack.cpu_seconds()),
    }
    # After the CPU reading: the reference searches the database, seconds each on 10,000 trainings.
    results["catalogue"]["answers"] = catalogue.check(stack)
    results["peak_memory_mib"] = stack.peak_memory_mib()
    return results


def _commands(counted: Path, requests: int) -> dict[str, dict[str, float]]:
    """Each process's database commands (since its start: the storm is most of it), per request."""
    time.sleep(1.5)  # the processes write their counts every second
    out: dict[str, dict[str, float]] = {}
    for path in sorted(counted.glob("*.json")):
        counts = json.loads(path.read_text())
        if counts:
            name = path.stem.rsplit("-", 1)[0]
            per = {k: round(v / requests, 2) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}
            out[name] = {"total": round(sum(counts.values()) / requests, 2), **per}
    return out


def _operations(stack: BenchStack) -> dict[str, float]:
    """The database server's own operation counters (serverStatus), by kind."""
    db = stack.deps.users._c.database  # type: ignore[attr-defined]
    counters = db.client.admin.command("serverStatus").get("opcounters", {})
    return {k: float(v) for k, v in counters.items()}


def _spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each process used between two readings, busiest first."""
    spent = {k: round(after[k] - before.get(k, 0.0), 1) for k in after}
    return dict(sorted(spent.items(), key=lambda kv: -kv[1]))


def _training(stack: BenchStack, expert: dict[str, str], i: int, seats: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {expert['token']}"}
    day = (datetime.now(UTC) + timedelta(days=30 + 7 * i)).date().isoformat()  # a day of its own, weeks ahead
    body = {
        **TRAINING,
        "title": f"Storm training {i}",
        "capacity": seats,
        "starts_at": f"{day}T08:00:00+00:00",
        "ends_at": f"{day}T17:00:00+00:00",
    }
    created = requests.post(f"{stack.api_url}/api/v1/trainings", json=body, headers=headers, timeout=30)
    created.raise_for_status()
    published = requests.post(
        f"{stack.api_url}/api/v1/trainings/{created.json()['id']}/publish", headers=headers, timeout=30
    )
    published.raise_for_status()
    return dict(published.json())


if __name__ == "__main__":
    sys.exit(main())
