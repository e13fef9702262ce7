"""The account its owner controls: password, sessions, address verification, export, closing."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import attachment, bearer_token, current_user, deps
from api.docs import secured
from core.services import closure, email_verification, passwords, sessions
from schemas.accounts import (
    AcceptedOut,
    AccountClosedOut,
    CloseAccountIn,
    PasswordChangedOut,
    PasswordChangeIn,
    SessionList,
)
from schemas.http import ErrorSchema

PREFIX = "/me"
blp = Blueprint("my_account", __name__, description="The signed-in user's control of their account")


@blp.route("/password")
class MyPassword(MethodView):
    @blp.arguments(PasswordChangeIn)
    @blp.response(200, PasswordChangedOut)
    @blp.alt_response(403, schema=ErrorSchema, description="The current password is wrong (names current_password)")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many attempts on this account")
    @secured(blp)
    def post(self, body: dict[str, Any]) -> Any:
        """Change my password; every other session is signed out, this one stays."""
        ended = passwords.change_password(deps(), current_user(), body["current_password"], body["new_password"],
                                          bearer_token())  # fmt: skip
        return {"sessions_ended": ended}


@blp.route("/sessions")
class MySessions(MethodView):
    @blp.response(200, SessionList)
    @secured(blp)
    def get(self) -> Any:
        """My signed-in sessions, newest first, the one this request came with marked ``current``."""
        found = sessions.my_sessions(deps(), current_user(), bearer_token())
        return {"items": [{**vars(s.info), "current": s.current} for s in found]}


@blp.route("/sessions/<session_id>")
class MySession(MethodView):
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such session of mine")
    @secured(blp)
    def delete(self, session_id: str) -> Any:
        """End one of my sessions: its token stops working at once."""
        sessions.end_session(deps(), current_user(), session_id)
        return None


@blp.route("/email-verification")
class MyEmailVerification(MethodView):
    @blp.response(202, AcceptedOut)
    @blp.alt_response(409, schema=ErrorSchema, description="The address is verified already")
    @blp.alt_response(429, schema=ErrorSchema, description="Asked too often")
    @secured(blp)
    def post(self) -> Any:
        """E-mail me the link that verifies my address again."""
        email_verification.ask_again(deps(), current_user())
        return {"message": "A new link is on its way to your address."}


@blp.route("/export")
class MyExport(MethodView):
    @blp.response(200, description="Everything the platform holds about me, as a JSON file",
                  content_type="application/json")  # fmt: skip
    @secured(blp)
    def get(self) -> Any:
        """Everything the platform holds about me (profile, bookings, payments and refunds, certificates,
        reviews, questions, goals, alerts, preferences, inbox, assessments, messages, sessions), as a
        download; never a password or token hash, never another person's record."""
        exported = closure.export(deps(), current_user(), bearer_token())
        body = json.dumps(exported, default=plain_json, ensure_ascii=False, indent=2, sort_keys=True)
        return attachment(body, "application/json", "my-data.json")


@blp.route("")
class CloseMyAccount(MethodView):
    @blp.arguments(CloseAccountIn)
    @blp.response(200, AccountClosedOut)
    @blp.alt_response(403, schema=ErrorSchema, description="Wrong password (names password)")
    @blp.alt_response(409, schema=ErrorSchema, description="The last admin, or an expert or sponsor others rely on")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many attempts on this account")
    @secured(blp)
    def delete(self, body: dict[str, Any]) -> Any:
        """Close my account: open bookings are cancelled under their refund terms, my personal data is
        erased, and what accounting law needs (the ledger, invoices) is kept without my name."""
        done = closure.close_account(deps(), current_user(), body["password"])
        return {"closed": True, "bookings_cancelled": done["bookings_cancelled"]}


def plain_json(value: Any) -> Any:
    """JSON for what the database holds besides JSON: instants as ISO-8601, bytes as base64."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)
