"""Mentoring after the day: the expert's assessment of each trainee who was there."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import attachment, current_user, deps
from api.docs import secured
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
    ThreadArgs,
    ThreadOut,
)

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
        thread = follow_ups.thread_of(deps(), current_user(), booking_id, args["limit"], args["offset"])
        return {"items": thread.messages, "total": thread.total, "open": thread.open,
                "opens_at": thread.opens_at, "closes_at": thread.closes_at}  # fmt: skip

    @blp.arguments(MessageIn)
    @blp.response(201, MessageOut)
    @blp.alt_response(404, schema=ErrorSchema, description="Not a party to this booking")
    @blp.alt_response(409, schema=ErrorSchema, description="Not attended, or the thread is not open")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many messages for now")
    @secured(blp)
    def post(self, body: dict[str, Any], booking_id: str) -> Any:
        """Write to the other side, while the thread is open; they are told."""
        return follow_ups.post_message(deps(), current_user(), booking_id, body["text"])


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
