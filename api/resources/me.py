"""What belongs to the signed-in user: profile, credentials, bookings, inbox."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import current_user, deps
from api.docs import secured
from api.resources.experts import brief
from api.resources.trainings import out
from core.services import bookings, goals, inbox, profiles, verification
from core.services.delivery import CATEGORIES
from schemas.http import (
    BookingList,
    CredentialsIn,
    ErrorSchema,
    ExpertApplicationIn,
    ProfileIn,
    UserOut,
)
from schemas.mentoring import GoalsIn, GoalsOut, RecommendationArgs, RecommendationsOut
from schemas.notifications import NotificationArgs, NotificationList, PreferencesIn, PreferencesOut, UnreadOut

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


@blp.route("/goals")
class MyGoals(MethodView):
    @blp.response(200, GoalsOut)
    @secured(blp)
    def get(self) -> Any:
        """My learning goals (trainee); empty until I set them."""
        return goals.goals_of(deps(), current_user())

    @blp.arguments(GoalsIn)
    @blp.response(200, GoalsOut)
    @secured(blp)
    def put(self, body: dict[str, Any]) -> Any:
        """Set my learning goals (trainee): what recommendations are ranked against."""
        return goals.set_goals(deps(), current_user(), body)


@blp.route("/recommendations")
class MyRecommendations(MethodView):
    @blp.arguments(RecommendationArgs, location="query")
    @blp.response(200, RecommendationsOut)
    @secured(blp)
    def get(self, args: dict[str, Any]) -> Any:
        """Upcoming trainings and verified experts that fit my goals, best first, each with its reasons (trainee)."""
        found = goals.recommendations(deps(), current_user(), args["trainings"], args["experts"])
        experts = {m.expert.id: m.expert for m in found.experts}
        experts.update(deps().users.many(sorted({m.training.expert_id for m in found.trainings} - experts.keys())))
        return {
            "goals_set": found.goals is not None,
            "trainings": [
                {"training": out(m.training, experts, listed=True), "score": m.fit.score, "reasons": m.fit.reasons}
                for m in found.trainings
            ],
            "experts": [
                {
                    "expert": m.expert,
                    "score": m.fit.score,
                    "reasons": m.fit.reasons,
                    "trainings": [brief(t) for t in m.trainings[:3]],
                }
                for m in found.experts
            ],  # fmt: skip
        }


@blp.route("/expert-application")
class MyExpertApplication(MethodView):
    @blp.arguments(ExpertApplicationIn)
    @blp.response(202, UserOut, description="Submitted: the account is an expert waiting for an admin's check")
    @blp.alt_response(409, schema=ErrorSchema, description="A booking is still under way")
    @secured(blp)
    def post(self, body: dict[str, Any]) -> Any:
        """Ask to teach (trainee): credentials and profile for the admin's usual verification; the account
        keeps its bookings, certificates, assessments and portfolio."""
        credentials = [{**c, "valid_until": c["valid_until"].isoformat()} if c.get("valid_until") else c
                       for c in body["credentials"]]  # fmt: skip
        return verification.apply_to_teach(deps(), current_user(), {**body, "credentials": credentials})


@blp.route("/bookings")
class MyBookings(MethodView):
    @blp.response(200, BookingList)
    @secured(blp)
    def get(self) -> Any:
        """My bookings, newest first (trainee)."""
        return {"items": bookings.my_bookings(deps(), current_user())}


@blp.route("/notifications")
class MyNotifications(MethodView):
    @blp.arguments(NotificationArgs, location="query")
    @blp.response(200, NotificationList)
    @secured(blp)
    def get(self, args: dict[str, Any]) -> Any:
        """My in-app notifications, newest first, with the unread count."""
        return inbox.my_notifications(deps(), current_user(), args["unread"], args["limit"])


@blp.route("/notifications/<notification_id>/read")
class ReadNotification(MethodView):
    @blp.response(200, UnreadOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such notification of mine")
    @secured(blp)
    def post(self, notification_id: str) -> Any:
        """Mark one notification read; answers the unread count left."""
        return {"unread": inbox.mark_read(deps(), current_user(), notification_id)}


@blp.route("/notifications/read-all")
class ReadAllNotifications(MethodView):
    @blp.response(200, UnreadOut)
    @secured(blp)
    def post(self) -> Any:
        """Mark all my notifications read."""
        return {"unread": inbox.mark_all_read(deps(), current_user())}


@blp.route("/notification-preferences")
class MyNotificationPreferences(MethodView):
    @blp.response(200, PreferencesOut)
    @secured(blp)
    def get(self) -> Any:
        """Which categories reach me on which channel (in-app inbox, e-mail)."""
        return {**inbox.my_preferences(deps(), current_user()), "categories": CATEGORIES}

    @blp.arguments(PreferencesIn)
    @blp.response(200, PreferencesOut)
    @secured(blp)
    def put(self, body: dict[str, Any]) -> Any:
        """Switch categories on or off per channel (those not named keep their setting)."""
        return {**inbox.set_preferences(deps(), current_user(), body), "categories": CATEGORIES}
