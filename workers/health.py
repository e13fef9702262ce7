"""A worker's own HTTP port: ``/metrics``, ``/healthz`` and ``/readyz`` (docs/operations.md).

- ``/healthz``: alive. 200 while the consumer loop keeps turning (a poll, or a batch being
  applied, within ``ALIVE_WITHIN_S``) and the worker is not stopping; else 503. An orchestrator
  restarts a worker that fails it.
- ``/readyz``: doing its job. 200 when this member has partitions assigned, polled within
  ``POLLED_WITHIN_S``, is behind by at most ``READY_MAX_LAG`` records on every partition, and
  its database and broker answer; else 503. The body names each check, so the reason is one
  request away.

The lag is the broker's end offset of each assigned partition, as its last fetch response gave
it, minus the member's position: read after every poll, from the consumer itself, with no
request and no second Kafka client of its own. ``flask --app api lag`` counts from the
committed offsets, for the whole group. Gauges kept in the database (the e-mail outbox's
depth) are the worker's periodic tasks, run apart from the loop (workers/notifications.py), so
a scrape never waits on the database. The server is the standard library's: one thread per
request.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from adapters import metrics
from core.services.deps import Deps

log = logging.getLogger("workers.health")

ALIVE_WITHIN_S = 120.0  # a poll's batch may take a while (a storm's 500 requests); a hung loop takes forever
POLLED_WITHIN_S = 30.0


@dataclass
class Pulse:
    """What the consumer loop says about itself; written by its thread, read by the server's."""

    group: str
    turned_at: float = field(default_factory=time.monotonic)
    polled_at: float | None = None
    assigned: int = 0
    lag: dict[tuple[str, int], int] = field(default_factory=dict)
    stopping: bool = False

    def turned(self) -> None:
        """The loop is alive (called before each poll)."""
        self.turned_at = time.monotonic()

    def polled(self, assigned: int, lag: dict[tuple[str, int], int]) -> None:
        """A poll came back, with this many partitions assigned and this lag on them; a partition
        that moved to another member leaves the gauges (its lag is that member's now)."""
        self.polled_at = self.turned_at = time.monotonic()
        self.assigned = assigned
        metrics.LAST_POLL.labels(self.group).set(time.time())
        metrics.ASSIGNED_PARTITIONS.labels(self.group).set(assigned)
        for topic, partition in self.lag.keys() - lag.keys():
            metrics.CONSUMER_LAG.remove(self.group, topic, str(partition))
        for (topic, partition), n in lag.items():
            metrics.CONSUMER_LAG.labels(self.group, topic, str(partition)).set(n)
        self.lag = lag


@dataclass
class Health:
    """The answers of ``/healthz`` and ``/readyz``: (status code, body)."""

    pulse: Pulse
    deps: Deps
    max_lag: int

    def alive(self) -> tuple[int, dict[str, Any]]:
        """Whether the loop turned lately and is not stopping."""
        quiet_s = time.monotonic() - self.pulse.turned_at
        ok = not self.pulse.stopping and quiet_s < ALIVE_WITHIN_S
        body = {"status": "ok" if ok else "failing", "group": self.pulse.group, "loop_quiet_seconds": round(quiet_s, 1)}
        if self.pulse.stopping:
            body["stopping"] = True
        return (200 if ok else 503), body

    def ready(self) -> tuple[int, dict[str, Any]]:
        """Each readiness check by name, and whether all hold."""
        now = time.monotonic()
        worst = max(self.pulse.lag.values(), default=0)
        checks = {
            "assigned_partitions": self.pulse.assigned > 0,
            "consuming": self.pulse.polled_at is not None and now - self.pulse.polled_at < POLLED_WITHIN_S,
            "lag": worst <= self.max_lag,
            **{name: bool(probe()) for name, probe in self.deps.health_checks.items()},
        }
        ok = all(checks.values()) and not self.pulse.stopping
        body: dict[str, Any] = {"status": "ready" if ok else "not ready", "group": self.pulse.group, **checks}
        body.update(assigned=self.pulse.assigned, max_lag=worst, max_lag_allowed=self.max_lag)
        return (200 if ok else 503), body


def serve(health: Health, host: str, port: int) -> ThreadingHTTPServer:
    """Serve the three paths on ``host:port`` from a daemon thread; returns the server."""

    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                body, content_type = metrics.exposition()
                self._answer(200, body, content_type)
            elif path in ("/healthz", "/readyz"):
                status, doc = health.alive() if path == "/healthz" else health.ready()
                self._answer(status, json.dumps(doc).encode(), "application/json")
            else:
                self._answer(404, b'{"message": "Not found: /metrics, /healthz or /readyz."}', "application/json")

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the standard library's name
            pass  # scrapes every few seconds would drown the worker's own lines

    server = ThreadingHTTPServer((host, port), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name=f"{health.pulse.group}-http").start()
    log.info("%s worker: /metrics, /healthz and /readyz on http://%s:%d", health.pulse.group, host, port,
             extra={"port": port})  # fmt: skip
    return server
