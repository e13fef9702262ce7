"""Pictures: the signed-in expert's portrait and a training's photos, uploaded as multipart/form-data.

Each upload is re-encoded (every metadata stripped, resized) and stored; the answer is the
account or the training with its pictures' URLs, served by ``GET /media/{media_id}``.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import current_user, deps
from api.docs import secured
from api.resources.trainings import out
from api.uploads import accepts_upload
from core.services import pictures
from schemas.catalogue import TrainingOut
from schemas.http import ErrorSchema, UserOut
from schemas.pictures import PhotoPatch, upload_body

PREFIX = ""
blp = Blueprint("pictures", __name__, description="Portraits and training photos")

_REFUSED = "Not a JPEG, PNG or WebP picture, damaged, too many pixels, or alt text missing: the field is named"
_TOO_LARGE = "Over 5 MB: the limit and the field are named"


def uploaded(field: str) -> bytes:
    """The bytes of the file sent in ``field`` (empty if none: the use case names the field)."""
    sent = request.files.get(field)
    return sent.read() if sent is not None else b""


@blp.route("/me/portrait")
@accepts_upload("portrait")
class MyPortrait(MethodView):
    @blp.doc(requestBody=upload_body("portrait", "The expert's portrait", alt_required=False))
    @blp.response(200, UserOut)
    @blp.alt_response(413, schema=ErrorSchema, description=_TOO_LARGE)
    @blp.alt_response(422, schema=ErrorSchema, description=_REFUSED)
    @secured(blp)
    def put(self) -> Any:
        """Upload or replace my portrait (expert): shown on my page, my trainings and the directory."""
        user = current_user()
        return pictures.set_portrait(deps(), user, uploaded("portrait"), request.form.get("alt"))

    @blp.response(200, UserOut)
    @secured(blp)
    def delete(self) -> Any:
        """Remove my portrait (expert); its images are deleted."""
        return pictures.remove_portrait(deps(), current_user())


@blp.route("/trainings/<training_id>/photos")
@accepts_upload("photo")
class TrainingPhotos(MethodView):
    @blp.doc(requestBody=upload_body("photo", "A photo of the training", alt_required=True))
    @blp.response(201, TrainingOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such training")
    @blp.alt_response(409, schema=ErrorSchema, description="The training is over or cancelled")
    @blp.alt_response(413, schema=ErrorSchema, description=_TOO_LARGE)
    @blp.alt_response(422, schema=ErrorSchema, description=_REFUSED + "; or already 8 photos")
    @secured(blp)
    def post(self, training_id: str) -> Any:
        """Add a photo after the others (the training's expert), with its alt text."""
        user = current_user()
        return out(pictures.add_photo(deps(), user, training_id, uploaded("photo"), request.form.get("alt")))


@blp.route("/trainings/<training_id>/photos/<photo_id>")
class TrainingPhoto(MethodView):
    @blp.arguments(PhotoPatch)
    @blp.response(200, TrainingOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such training or photo")
    @blp.alt_response(409, schema=ErrorSchema, description="The training is over or cancelled")
    @secured(blp)
    def patch(self, body: dict[str, Any], training_id: str, photo_id: str) -> Any:
        """Change a photo's alt text or move it (the training's expert); position 1 is the card's."""
        user = current_user()
        return out(pictures.edit_photo(deps(), user, training_id, photo_id, body.get("alt"), body.get("position")))

    @blp.response(200, TrainingOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such training or photo")
    @secured(blp)
    def delete(self, training_id: str, photo_id: str) -> Any:
        """Remove a photo (the training's expert); its images are deleted."""
        return out(pictures.remove_photo(deps(), current_user(), training_id, photo_id))
