"""Every error leaves the API in one JSON shape: ``{code, status, message, errors}``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from adapters.transient import TRANSIENT_ERRORS
from core import errors as domain
from schemas.http import ErrorSchema

log = logging.getLogger("api")

STATUS_OF: dict[type[domain.DomainError], int] = {
    domain.ValidationError: 422,
    domain.TooLarge: 413,
    domain.NotFound: 404,
    domain.Conflict: 409,
    domain.Unauthorized: 401,
    domain.Forbidden: 403,
    domain.InvalidSignature: 400,
    domain.PaymentDeclined: 402,
    domain.RateLimited: 429,
    domain.Unavailable: 503,
}


def error_body(code: str, status: int, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error document."""
    return {"code": code, "status": status, "message": message, "errors": errors or {}}


class MarketplaceApi(Api):
    """flask-smorest's Api with our error format for HTTP errors, webargs' 422 included."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> ResponseReturnValue:
        """Render an HTTP error, flattening webargs' ``{"json": {field: [...]}}``."""
        status = error.code or 500
        data = getattr(error, "data", {}) or {}
        messages = data.get("messages", {})
        fields: dict[str, Any] = {}
        for location, problems in messages.items():
            if isinstance(problems, dict):
                fields.update(problems)
            else:
                fields[location] = problems
        if status == 422:
            code, message = "validation_error", "The request has invalid fields: " + ", ".join(sorted(fields))
        else:
            code = (error.name or "error").lower().replace(" ", "_")
            message = error.description or error.name
        return jsonify(error_body(code, status, message, fields)), status


def register_error_handlers(app: Flask) -> None:
    """Map domain errors to HTTP in one place; never a stack trace to a client."""

    @app.errorhandler(domain.DomainError)
    def _domain(error: domain.DomainError) -> ResponseReturnValue:
        status = next((s for cls, s in STATUS_OF.items() if isinstance(error, cls)), 400)
        response = jsonify(error_body(error.code, status, error.message, error.errors))
        if status == 503:
            response.headers["Retry-After"] = "5"
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(error, domain.RateLimited):
            response.headers["Retry-After"] = str(error.retry_after_s)
        return response, status

    def _outage(error: Exception) -> ResponseReturnValue:
        log.warning("backing service unavailable: %s", error)
        message = "A backing service is unavailable; nothing was changed. Retry shortly."
        response = jsonify(error_body("unavailable", 503, message))
        response.headers["Retry-After"] = "5"
        return response, 503

    # MongoDB or Kafka unreachable in the middle of a request: a 503, not a 500.
    for outage in TRANSIENT_ERRORS:
        if not issubclass(outage, domain.DomainError):
            app.register_error_handler(outage, _outage)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        # HTTPExceptions never get here: flask-smorest's more specific handler wins.
        log.exception("unhandled error")
        return jsonify(error_body("internal_error", 500, "Something went wrong on our side.")), 500
