"""The admin's desk: the expert verification queue."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import current_user, deps
from api.docs import secured
from core.services import verification
from schemas.http import ErrorSchema, ExpertAdminOut, ExpertAdminPage, ExpertQueueArgs, RejectIn

PREFIX = "/admin"
blp = Blueprint("admin", __name__, description="Administration (admin role)")


@blp.route("/experts")
class ExpertQueue(MethodView):
    @blp.arguments(ExpertQueueArgs, location="query")
    @blp.response(200, ExpertAdminPage)
    @secured(blp)
    def get(self, args: dict[str, Any]) -> Any:
        """Experts in a verification state, ``pending`` by default, oldest submission first."""
        items, total = verification.experts_to_check(
            deps(), current_user(), args["status"], args["limit"], args["offset"]
        )
        return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"]}


@blp.route("/experts/<expert_id>/verify")
class VerifyExpert(MethodView):
    @blp.response(200, ExpertAdminOut)
    @blp.alt_response(409, schema=ErrorSchema, description="Not pending verification")
    @secured(blp)
    def post(self, expert_id: str) -> Any:
        """Credential check done: the expert may publish (``expert.verified``)."""
        return verification.verify_expert(deps(), current_user(), expert_id)


@blp.route("/experts/<expert_id>/reject")
class RejectExpert(MethodView):
    @blp.arguments(RejectIn)
    @blp.response(200, ExpertAdminOut)
    @blp.alt_response(409, schema=ErrorSchema, description="Not pending verification")
    @secured(blp)
    def post(self, body: dict[str, Any], expert_id: str) -> Any:
        """Credential check failed, with the reason the expert will read (``expert.rejected``)."""
        return verification.reject_expert(deps(), current_user(), expert_id, body["reason"])


@blp.route("/experts/<expert_id>/withdraw-verification")
class WithdrawVerification(MethodView):
    @blp.arguments(RejectIn)
    @blp.response(200, ExpertAdminOut)
    @blp.alt_response(409, schema=ErrorSchema, description="Not verified")
    @secured(blp)
    def post(self, body: dict[str, Any], expert_id: str) -> Any:
        """Take a verification back, with the reason the expert will read (``expert.verification_withdrawn``):
        their trainings lose the verified badge, and publishing again needs a new check."""
        return verification.withdraw_verification(deps(), current_user(), expert_id, body["reason"])
