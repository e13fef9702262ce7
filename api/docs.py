"""How operations document their security and errors in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint

from schemas.http import ErrorSchema

BEARER = [{"bearer": []}]


def secured(blp: Blueprint) -> Callable[[Any], Any]:
    """A bearer-protected operation: its security scheme, and 401/403 in the error format."""

    def decorate(func: Any) -> Any:
        func = blp.alt_response(403, schema=ErrorSchema, description="Not allowed for this role or account")(func)
        func = blp.alt_response(401, schema=ErrorSchema, description="Missing, expired or revoked token")(func)
        return blp.doc(security=BEARER)(func)

    return decorate
