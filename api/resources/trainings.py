"""Experts' one-day trainings and the catalogue search."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import asdict
from typing import Any

from flask import current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api import repeated
from api.context import current_user, deps, optional_user
from api.docs import secured
from core.model import Training
from core.services import catalogue, trainings
from core.services.seating import listed_seats_left, seats_left
from schemas.catalogue import (
    CancelIn,
    DuplicateIn,
    PageArgs,
    SearchArgs,
    TrainingIn,
    TrainingOut,
    TrainingPage,
    TrainingPatch,
)
from schemas.http import ErrorSchema

PREFIX = "/trainings"
blp = Blueprint("trainings", __name__, description="One-day, hands-on trainings")


def out(training: Training, experts: dict[str, Any] | None = None, listed: bool = False) -> dict[str, Any]:
    """A training as the API shows it: with its expert, local day and seats left (in a list,
    as last copied onto the training; alone, from the seat counter)."""
    body = asdict(training)
    experts = experts if experts is not None else deps().users.many([training.expert_id])
    body["expert"] = experts.get(training.expert_id)
    body["day"] = training.local_day()
    left = listed_seats_left(training) if listed else seats_left(deps(), training)
    if left is not None:
        body["seats_left"] = left
    return body


def page(
    items: list[Training], total: int, args: dict[str, Any], experts: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A page of trainings with their experts (fetched in one query unless given)."""
    experts = experts if experts is not None else deps().users.many([t.expert_id for t in items])
    return {
        "items": [out(t, experts, listed=True) for t in items],
        "total": total,
        "limit": args["limit"],
        "offset": args["offset"],
    }


def search_answer(args: dict[str, Any]) -> Any:
    """The search's page; rendered once for as long as nothing on it changes (a page of twenty
    trainings took most of a search's time to dump)."""
    found = catalogue.search_page(deps(), args)
    if found.key is None:
        return page(found.items, found.total, args, found.experts)
    rendered = rendered_pages()
    data = rendered.get(found.key)
    if data is None:
        data = jsonify(TrainingPage().dump(page(found.items, found.total, args, found.experts))).get_data()
        rendered.put(found.key, data)
    repeated.answered(request.environ, found)
    return current_app.response_class(data, mimetype="application/json")


def rendered_pages() -> RenderedPages:
    """This app's rendered search pages."""
    pages = current_app.extensions.get("marketplace.rendered_pages")
    if pages is None:
        pages = current_app.extensions.setdefault("marketplace.rendered_pages", RenderedPages())
    return pages  # type: ignore[no-any-return]


class RenderedPages:
    """The JSON of the last pages served, by their key (least recently used out first)."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        """The rendering kept under ``key``."""
        with self._lock:
            data = self._pages.get(key)
            if data is not None:
                self._pages.move_to_end(key)
            return data

    def put(self, key: Hashable, data: bytes) -> None:
        """Keep a rendering."""
        with self._lock:
            self._pages[key] = data
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)


class RepeatedSearchArgs(SearchArgs):
    """``SearchArgs`` that remembers what each query string loaded to: searches repeat, and loading
    their arguments was the largest cost left in a search. One instance (webargs builds a schema
    from a class at every request: a third of a search's time then)."""

    def __init__(self, size: int = 1024) -> None:
        super().__init__()
        self._size = size
        self._loaded: OrderedDict[Hashable, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> RepeatedSearchArgs:
        # flask-smorest copies the schemas it is given; a copy remembers on its own.
        return type(self)(self._size)

    def load(self, data: Any, **kwargs: Any) -> Any:
        """As ``SearchArgs.load``; a query string seen before gets a copy of what it loaded to."""
        args: Any = getattr(data, "data", None)  # webargs' proxy of request.args
        if not hasattr(args, "items"):
            return super().load(data, **kwargs)
        key = (tuple(args.items(multi=True)), tuple(sorted(kwargs.items())))
        with self._lock:
            loaded = self._loaded.get(key)
            if loaded is not None:
                self._loaded.move_to_end(key)
                return dict(loaded)
        loaded = super().load(data, **kwargs)  # a ValidationError is raised, and nothing kept
        with self._lock:
            self._loaded[key] = loaded
            while len(self._loaded) > self._size:
                self._loaded.popitem(last=False)
        return dict(loaded)


@blp.route("")
class TrainingCollection(MethodView):
    @blp.arguments(RepeatedSearchArgs(), location="query")
    @blp.response(200, TrainingPage)
    def get(self, args: dict[str, Any]) -> Any:
        """Search published trainings: filters combine; sorted by date or price; paginated with a total."""
        return search_answer(args)

    @blp.arguments(TrainingIn)
    @blp.response(201, TrainingOut)
    @secured(blp)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a draft training (expert); only the title is needed until publication."""
        return out(trainings.create_training(deps(), current_user(), body))


@blp.route("/<training_id>")
class TrainingItem(MethodView):
    @blp.response(200, TrainingOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such training")
    def get(self, training_id: str) -> Any:
        """A training with its expert (verified badge) and the seats left."""
        return out(trainings.get_training(deps(), training_id, viewer=optional_user()))

    @blp.arguments(TrainingPatch)
    @blp.response(200, TrainingOut)
    @blp.alt_response(409, schema=ErrorSchema, description="Not editable now, or capacity below seats taken")
    @secured(blp)
    def patch(self, body: dict[str, Any], training_id: str) -> Any:
        """Edit (its expert): a draft freely; once published, capacity may not fall below the seats
        taken, currency and approval mode are fixed, and price changes leave existing bookings as they are."""
        return out(trainings.update_training(deps(), current_user(), training_id, body))


@blp.route("/<training_id>/publish")
class TrainingPublish(MethodView):
    @blp.response(200, TrainingOut)
    @blp.alt_response(422, schema=ErrorSchema, description="Incomplete: every missing field named")
    @secured(blp)
    def post(self, training_id: str) -> Any:
        """Publish a complete draft (its verified expert only)."""
        return out(trainings.publish_training(deps(), current_user(), training_id))


@blp.route("/<training_id>/cancel")
class TrainingCancel(MethodView):
    @blp.arguments(CancelIn)
    @blp.response(200, TrainingOut)
    @secured(blp)
    def post(self, body: dict[str, Any], training_id: str) -> Any:
        """Cancel a draft or published training, with the reason trainees will read."""
        return out(trainings.cancel_training(deps(), current_user(), training_id, body["reason"]))


@blp.route("/<training_id>/complete")
class TrainingComplete(MethodView):
    @blp.response(200, TrainingOut)
    @secured(blp)
    def post(self, training_id: str) -> Any:
        """Mark a published training as held, once its day is over."""
        return out(trainings.complete_training(deps(), current_user(), training_id))


@blp.route("/<training_id>/duplicate")
class TrainingDuplicate(MethodView):
    @blp.arguments(DuplicateIn)
    @blp.response(201, TrainingOut)
    @secured(blp)
    def post(self, body: dict[str, Any], training_id: str) -> Any:
        """Copy one of my trainings to a new date, as a new draft."""
        copy = trainings.duplicate_training(deps(), current_user(), training_id, body["starts_at"], body.get("ends_at"))
        return out(copy)


mine = Blueprint("my_trainings", __name__, description="The signed-in expert's trainings")


@mine.route("/trainings")
class MyTrainings(MethodView):
    @mine.arguments(PageArgs, location="query")
    @mine.response(200, TrainingPage)
    @secured(mine)
    def get(self, args: dict[str, Any]) -> Any:
        """My trainings, drafts included, newest first (expert)."""
        items, total = trainings.my_trainings(deps(), current_user(), args["limit"], args["offset"])
        return page(items, total, args)
