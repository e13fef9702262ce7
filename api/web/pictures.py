"""An expert's pictures on the web: their portrait, and each training's photos (plain multipart forms)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from api.context import deps
from api.uploads import accepts_upload
from api.web.blueprint import blp, form_errors
from api.web.session import require_web_user
from core.errors import TooLarge, ValidationError
from core.model import Role, User
from core.services import pictures, trainings
from core.services.accounts import require_role
from schemas.pictures import media_url

blp.add_app_template_global(media_url, "media_url")


def _expert() -> User:
    user = require_web_user()
    require_role(user, Role.EXPERT)
    return user


def _upload(field: str) -> bytes:
    sent = request.files.get(field)
    return sent.read() if sent is not None else b""


@blp.route("/me/portrait", methods=["GET", "POST"])
@accepts_upload("portrait")
def portrait_page() -> Any:
    """My portrait: see it, upload or replace it."""
    expert = _expert()
    errors: dict[str, Any] = {}
    values = {"alt": request.form.get("alt", "")}
    status = 200
    if request.method == "POST":
        try:
            pictures.set_portrait(deps(), expert, _upload("portrait"), values["alt"])
        except (ValidationError, TooLarge) as refused:
            errors, status = form_errors(refused), 413 if isinstance(refused, TooLarge) else 422
        else:
            return redirect(url_for("web.portrait_page"), 303)
    return render_template("web/portrait.html", expert=expert, errors=errors, values=values), status


@blp.post("/me/portrait/remove")
def remove_portrait() -> Any:
    """Remove my portrait."""
    pictures.remove_portrait(deps(), _expert())
    return redirect(url_for("web.portrait_page"), 303)


@blp.get("/me/trainings/<training_id>/photos")
def photos_page(training_id: str) -> Any:
    """A training's photos, to add, describe, order and remove."""
    return _photos(_expert(), training_id, {}, {}, 200)


@blp.post("/me/trainings/<training_id>/photos")
@accepts_upload("photo")
def add_photo(training_id: str) -> Any:
    """Add a photo; a refusal is shown beside its field."""
    expert = _expert()
    values = {"alt": request.form.get("alt", "")}
    try:
        pictures.add_photo(deps(), expert, training_id, _upload("photo"), values["alt"])
    except (ValidationError, TooLarge) as refused:
        return _photos(expert, training_id, form_errors(refused), values, 413 if isinstance(refused, TooLarge) else 422)
    return redirect(url_for("web.expert_training", training_id=training_id, _anchor="photos"), 303)


@blp.post("/me/trainings/<training_id>/photos/<photo_id>")
def change_photo(training_id: str, photo_id: str) -> Any:
    """Describe a photo again, show it first, or remove it."""
    expert = _expert()
    action = request.form.get("action")
    if action == "remove":
        pictures.remove_photo(deps(), expert, training_id, photo_id)
    elif action == "first":
        pictures.edit_photo(deps(), expert, training_id, photo_id, None, 1)
    else:
        pictures.edit_photo(deps(), expert, training_id, photo_id, request.form.get("alt", ""), None)
    return redirect(url_for("web.photos_page", training_id=training_id), 303)


def photos_context(expert: User, training_id: str) -> dict[str, Any]:
    """What ``_photos.html`` needs, for the expert's training page too."""
    training = trainings.own_training(deps(), expert, training_id)
    return {"training": training, "max_photos": pictures.MAX_PHOTOS,
            "photos_editable": training.status in pictures.PHOTOS_EDITABLE}  # fmt: skip


def _photos(expert: User, training_id: str, errors: dict[str, Any], values: dict[str, Any], status: int) -> Any:
    context = photos_context(expert, training_id)
    return render_template("web/photos.html", photo_errors=errors, photo_values=values, **context), status
