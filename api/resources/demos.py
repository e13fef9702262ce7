"""Sponsors' technology demos, and the experts' consent to show them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import current_user, deps
from api.docs import secured
from core.services import demos
from core.sponsoring import TechnologyDemo
from schemas.sponsors import DemoArgs, DemoIn, DemoOut, DemoPage, DemoPatch, ShowAtIn

PREFIX = ""
blp = Blueprint("demos", __name__, description="Technology demos by sponsors")


def out(demo: TechnologyDemo, companies: dict[str, Any] | None = None) -> dict[str, Any]:
    """A demo with its sponsor's company name."""
    users = companies if companies is not None else deps().users.many([demo.sponsor_id])
    sponsor = users.get(demo.sponsor_id)
    return {**asdict(demo), "company": (sponsor.company or sponsor.name) if sponsor else None}


def page(items: list[TechnologyDemo], total: int, limit: int, offset: int) -> dict[str, Any]:
    """A page of demos with their sponsors, fetched in one query."""
    users = deps().users.many([d.sponsor_id for d in items])
    return {"items": [out(d, users) for d in items], "total": total, "limit": limit, "offset": offset}


@blp.route("/demos")
class DemoCollection(MethodView):
    @blp.arguments(DemoArgs, location="query")
    @blp.response(200, DemoPage)
    def get(self, args: dict[str, Any]) -> Any:
        """Demos by specialty, sponsor, or shown at a training."""
        items, total = demos.search_demos(
            deps(), args.get("specialty"), args.get("sponsor"), args.get("training"), args["limit"], args["offset"]
        )
        return page(items, total, args["limit"], args["offset"])

    @blp.arguments(DemoIn)
    @blp.response(201, DemoOut)
    @secured(blp)
    def post(self, body: dict[str, Any]) -> Any:
        """List a device or technique (sponsor)."""
        body["specialties"] = [s.lower() for s in body.get("specialties", [])]
        return out(demos.create_demo(deps(), current_user(), body))


@blp.route("/demos/<demo_id>")
class DemoItem(MethodView):
    @blp.response(200, DemoOut)
    def get(self, demo_id: str) -> Any:
        """A demo and where it is shown."""
        return out(demos.get_demo(deps(), demo_id))

    @blp.arguments(DemoPatch)
    @blp.response(200, DemoOut)
    @secured(blp)
    def patch(self, body: dict[str, Any], demo_id: str) -> Any:
        """Edit my demo (sponsor)."""
        if "specialties" in body:
            body["specialties"] = [s.lower() for s in body["specialties"]]
        return out(demos.update_demo(deps(), current_user(), demo_id, body))


@blp.route("/demos/<demo_id>/trainings")
class DemoShowing(MethodView):
    @blp.arguments(ShowAtIn)
    @blp.response(202, DemoOut, description="Requested: the training's expert accepts or declines")
    @secured(blp)
    def post(self, body: dict[str, Any], demo_id: str) -> Any:
        """Ask to show my demo at a training; it shows only once its expert accepts."""
        return out(demos.request_showing(deps(), current_user(), demo_id, body["training_id"]))


@blp.route("/trainings/<training_id>/demos")
class TrainingDemos(MethodView):
    @blp.arguments(DemoArgs, location="query")
    @blp.response(200, DemoPage)
    def get(self, args: dict[str, Any], training_id: str) -> Any:
        """The demos shown at a training (accepted by its expert)."""
        items, total = demos.search_demos(deps(), None, None, training_id, args["limit"], args["offset"])
        return page(items, total, args["limit"], args["offset"])


@blp.route("/trainings/<training_id>/demos/<demo_id>/accept")
class AcceptDemo(MethodView):
    @blp.response(200, DemoOut)
    @secured(blp)
    def post(self, training_id: str, demo_id: str) -> Any:
        """Agree to show a demo at my training (expert); my training then lists the sponsor."""
        return out(demos.decide_showing(deps(), current_user(), training_id, demo_id, accept=True))


@blp.route("/trainings/<training_id>/demos/<demo_id>/decline")
class DeclineDemo(MethodView):
    @blp.response(200, DemoOut)
    @secured(blp)
    def post(self, training_id: str, demo_id: str) -> Any:
        """Refuse to show a demo at my training (expert)."""
        return out(demos.decide_showing(deps(), current_user(), training_id, demo_id, accept=False))


@blp.route("/me/demo-requests")
class MyDemoRequests(MethodView):
    @blp.response(200, DemoPage)
    @secured(blp)
    def get(self) -> Any:
        """Demos waiting for my consent, on any of my trainings (expert)."""
        items = demos.requests_for_expert(deps(), current_user())
        return page(items, len(items), len(items) or 1, 0)
