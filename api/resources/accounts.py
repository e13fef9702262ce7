"""Registration, login and logout."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, after_this_request, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import bearer_token, current_user, deps
from api.docs import secured
from core.model import Role
from core.services import accounts, email_verification, passwords, profiles
from schemas.accounts import AcceptedOut, PasswordResetConfirmIn, PasswordResetIn, VerifyEmailIn
from schemas.http import ErrorSchema, LoginIn, LogoutOut, LogoutQuery, RegisterIn, TokenOut, UserOut

log = logging.getLogger(__name__)
PREFIX = "/auth"
# The one answer to every reset request, whether or not the address has an account.
RESET_ACCEPTED = {"message": "If an account has this address, a link to reset its password is on its way. "
                             "It works once, within an hour."}  # fmt: skip
blp = Blueprint("auth", __name__, description="Accounts and bearer tokens")


@blp.route("/register")
class Register(MethodView):
    @blp.arguments(RegisterIn)
    @blp.response(201, UserOut)
    @blp.alt_response(409, schema=ErrorSchema, description="E-mail already registered")
    def post(self, body: dict[str, Any]) -> Any:
        """Create an account as trainee, expert or sponsor, with an optional profile."""
        email, password, name, role = (body.pop(k) for k in ("email", "password", "name", "role"))
        return accounts.register(deps(), email, password, name, Role(role), **body)


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginIn)
    @blp.response(200, TokenOut)
    @blp.alt_response(401, schema=ErrorSchema, description="Wrong e-mail or password")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many attempts on this account or from this address")
    def post(self, body: dict[str, Any]) -> Any:
        """Exchange e-mail and password for a bearer token that expires."""
        token, user, ttl = accounts.login(deps(), body["email"], body["password"], request.remote_addr,
                                          request.headers.get("User-Agent"))  # fmt: skip
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "user": user}


@blp.route("/logout")
class Logout(MethodView):
    @blp.arguments(LogoutQuery, location="query")
    @blp.response(200, LogoutOut)
    @secured(blp)
    def post(self, args: dict[str, Any]) -> Any:
        """Revoke this bearer token (or, with ``everywhere=true``, all of the account's)."""
        user = current_user()
        if args["everywhere"]:
            return {"revoked": profiles.logout_everywhere(deps(), user)}
        profiles.logout(deps(), bearer_token())
        return {"revoked": 1}


@blp.route("/password-reset")
class PasswordReset(MethodView):
    @blp.arguments(PasswordResetIn)
    @blp.response(202, AcceptedOut)
    @blp.alt_response(429, schema=ErrorSchema, description="Too many requests for this address or from this client")
    def post(self, body: dict[str, Any]) -> Any:
        """E-mail a single-use link to reset the password, valid for an hour. The answer is the same
        whether or not the address has an account."""
        announce_after_answering(passwords.request_reset(deps(), body["email"], request.remote_addr))
        return RESET_ACCEPTED


def announce_after_answering(record_id: str | None) -> None:
    """Send a reset request's event once the answer is on its way (the API's and the web form's), so that
    an account's answer takes no longer than another address's. It is stored with its event already:
    if this fails, the relay sends it."""
    if record_id is None:
        return
    wired = deps()

    @after_this_request
    def announce_later(response: Response) -> Response:
        response.call_on_close(lambda: _announce(wired, record_id))
        return response


def _announce(wired: Any, record_id: str) -> None:
    try:
        passwords.announce_reset(wired, record_id)
    except Exception:  # noqa: BLE001 - the answer is sent; the relay will retry, the log says why
        log.exception("password reset %s: left for the relay", record_id[:8])


@blp.route("/password-reset/confirm")
class PasswordResetConfirm(MethodView):
    @blp.arguments(PasswordResetConfirmIn)
    @blp.response(200, UserOut)
    @blp.alt_response(422, schema=ErrorSchema, description="The token is used, expired or unknown (names token)")
    def post(self, body: dict[str, Any]) -> Any:
        """Set a new password with the e-mailed link's token; every session of the account is signed out."""
        return passwords.confirm_reset(deps(), body["token"], body["password"])


@blp.route("/verify-email")
class VerifyEmail(MethodView):
    @blp.arguments(VerifyEmailIn)
    @blp.response(200, UserOut)
    @blp.alt_response(422, schema=ErrorSchema, description="Not a link we sent for this address (names token)")
    def post(self, body: dict[str, Any]) -> Any:
        """Mark my address verified with the e-mailed link's token (no sign-in needed: the link is the proof)."""
        return email_verification.verify_address(deps(), body["token"])
