"""Liveness of the API and reachability of its broker and database."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import deps
from schemas.http import HealthOut

PREFIX = ""
blp = Blueprint("health", __name__, description="Health")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthOut)
    @blp.alt_response(503, schema=HealthOut, description="Broker or database unreachable")
    def get(self) -> Any:
        """``ok`` when the broker and the database both answer, else 503."""
        checks = {name: probe() for name, probe in deps().health_checks.items()}
        healthy = all(checks.values())
        body = {"status": "ok" if healthy else "degraded", **checks}
        return body, 200 if healthy else 503
