"""Uploads: room for a picture on the few endpoints that take one, and a clear 413 when it is bigger.

Every other request keeps the app's 1 MB limit (``MAX_CONTENT_LENGTH``). An upload endpoint says
which field it takes (``upload_field`` on its view function or class); its body may then carry one
file of up to ``MAX_UPLOAD_BYTES`` and a form's few fields. A body beyond even that is refused before
it is read, with the limit and the field named: JSON under /api, the error page for the web.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge

from api.errors import MarketplaceApi, error_body
from core.services.pictures import MAX_UPLOAD_BYTES, TOO_LARGE

FORM_ROOM = 256 * 1024  # the multipart envelope, the CSRF token and the alt text beside the file
UPLOAD_BODY_BYTES = MAX_UPLOAD_BYTES + FORM_ROOM
_MB = 1024 * 1024


def accepts_upload(field: str) -> Any:
    """Mark a view (function or MethodView class) as taking an upload in form field ``field``."""

    def mark(view: Any) -> Any:
        view.upload_field = field
        return view

    return mark


def upload_field() -> str | None:
    """The upload field of the view serving this request, if it takes one."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "upload_field", None) or getattr(getattr(view, "view_class", None), "upload_field", None)


def install(app: Flask, api: MarketplaceApi) -> None:
    """Raise the body limit for upload endpoints; answer their 413 in the site's formats (other
    requests' 413 stays ``api``'s, as for any HTTP error)."""

    @app.before_request
    def _room_for_an_upload() -> None:
        # Before the web's CSRF check, which reads the form (and so the limit).
        if upload_field() is not None:
            request.max_content_length = UPLOAD_BODY_BYTES

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
        field = upload_field()
        if field is None:
            return api.handle_http_exception(error)
        message = f"The {field} is too large: at most {MAX_UPLOAD_BYTES // _MB} MB."
        errors = {field: [TOO_LARGE]}
        if request.path.startswith("/api/"):
            return jsonify(error_body("too_large", 413, message, errors)), 413
        return render_template("web/error.html", message=gettext("The file is too large: at most 5 MB."),
                               details=[gettext(TOO_LARGE)], status=413, title=gettext("Too large")), 413  # fmt: skip
