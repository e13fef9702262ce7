"""What belongs to the signed-in user: bookings and the in-app inbox."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import current_user, deps
from core.services import bookings
from schemas.http import BookingList, NotificationList

PREFIX = "/me"
blp = Blueprint("me", __name__, description="The signed-in user's own data")


@blp.route("/bookings")
class MyBookings(MethodView):
    @blp.response(200, BookingList)
    @blp.doc(security=[{"bearer": []}])
    def get(self) -> Any:
        """My bookings, newest first (trainee)."""
        return {"items": bookings.my_bookings(deps(), current_user())}


@blp.route("/notifications")
class MyNotifications(MethodView):
    @blp.response(200, NotificationList)
    @blp.doc(security=[{"bearer": []}])
    def get(self) -> Any:
        """My in-app notifications, newest first."""
        return {"items": deps().inbox.for_user(current_user().id, 100)}
