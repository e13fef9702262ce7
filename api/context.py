"""What a view fetches explicitly: the wired dependencies and the signed-in user; and a download."""

from __future__ import annotations

from flask import Response, current_app, request

from core.errors import Unauthorized
from core.model import User
from core.services.accounts import authenticate
from core.services.deps import Deps


def deps() -> Deps:
    """The dependencies registered once by ``create_app``."""
    return current_app.extensions["marketplace.deps"]  # type: ignore[no-any-return]


def bearer_token() -> str:
    """The request's bearer token, or ``Unauthorized``."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send 'Authorization: Bearer <token>' (POST /api/v1/auth/login).")
    return token.strip()


def current_user() -> User:
    """The user behind the request's bearer token, or ``Unauthorized``."""
    return authenticate(deps(), bearer_token())


def optional_user() -> User | None:
    """The signed-in user if the request carries a token, else None (public pages)."""
    return current_user() if request.headers.get("Authorization") else None


def attachment(body: str | bytes, mimetype: str, filename: str) -> Response:
    """A file the browser saves under ``filename`` rather than shows."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
