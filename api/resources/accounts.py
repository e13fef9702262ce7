"""Registration and login."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import deps
from core.model import Role
from core.services import accounts
from schemas.http import LoginIn, RegisterIn, TokenOut, UserOut

PREFIX = "/auth"
blp = Blueprint("auth", __name__, description="Accounts and bearer tokens")


@blp.route("/register")
class Register(MethodView):
    @blp.arguments(RegisterIn)
    @blp.response(201, UserOut)
    @blp.alt_response(409, schema=None, description="E-mail already registered")
    def post(self, body: dict[str, Any]) -> Any:
        """Create an account as trainee, expert or sponsor."""
        return accounts.register(deps(), body["email"], body["password"], body["name"], Role(body["role"]))


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginIn)
    @blp.response(200, TokenOut)
    @blp.alt_response(401, schema=None, description="Wrong e-mail or password")
    def post(self, body: dict[str, Any]) -> Any:
        """Exchange e-mail and password for a bearer token."""
        token, user, ttl = accounts.login(deps(), body["email"], body["password"])
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "user": user}
