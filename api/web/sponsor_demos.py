"""A sponsor's technology demos on the web: my demos, create and edit one, and propose it for a
training, each proposal's state in sight (requested, accepted, declined).

The same schemas as the JSON API check the forms (``DemoIn``, ``DemoPatch``, ``ShowAtIn``) and the
same core services do the work, so a page can do nothing the API refuses, and the reverse.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from marshmallow import ValidationError as FormError

from api.context import deps
from api.web.blueprint import blp, form_errors
from api.web.profile import flat_messages
from api.web.session import require_web_user
from core.errors import Conflict, NotFound, ValidationError
from core.model import Role, Training, User
from core.services import catalogue, demos
from core.services.accounts import require_role
from core.sponsoring import LinkStatus, TechnologyDemo
from schemas.sponsors import DemoIn, DemoPatch, ShowAtIn

LINK_LABELS = {
    LinkStatus.PENDING: lazy_gettext("Requested: waiting for the expert's answer"),
    LinkStatus.ACCEPTED: lazy_gettext("Accepted: shown at the training"),
    LinkStatus.DECLINED: lazy_gettext("Declined by the expert"),
}
TEXT_FIELDS = ("title", "device", "technique", "description")
CHOICES_SHOWN = 100  # upcoming trainings offered in the proposal's list


def _sponsor() -> User:
    user = require_web_user()
    require_role(user, Role.SPONSOR)
    return user


@blp.get("/me/demos")
def my_demos() -> Any:
    """My demos, newest first, with where each was proposed and what the experts answered."""
    sponsor = _sponsor()
    mine, _total = demos.search_demos(deps(), None, sponsor.id, None, 100, 0)
    trainings = _trainings_of(mine)
    return render_template("web/my_demos.html", demos=mine, trainings=trainings, labels=LINK_LABELS)


@blp.route("/me/demos/new", methods=["GET", "POST"])
def new_demo() -> Any:
    """List a device or technique: saved, it has a page where it is proposed for trainings."""
    sponsor = _sponsor()
    values = _values(request.form) if request.method == "POST" else {}
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            demo = demos.create_demo(deps(), sponsor, DemoIn().load(_body(request.form, editing=False)))
        except (FormError, ValidationError) as invalid:
            errors = _errors(invalid)
        else:
            return redirect(url_for("web.demo_page", demo_id=demo.id), 303)
    return render_template("web/demo_form.html", demo=None, values=values, errors=errors), (422 if errors else 200)


@blp.route("/me/demos/<demo_id>/edit", methods=["GET", "POST"])
def edit_demo(demo_id: str) -> Any:
    """Change my demo; a field left blank is cleared (the title excepted: it is required)."""
    sponsor = _sponsor()
    demo = demos.my_demo(deps(), sponsor, demo_id)
    values = _values(request.form) if request.method == "POST" else _current(demo)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        body = _body(request.form, editing=True)
        try:
            loaded = DemoPatch().load({k: v for k, v in body.items() if v is not None})
            cleared = {k: None for k, v in body.items() if v is None}
            demos.update_demo(deps(), sponsor, demo_id, {**cleared, **loaded})
        except (FormError, ValidationError) as invalid:
            errors = _errors(invalid)
        else:
            return redirect(url_for("web.demo_page", demo_id=demo_id), 303)
    return render_template("web/demo_form.html", demo=demo, values=values, errors=errors), (422 if errors else 200)


@blp.route("/me/demos/<demo_id>", methods=["GET", "POST"])
def demo_page(demo_id: str) -> Any:
    """My demo and its proposals; POST proposes it for one of the upcoming published trainings."""
    sponsor = _sponsor()
    demo = demos.my_demo(deps(), sponsor, demo_id)
    errors: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        picked = request.form.get("training_id", "").strip()
        try:
            if not picked:
                raise FormError({"training_id": [gettext("Choose a training from the list.")]})
            chosen = ShowAtIn().load({"training_id": picked})
            demos.request_showing(deps(), sponsor, demo_id, chosen["training_id"])
        except (FormError, Conflict, NotFound) as refused:
            # Whatever went wrong is about the training chosen: said beside the list.
            errors = {"training_id": [m for messages in form_errors(refused).values() for m in messages]}
            status = 409 if isinstance(refused, Conflict) else 422
        else:
            return redirect(url_for("web.demo_page", demo_id=demo_id, proposed=1, _anchor="proposals"), 303)
    trainings = _trainings_of([demo])
    proposed = {link["training_id"] for link in demo.trainings}
    upcoming, _ = catalogue.search(deps(), {"limit": CHOICES_SHOWN, "offset": 0})
    choices = [t for t in upcoming if t.id not in proposed]
    return render_template(
        "web/demo.html", demo=demo, trainings=trainings, labels=LINK_LABELS, choices=choices, errors=errors,
        proposed=request.args.get("proposed") == "1",
    ), status  # fmt: skip


def _trainings_of(items: list[TechnologyDemo]) -> dict[str, Training]:
    """The trainings the demos were proposed for, by id (one read each: a sponsor has a few)."""
    wanted = sorted({link["training_id"] for d in items for link in d.trainings})
    found = {tid: deps().trainings.get(tid) for tid in wanted}
    return {tid: t for tid, t in found.items() if t is not None}


def _values(form: Any) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if k != "csrf"}


def _body(form: Any, editing: bool) -> dict[str, Any]:
    """The API's demo fields from the form: lists from commas (specialties) and lines (links).

    Blank text is "not given" for a new demo and "cleared" (``None``) for an edit.
    """
    body: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        text = str(form.get(name, "")).strip()
        if text:
            body[name] = text
        elif editing and name != "title":
            body[name] = None
    body["specialties"] = [s.strip().lower() for s in str(form.get("specialties", "")).split(",") if s.strip()]
    body["urls"] = [u.strip() for u in str(form.get("urls", "")).splitlines() if u.strip()]
    if editing and "title" not in body:
        body["title"] = ""  # the title stays required: an empty one is refused beside its field
    return body


def _errors(invalid: FormError | ValidationError) -> dict[str, Any]:
    """Errors by field; a list's errors (``{"urls": {1: [...]}}``) joined beside its one field."""
    if isinstance(invalid, FormError):
        invalid = FormError(flat_messages(invalid.messages_dict))
    return form_errors(invalid)


def _current(demo: TechnologyDemo) -> dict[str, str]:
    """The form's values from the saved demo."""
    values = {k: getattr(demo, k) or "" for k in TEXT_FIELDS}
    return {**values, "specialties": ", ".join(demo.specialties), "urls": "\n".join(demo.urls)}
