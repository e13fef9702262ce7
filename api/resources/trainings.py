"""Experts' one-day trainings: create, publish, read."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import current_user, deps, optional_user
from core.model import Training
from core.services import trainings
from schemas.http import PageArgs, TrainingIn, TrainingOut, TrainingPage

PREFIX = "/trainings"
blp = Blueprint("trainings", __name__, description="One-day, hands-on trainings")


def _out(training: Training, experts: dict[str, Any] | None = None) -> dict[str, Any]:
    out = dict(training.__dict__)
    experts = experts if experts is not None else deps().users.many([training.expert_id])
    out["expert"] = experts.get(training.expert_id)
    seats = deps().seats.snapshot(training.id)
    if seats is not None:
        out["seats_left"] = max(0, seats["capacity"] - len(seats["holders"]))
    elif training.capacity is not None:
        out["seats_left"] = training.capacity
    return out


@blp.route("")
class TrainingCollection(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, TrainingPage)
    def get(self, page: dict[str, Any]) -> Any:
        """Published trainings, soonest first."""
        items, total = deps().trainings.published(page["limit"], page["offset"])
        experts = deps().users.many([t.expert_id for t in items])  # one query per page
        return {"items": [_out(t, experts) for t in items], "total": total, **page}

    @blp.arguments(TrainingIn)
    @blp.response(201, TrainingOut)
    @blp.doc(security=[{"bearer": []}])
    def post(self, body: dict[str, Any]) -> Any:
        """Create a draft training (expert)."""
        return _out(trainings.create_training(deps(), current_user(), body))


@blp.route("/<training_id>")
class TrainingItem(MethodView):
    @blp.response(200, TrainingOut)
    @blp.alt_response(404, schema=None, description="No such training")
    def get(self, training_id: str) -> Any:
        """A training with the seats left."""
        return _out(trainings.get_training(deps(), training_id, viewer=optional_user()))


@blp.route("/<training_id>/publish")
class TrainingPublish(MethodView):
    @blp.response(200, TrainingOut)
    @blp.doc(security=[{"bearer": []}])
    def post(self, training_id: str) -> Any:
        """Publish a complete draft (its expert only)."""
        return _out(trainings.publish_training(deps(), current_user(), training_id))
