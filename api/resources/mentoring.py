"""Mentoring after the day: the expert's assessment of each trainee who was there."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import attachment, current_user, deps
from api.docs import secured
from core.assessments import FollowUpMessage
from core.portfolio import Portfolio
from core.services import alerts, assessments, follow_ups, portfolio
from core.services.certificates import verify_url
from schemas.http import ErrorSchema
from schemas.mentoring import (
    AlertIn,
    AlertList,
    AlertOut,
    AssessmentIn,
    AssessmentOut,
    MessageIn,
    MessageOut,
    PortfolioOut,
    ReportedMessageOut,
    ReportedMessagePage,
    ThreadArgs,
    ThreadOut,
)
from schemas.questions import QuestionReasonIn

PREFIX = ""
blp = Blueprint("mentoring", __name__, description="Assessments, follow-up and the learning record")


@blp.route("/bookings/<booking_id>/assessment")
class BookingAssessment(MethodView):
    @blp.response(200, AssessmentOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such booking of mine, or no assessment yet")
    @secured(blp)
    def get(self, booking_id: str) -> Any:
        """The expert's assessment of the day (the booking's trainee and the training's expert only)."""
        return assessments.assessment_of(deps(), current_user(), booking_id)

    @blp.arguments(AssessmentIn)
    @blp.response(200, AssessmentOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such booking on my trainings")
    @blp.alt_response(409, schema=ErrorSchema, description="The trainee was not marked present")
    @secured(blp)
    def put(self, body: dict[str, Any], booking_id: str) -> Any:
        """Assess a present trainee's day, or revise it (the training's expert); the trainee is told."""
        return assessments.assess(deps(), current_user(), booking_id, body)


@blp.route("/bookings/<booking_id>/messages")
class BookingMessages(MethodView):
    @blp.arguments(ThreadArgs, location="query")
    @blp.response(200, ThreadOut)
    @blp.alt_response(404, schema=ErrorSchema, description="Not a party to this booking")
    @secured(blp)
    def get(self, args: dict[str, Any], booking_id: str) -> Any:
        """The private follow-up thread after the day (the booking's trainee and the training's expert only)."""
        viewer = current_user()
        thread = follow_ups.thread_of(deps(), viewer, booking_id, args["limit"], args["offset"])
        return {"items": [shown(m, viewer.id) for m in thread.messages], "total": thread.total, "open": thread.open,
                "opens_at": thread.opens_at, "closes_at": thread.closes_at}  # fmt: skip

    @blp.arguments(MessageIn)
    @blp.response(201, MessageOut)
    @blp.alt_response(404, schema=ErrorSchema, description="Not a party to this booking")
    @blp.alt_response(409, schema=ErrorSchema, description="Not attended, or the thread is not open")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many messages for now")
    @secured(blp)
    def post(self, body: dict[str, Any], booking_id: str) -> Any:
        """Write to the other side, while the thread is open; they are told."""
        viewer = current_user()
        return shown(follow_ups.post_message(deps(), viewer, booking_id, body["text"]), viewer.id)


@blp.route("/messages/<message_id>/report")
class ReportMessage(MethodView):
    @blp.arguments(QuestionReasonIn)
    @blp.response(200, MessageOut)
    @blp.alt_response(404, schema=ErrorSchema, description="Not a message of my threads")
    @blp.alt_response(409, schema=ErrorSchema, description="Reported by me already, or hidden")
    @secured(blp)
    def post(self, body: dict[str, Any], message_id: str) -> Any:
        """Report a message of one of my follow-up threads as inappropriate, once; the admins read it then."""
        viewer = current_user()
        return shown(follow_ups.report_message(deps(), viewer, message_id, body["reason"]), viewer.id)


@blp.route("/messages/<message_id>/hide")
class HideMessage(MethodView):
    @blp.arguments(QuestionReasonIn)
    @blp.response(200, ReportedMessageOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such message")
    @blp.alt_response(409, schema=ErrorSchema, description="Hidden already")
    @secured(blp)
    def post(self, body: dict[str, Any], message_id: str) -> Any:
        """Hide a message (admins): its two parties see the reason instead, and its author is told."""
        return desk_item(follow_ups.hide_message(deps(), current_user(), message_id, body["reason"]))


@blp.route("/admin/messages/reported")
class ReportedMessages(MethodView):
    @blp.arguments(ThreadArgs, location="query")
    @blp.response(200, ReportedMessagePage)
    @secured(blp)
    def get(self, args: dict[str, Any]) -> Any:
        """Reported follow-up messages not hidden yet, the latest report first (admins)."""
        items, total = follow_ups.messages_under_review(deps(), current_user(), args["limit"], args["offset"])
        return {"items": [desk_item(m) for m in items], "total": total}


def shown(message: FollowUpMessage, viewer_id: str) -> dict[str, Any]:
    """A message as its thread's parties see it: a hidden one by its reason only."""
    hidden = message.hidden_at is not None
    return {
        "id": message.id, "booking_id": message.booking_id, "author_id": message.author_id, "by": message.by,
        "text": None if hidden else message.text, "created_at": message.created_at, "hidden": hidden,
        "hidden_reason": message.hidden_reason, "reported": message.reported_by(viewer_id),
    }  # fmt: skip


def desk_item(message: FollowUpMessage) -> dict[str, Any]:
    """A message as the moderation desk shows it: the words and the reports."""
    return {**shown(message, ""), "text": message.text, "training_id": message.training_id,
            "reports": [asdict(r) for r in message.reports]}  # fmt: skip


@blp.route("/me/alerts")
class MyAlerts(MethodView):
    @blp.response(200, AlertList)
    @secured(blp)
    def get(self) -> Any:
        """My saved searches."""
        return {"items": alerts.my_alerts(deps(), current_user())}

    @blp.arguments(AlertIn)
    @blp.response(201, AlertOut)
    @blp.alt_response(409, schema=ErrorSchema, description="Too many alerts")
    @secured(blp)
    def post(self, body: dict[str, Any]) -> Any:
        """Save a search: each newly published training that matches is announced in my inbox and by e-mail,
        at once (``instant``) or in one digest a day (``daily``)."""
        return alerts.create_alert(deps(), current_user(), body)


@blp.route("/me/alerts/<alert_id>")
class MyAlert(MethodView):
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such alert of mine")
    @secured(blp)
    def delete(self, alert_id: str) -> Any:
        """Delete one of my saved searches."""
        alerts.delete_alert(deps(), current_user(), alert_id)


@blp.route("/me/portfolio")
class MyPortfolio(MethodView):
    @blp.response(200, PortfolioOut)
    @secured(blp)
    def get(self) -> Any:
        """My learning record (trainee): every training attended, CME credits in total, per year and per
        specialty, the certificates and the experts' assessments."""
        return _out(portfolio.my_portfolio(deps(), current_user()))


@blp.route("/me/portfolio.csv")
class MyPortfolioCsv(MethodView):
    @blp.response(200, description="CSV, one row per training", content_type="text/csv")
    @secured(blp)
    def get(self) -> Any:
        """My learning record as CSV, for a spreadsheet (trainee)."""
        return attachment(portfolio.portfolio_csv(deps(), current_user()), "text/csv", "portfolio.csv")


@blp.route("/me/portfolio.pdf")
class MyPortfolioPdf(MethodView):
    @blp.response(200, description="The record as PDF, for a licensing body", content_type="application/pdf")
    @secured(blp)
    def get(self) -> Any:
        """My learning record as a PDF to hand to a licensing body (trainee)."""
        name, pdf = portfolio.portfolio_pdf(deps(), current_user())
        return attachment(pdf, "application/pdf", name)


def _out(record: Portfolio) -> dict[str, Any]:
    """The record as the schema shows it, each certificate with where to check and download it."""
    body = asdict(record)
    for entry, shown in zip(record.entries, body["entries"], strict=True):
        if entry.certificate is not None:
            code = entry.certificate.code
            shown["certificate"] = {"id": entry.certificate.id, "code": code, "verify_url": verify_url(deps(), code),
                                    "pdf_url": f"/api/v1/certificates/{entry.certificate.id}/pdf"}  # fmt: skip
    return body
