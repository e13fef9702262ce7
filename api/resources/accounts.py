"""Registration, login and logout."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import bearer_token, current_user, deps
from api.docs import secured
from core.model import Role
from core.services import accounts, profiles
from schemas.http import ErrorSchema, LoginIn, LogoutOut, LogoutQuery, RegisterIn, TokenOut, UserOut

PREFIX = "/auth"
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
        token, user, ttl = accounts.login(deps(), body["email"], body["password"], request.remote_addr)
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
