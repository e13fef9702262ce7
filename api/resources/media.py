"""The stored images, by media id: immutable, so cached for a year and revalidated by a strong ETag."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import deps
from core.errors import NotFound
from schemas.http import ErrorSchema

PREFIX = "/media"
blp = Blueprint("media", __name__, description="Pictures' images")

# A media id never names other bytes: a replaced picture gets new ids.
CACHE_FOREVER = "public, max-age=31536000, immutable"


@blp.route("/<media_id>")
class Media(MethodView):
    @blp.response(200, description="The image", content_type="image/*")
    @blp.alt_response(304, description="Not modified: the ETag sent in If-None-Match is the image's")
    @blp.alt_response(404, schema=ErrorSchema, description="No such image")
    def get(self, media_id: str) -> Any:
        """One image of a portrait or photo (the URLs in the experts' and trainings' JSON)."""
        stored = deps().media.get(media_id)
        if stored is None:
            raise NotFound(f"No image {media_id}.")
        response = Response(stored.data, mimetype=stored.content_type)
        response.set_etag(stored.digest)
        response.headers["Cache-Control"] = CACHE_FOREVER
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        # 304 when If-None-Match names this ETag (weakly, as RFC 9110 asks of GET).
        return response.make_conditional(request)
