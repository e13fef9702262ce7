"""``python -m devstack run``: the whole marketplace on embedded services, with demo data.

Starts Apache Kafka, SecantusDB, localstripe and the SMTP sink on loopback, then the API
and the four workers from the Procfile under honcho, waits until the API is
healthy, loads the demo data, prints the URLs, and on Ctrl-C stops everything by
process id.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import requests
from honcho.environ import parse_procfile
from honcho.manager import Manager

from adapters.bootstrap import bootstrap, release
from adapters.config import Config
from core.services import accounts
from devstack import demo, history, mentoring_demo
from devstack.accounts import verify_addresses
from devstack.services import free_port
from devstack.stack import PROJECT_ROOT, app_env, prepare, start_infra
from events.types import GROUPS

DEFAULT_PORTS = {"api": 8000, "broker": 9092, "mongo": 27017, "stripe": 8420, "smtp": 8025,
                 # each worker's /metrics, /healthz and /readyz (the Procfile's defaults)
                 "capacity_metrics": 9101, "payments_metrics": 9102, "notifications_metrics": 9103,
                 "certificates_metrics": 9104}  # fmt: skip


def _port(name: str) -> int:
    """The configured port (``API_PORT``, ``BROKER_PORT``...), the default, or a free one."""
    wanted = int(os.environ.get(f"{name.upper()}_PORT", DEFAULT_PORTS[name]))
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", wanted)) != 0:
            return wanted
    other = free_port()
    print(f"port {wanted} for {name} is busy; using {other}")
    return other


def run(args: argparse.Namespace) -> int:
    """Start everything, seed, serve until Ctrl-C, stop everything."""
    data = Path(args.data_dir).resolve()
    if data.exists() and not args.keep_data:
        # localstripe keeps nothing across runs; starting the broker's topics and the
        # database afresh too keeps the three consistent.
        shutil.rmtree(data)
    ports = {name: _port(name) for name in DEFAULT_PORTS}
    print("starting the embedded services...")
    infra = start_infra(data, {k: ports[k] for k in ("broker", "mongo", "stripe", "smtp")})
    try:
        config = infra.config(ports["api"])
        prepare(infra, config)
        env = {
            **app_env(config),
            "API_PORT": str(ports["api"]),
            **{f"{group.upper()}_METRICS_PORT": str(ports[f"{group}_metrics"]) for group in GROUPS},
            # the Procfile's "python" is this interpreter (the project's virtualenv)
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        manager = Manager()
        for name, entry in parse_procfile((PROJECT_ROOT / "Procfile").read_text()).processes.items():
            manager.add_process(name, entry, env={**os.environ, **env}, cwd=str(PROJECT_ROOT))
        workers = {group: f"http://127.0.0.1:{ports[f'{group}_metrics']}" for group in GROUPS}
        threading.Thread(target=_announce, args=(config, infra, args.demo, workers), daemon=True).start()
        manager.loop()  # returns after Ctrl-C (or a process exit) once all are stopped
        return manager.returncode or 0
    finally:
        infra.stop()
        print("stopped every service.")


def _ensure_demo_admin(config: Config) -> None:
    # What `flask --app api create-admin` does, for the demo admin.
    deps = bootstrap(config)
    if deps.users.by_email(demo.ADMIN[0]) is None:
        accounts.create_admin(deps, demo.ADMIN[0], demo.PASSWORD, demo.ADMIN[1])


def _verify_demo_addresses(config: Config) -> None:
    # Demo accounts are verified: nobody opens the demo's e-mails, and alerts should reach the sink.
    deps = bootstrap(config)
    try:
        verify_addresses(deps, demo.ADDRESSES)
    finally:
        release(deps)


def _announce(config: Config, infra: object, with_demo: bool, workers: dict[str, str]) -> None:
    base_url = config.public_base_url
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.5)
    else:
        print("the API did not become healthy within 120 s; see the logs above", file=sys.stderr)
        return
    seeded = None
    if with_demo:
        _ensure_demo_admin(config)
        seeded = demo.seed(base_url)
        history.seed_past_session(config, seeded["trainings"][0]["id"])
        mentoring_demo.seed_mentoring(base_url)
        _verify_demo_addresses(config)
    lines = [
        "",
        "=" * 72,
        "The marketplace is running. Ctrl-C stops everything.",
        f"  Web            {base_url}/   (sign in with a demo account below)",
        f"  API            {base_url}/api/v1   (health: {base_url}/healthz, metrics: {base_url}/metrics)",
        "  Workers        /metrics, /healthz and /readyz of each:",
        *(f"    {group:<12} {url}/metrics" for group, url in workers.items()),
        f"  OpenAPI        {base_url}/api/openapi.json   Swagger UI: {base_url}/api/docs",
        f"  Kafka broker   {infra.broker.url}",  # type: ignore[attr-defined]
        f"  MongoDB        {infra.mongo.url}",  # type: ignore[attr-defined]
        f"  Stripe (local) {infra.stripe.url}",  # type: ignore[attr-defined]
        f"  SMTP sink      {infra.smtp.url}  -> e-mails in {infra.maildir}/new",  # type: ignore[attr-defined]
        f"  service logs   {infra.run_dir}/logs",  # type: ignore[attr-defined]
    ]
    if seeded:
        lines.append(
            f"  demo accounts  trainee {seeded['trainee']}, admin {seeded['admin']}, sponsor {seeded['sponsor']},"
        )
        lines.append(f"                 experts {', '.join(seeded['experts'])}")
        lines.append(f"                 password: {seeded['password']}")
        for t in seeded["trainings"]:
            lines.append(f"  training       {t['id']}  {t['title']} ({t['venue']['city']})")
    lines.append("=" * 72)
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m devstack")
    sub = parser.add_subparsers(dest="command", required=True)
    run_cmd = sub.add_parser("run", help="run the marketplace on embedded services")
    run_cmd.add_argument("--data-dir", default=str(PROJECT_ROOT / ".data"))
    run_cmd.add_argument(
        "--keep-data", action="store_true",
        help="keep the broker's topics and the database of the last run (localstripe starts empty)",
    )  # fmt: skip
    run_cmd.add_argument("--no-demo", dest="demo", action="store_false", help="start without demo data")
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
