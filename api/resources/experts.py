"""Experts' public profiles, with the verified badge."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import deps
from core.errors import NotFound
from core.model import Role
from schemas.http import ErrorSchema, ExpertPublicOut

PREFIX = "/experts"
blp = Blueprint("experts", __name__, description="Experts' public profiles")


@blp.route("/<expert_id>")
class ExpertProfile(MethodView):
    @blp.response(200, ExpertPublicOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such expert")
    def get(self, expert_id: str) -> Any:
        """An expert's public profile."""
        user = deps().users.get(expert_id)
        if user is None or user.role is not Role.EXPERT:
            raise NotFound(f"No expert {expert_id}.")
        return user
