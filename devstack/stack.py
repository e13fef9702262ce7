"""The whole embedded stack: the four services, then the API and the workers.

Used by ``python -m devstack run`` and by the test fixtures, so both start the
same things the same way.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from adapters.config import Config
from adapters.kafka_bus import ensure_topics
from devstack.kafka import start_broker
from devstack.process import ServiceHandle, free_port, python_env, start_process
from devstack.services import http_ok, register_stripe_webhook, start_mongo, start_smtp, start_stripe
from events.types import GROUPS, all_topics

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WORKERS = GROUPS


@dataclass
class Infra:
    """The four embedded services of one stack."""

    broker: ServiceHandle
    mongo: ServiceHandle
    stripe: ServiceHandle
    smtp: ServiceHandle
    run_dir: Path
    extra: list[ServiceHandle] = field(default_factory=list)

    @property
    def maildir(self) -> Path:
        """Where the SMTP sink keeps every e-mail it received."""
        return Path(self.smtp.data["maildir"])

    def config(self, api_port: int, **overrides: object) -> Config:
        """The application's configuration against these services."""
        values: dict[str, object] = {
            "kafka_bootstrap_servers": self.broker.url,
            "mongodb_uri": self.mongo.url,
            "stripe_api_base": self.stripe.url,
            "stripe_js_url": f"{self.stripe.url}/js.stripe.com/v3/",
            "smtp_url": self.smtp.url,
            "public_base_url": f"http://127.0.0.1:{api_port}",
        }
        return Config(**{**values, **overrides})  # type: ignore[arg-type]

    def stop(self) -> None:
        """Stop every service, application processes first."""
        for handle in [*reversed(self.extra), self.smtp, self.stripe, self.mongo, self.broker]:
            handle.stop()


def start_infra(run_dir: Path, ports: dict[str, int | None] | None = None) -> Infra:
    """Start broker, database, Stripe and SMTP on loopback; returns when all are ready."""
    ports = ports or {}
    started: list[ServiceHandle] = []
    try:
        started.append(start_broker(run_dir, port=ports.get("broker")))
        started.append(start_mongo(run_dir, port=ports.get("mongo")))
        started.append(start_stripe(run_dir, port=ports.get("stripe")))
        started.append(start_smtp(run_dir, port=ports.get("smtp")))
    except BaseException:
        for handle in reversed(started):
            handle.stop()
        raise
    broker, mongo, stripe, smtp = started
    return Infra(broker=broker, mongo=mongo, stripe=stripe, smtp=smtp, run_dir=run_dir)


def prepare(infra: Infra, config: Config, webhook_name: str = "marketplace") -> None:
    """Create the topics and point Stripe's webhook at the API of ``config``."""
    ensure_topics(config.kafka_bootstrap_servers, all_topics(config.kafka_topic_prefix, GROUPS))
    register_stripe_webhook(
        infra.stripe.url,
        webhook_name,
        f"{config.public_base_url}/api/v1/webhooks/stripe",
        config.stripe_webhook_secret,
    )


def app_env(config: Config) -> dict[str, str]:
    """The environment variables that carry ``config`` to an API or worker process."""
    env = {name.upper(): str(value) for name, value in config.__dict__.items()}
    return {**env, **python_env()}


def api_argv(port: int, threads: int = 48) -> list[str]:
    """The API served by waitress, a production WSGI server.

    48 threads: a booking request that prefers to wait for its decision holds one, idle, for up
    to a second (bench/RESULTS.md, run 6); the work itself is bounded by the one core it runs on.
    """
    return [
        sys.executable,
        "-m",
        "waitress",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--threads={threads}",
        "--call",
        "api:create_app",
    ]


def worker_argv(group: str) -> list[str]:
    """One worker process."""
    return [sys.executable, "-m", f"workers.{group}"]


def start_api(infra: Infra, config: Config, port: int, name: str = "api") -> ServiceHandle:
    """The API as a real process; ready when ``/healthz`` answers 200."""
    handle = start_process(
        name,
        api_argv(port),
        infra.run_dir,
        app_env(config),
        ready=lambda: http_ok(f"http://127.0.0.1:{port}/healthz"),
        url=f"http://127.0.0.1:{port}",
        port=port,
        cwd=PROJECT_ROOT,
    )
    infra.extra.append(handle)
    return handle


def start_worker(infra: Infra, config: Config, group: str, name: str | None = None) -> ServiceHandle:
    """A worker as a real process, its /metrics, /healthz and /readyz on a free port (``url``);
    ready once it answers /healthz (it joins its group by itself: /readyz says when it has)."""
    port = free_port()
    handle = start_process(
        name or f"worker-{group}",
        worker_argv(group),
        infra.run_dir,
        {**app_env(config), "METRICS_PORT": str(port)},
        ready=lambda: http_ok(f"http://127.0.0.1:{port}/healthz"),
        url=f"http://127.0.0.1:{port}",
        port=port,
        cwd=PROJECT_ROOT,
    )
    infra.extra.append(handle)
    return handle
