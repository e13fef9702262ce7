"""Liveness of the API, reachability of its broker and database, and its outbox backlog."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import deps
from api.observability import outbox_backlog
from schemas.http import HealthOut

PREFIX = ""
blp = Blueprint("health", __name__, description="Health")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthOut)
    @blp.alt_response(503, schema=HealthOut, description="Broker or database unreachable")
    def get(self) -> Any:
        """``ok`` when the broker and the database both answer, else 503; with the events stored
        and not yet on the broker (``outbox``: how many, the oldest's age; null when the database
        does not answer)."""
        checks = {name: probe() for name, probe in deps().health_checks.items()}
        healthy = all(checks.values())
        # The backlog is what grows while the broker is down: read whenever the database answers.
        backlog = outbox_backlog() if checks.get("database") else None
        body = {"status": "ok" if healthy else "degraded", **checks, "outbox": backlog}
        return body, 200 if healthy else 503


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, HealthOut)
    @blp.alt_response(503, schema=HealthOut, description="Broker or database unreachable")
    def get(self) -> Any:
        """Ready for traffic: the broker and the database both answer (the API keeps no other state
        a request would wait for). A load balancer sends requests only to ready replicas."""
        checks = {name: probe() for name, probe in deps().health_checks.items()}
        ready = all(checks.values())
        return {"status": "ready" if ready else "not ready", **checks}, 200 if ready else 503
