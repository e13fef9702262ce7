"""Experts: the directory of verified experts, and each one's public profile with the verified badge."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import deps
from core.errors import NotFound
from core.model import Role, Training
from core.services import experts
from core.services.seating import listed_seats_left
from schemas.http import ErrorSchema, ExpertPublicOut
from schemas.mentoring import ExpertsArgs, ExpertsPage

PREFIX = "/experts"
blp = Blueprint("experts", __name__, description="Experts' directory and public profiles")


def brief(training: Training) -> dict[str, Any]:
    """A training in a line, as lists of experts show their sessions."""
    return {
        "id": training.id, "title": training.title, "technique": training.technique,
        "starts_at": training.starts_at, "day": training.local_day(), "city": training.venue.city,
        "country": training.venue.country, "seats_left": listed_seats_left(training),
    }  # fmt: skip


@blp.route("")
class ExpertDirectory(MethodView):
    @blp.arguments(ExpertsArgs, location="query")
    @blp.response(200, ExpertsPage)
    def get(self, args: dict[str, Any]) -> Any:
        """Verified experts with their upcoming trainings, best rated first; filters combine."""
        found, total = experts.directory(deps(), args)
        items = [{**vars(x.expert), "verified": True, "upcoming": [brief(t) for t in x.upcoming]} for x in found]
        return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"]}


@blp.route("/<expert_id>")
class ExpertProfile(MethodView):
    @blp.response(200, ExpertPublicOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such expert")
    def get(self, expert_id: str) -> Any:
        """An expert's public profile."""
        user = deps().users.get(expert_id)
        if user is None or user.role is not Role.EXPERT:
            raise NotFound(f"No expert {expert_id}.")
        return user
