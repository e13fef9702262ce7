"""What the API tells its operators: a request id on every request, one access-log line each,
request metrics, ``GET /metrics``, and the outbox backlog (docs/operations.md).

The request id comes from the client's ``X-Request-ID`` (when it looks like one) or is made
here; it is answered in the same header, carried by every log line of the request, and is the
correlation of the events the request publishes, so one trainee's complaint can be followed
from the HTTP request through every worker (``flask --app api trace``).
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, current_app, request

from adapters import metrics
from adapters.logs import log_context
from events.envelope import correlated

HEADER = "X-Request-ID"
# What we take from a client: short, printable, no spaces (it ends up in logs and events).
_ACCEPTED = re.compile(r"[A-Za-z0-9._:@+=-]{8,128}")
_ROUTE = "marketplace.route"
_ABOUT = "marketplace.about"
UNMATCHED = "unmatched"  # a 404 before routing: one label value, whatever the path

access_log = logging.getLogger("api.access")


# A new id: this process's random prefix and a counter, 32 hex digits. Unique across processes
# and restarts in practice, and no secret: uuid4's read of os.urandom per request was 2 % of the
# API's samples in a catalogue read storm (bench/RESULTS.md, issue 21).
_PREFIX = os.urandom(8).hex()
_COUNTER = itertools.count()


def _new_prefix() -> None:
    """A forked child (a pre-forking server) draws a prefix of its own."""
    global _PREFIX, _COUNTER
    _PREFIX, _COUNTER = os.urandom(8).hex(), itertools.count()


os.register_at_fork(after_in_child=_new_prefix)


def request_id_of(environ: dict[str, Any]) -> str:
    """The client's request id if acceptable, else a new one."""
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if _ACCEPTED.fullmatch(given) else f"{_PREFIX}{next(_COUNTER) & 0xFFFFFFFFFFFFFFFF:016x}"


def route_seen(environ: dict[str, Any], route: str) -> None:
    """Name the route template that answered (set by Flask's hook, or by a middleware that answers alone)."""
    environ[_ROUTE] = route


class Observed:
    """WSGI middleware, outermost: request id, timing, in-flight gauge, counters, the access line."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request_id = request_id_of(environ)
        started = time.perf_counter()
        status_seen: list[str] = []

        def _start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status_seen.append(status.split(" ", 1)[0])
            headers = [(k, v) for k, v in headers if k.lower() != HEADER.lower()] + [(HEADER, request_id)]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        metrics.HTTP_IN_FLIGHT.inc()
        # The correlation starts as the request id; a request about a booking adopts the booking's.
        with log_context(request_id=request_id), correlated(request_id):
            try:
                body = self.app(environ, _start)
            except BaseException:
                status_seen.append("500")
                self._done(environ, status_seen, started)
                raise
            self._done(environ, status_seen, started)
        return body

    @staticmethod
    def _done(environ: dict[str, Any], status_seen: list[str], started: float) -> None:
        metrics.HTTP_IN_FLIGHT.dec()
        elapsed = time.perf_counter() - started
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
            method = "other"  # bounded label values, whatever a client sends
        route = environ.get(_ROUTE, UNMATCHED)
        status = status_seen[-1] if status_seen else "500"
        metrics.HTTP_REQUESTS.labels(route, method, status).inc()
        metrics.HTTP_DURATION.labels(route, method).observe(elapsed)
        access_log.info(
            "%s %s %s", method, route, status,
            extra={"method": method, "route": route, "status": int(status), "duration_ms": round(elapsed * 1000, 2),
                   **environ.get(_ABOUT, {})},
        )  # fmt: skip


def install(app: Flask) -> None:
    """Name each request's route template and bind its booking and training to its log lines;
    serve ``/metrics``. ``wrap`` then puts ``Observed`` outermost."""

    @app.before_request
    def _bind() -> None:
        rule = request.url_rule
        if rule is not None:
            route_seen(request.environ, rule.rule)
        args = request.view_args or {}
        bound = {k: str(args[k]) for k in ("booking_id", "training_id") if k in args}
        request.environ[_ABOUT] = bound  # the access line names them too
        if bound:
            manager = log_context(**bound)
            manager.__enter__()
            request.environ["marketplace.log_context"] = manager

    @app.teardown_request
    def _unbind(_exc: BaseException | None) -> None:
        manager = request.environ.pop("marketplace.log_context", None)
        if manager is not None:
            manager.__exit__(None, None, None)

    metrics.export(*metrics.API)
    app.add_url_rule("/metrics", "metrics", _metrics)


def _metrics() -> Response:
    """Prometheus's text format; the outbox gauges read the database first (skipped if it is down)."""
    outbox_backlog()
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)


def outbox_backlog() -> dict[str, Any] | None:
    """Events stored with their change and not yet on the broker: how many, and the oldest's age.
    None when the database does not answer."""
    deps = current_app.extensions["marketplace.deps"]
    try:
        count, oldest = deps.pending_events.backlog()
    except Exception:  # noqa: BLE001 - an unreachable database is what /healthz reports anyway
        return None
    age = metrics.backlog(metrics.OUTBOX_EVENTS, metrics.OUTBOX_OLDEST_AGE, count, oldest)
    return {"events": count, "oldest_age_seconds": round(age, 1)}


def wrap(app: Flask) -> None:
    """``Observed`` outside every other middleware: a cached search is counted and logged too."""
    app.wsgi_app = Observed(app.wsgi_app)  # type: ignore[method-assign]
