"""What belongs to the signed-in user: profile, credentials, bookings, inbox."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import current_user, deps
from api.docs import secured
from core.services import bookings, profiles, verification
from schemas.http import BookingList, CredentialsIn, NotificationList, ProfileIn, UserOut

PREFIX = "/me"
blp = Blueprint("me", __name__, description="The signed-in user's own data")


@blp.route("")
class Me(MethodView):
    @blp.response(200, UserOut)
    @secured(blp)
    def get(self) -> Any:
        """My account and profile."""
        return current_user()

    @blp.arguments(ProfileIn)
    @blp.response(200, UserOut)
    @secured(blp)
    def patch(self, body: dict[str, Any]) -> Any:
        """Change my profile (each role has its own fields)."""
        return profiles.update_profile(deps(), current_user(), body)


@blp.route("/credentials")
class MyCredentials(MethodView):
    @blp.arguments(CredentialsIn)
    @blp.response(202, UserOut, description="Submitted: an admin will verify or reject")
    @secured(blp)
    def post(self, body: dict[str, Any]) -> Any:
        """Submit my credentials for verification (expert)."""
        credentials = [{**c, "valid_until": c["valid_until"].isoformat()} if c.get("valid_until") else c
                       for c in body["credentials"]]  # fmt: skip
        return verification.submit_credentials(deps(), current_user(), credentials)


@blp.route("/bookings")
class MyBookings(MethodView):
    @blp.response(200, BookingList)
    @secured(blp)
    def get(self) -> Any:
        """My bookings, newest first (trainee)."""
        return {"items": bookings.my_bookings(deps(), current_user())}


@blp.route("/notifications")
class MyNotifications(MethodView):
    @blp.response(200, NotificationList)
    @secured(blp)
    def get(self) -> Any:
        """My in-app notifications, newest first."""
        return {"items": deps().inbox.for_user(current_user().id, 100)}
