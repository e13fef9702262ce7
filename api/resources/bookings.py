"""Bookings: request a seat (202), follow it, pay it."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import current_user, deps
from api.docs import secured
from core.errors import ValidationError
from core.services import approvals, attendance, bookings
from schemas.http import (
    ApprovalList,
    AttendanceIn,
    BookingAccepted,
    BookingIn,
    BookingOut,
    DecisionIn,
    ErrorSchema,
    PaymentIn,
    PaymentOut,
    RollCallOut,
)

PREFIX = ""
blp = Blueprint("bookings", __name__, description="Seat bookings and their payment")
MAX_WAIT_S = 1.0  # ``Prefer: wait`` is honoured up to this


def preferred_wait(prefer: str) -> float:
    """The seconds ``Prefer: wait=N`` asks for, capped at ``MAX_WAIT_S``; 0 without it (RFC 7240)."""
    for preference in prefer.split(","):
        name, _, value = preference.strip().partition("=")
        if name.strip().lower() == "wait":
            try:
                return max(0.0, min(MAX_WAIT_S, float(value.strip().strip('"'))))
            except ValueError:
                return 0.0  # a preference the server cannot read is ignored, as the RFC says
    return 0.0


@blp.route("/trainings/<training_id>/bookings")
class TrainingBookings(MethodView):
    writes_catalogue = False  # only events: the catalogue's seats follow from the capacity worker

    @blp.response(202, BookingAccepted, description="Accepted: the broker holds the request")
    @blp.alt_response(409, schema=ErrorSchema, description="Closed, or already booked")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many booking requests from this trainee")
    @blp.alt_response(503, schema=ErrorSchema, description="Broker unavailable: nothing was accepted")
    @secured(blp)
    @blp.doc(
        parameters=[
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "Retrying with the same key returns the same booking.",
            },
            {
                "in": "header",
                "name": "Prefer",
                "required": False,
                "schema": {"type": "string", "example": "wait=1"},
                "description": "RFC 7240: `wait=N` waits up to N seconds (at most 1) for the decision, so the "
                "booking comes back held, waitlisted or rejected and needs no poll; `Preference-Applied` says so.",
            },
        ],
    )
    @blp.arguments(BookingIn, required=False)
    def post(self, body: dict[str, Any], training_id: str) -> Any:
        """Ask for a seat (with a sponsor's voucher, for free); the capacity worker holds one or waitlists you."""
        key = request.headers.get("Idempotency-Key") or None
        if key is not None and len(key) > 200:
            raise ValidationError("Idempotency-Key too long.", {"Idempotency-Key": ["At most 200 characters."]})
        voucher = (body or {}).get("voucher_code")
        wait_s = preferred_wait(request.headers.get("Prefer", ""))
        booking, _new = bookings.request_booking(
            deps(), current_user(), training_id, key, voucher.strip().upper() if voucher else None, wait_s
        )
        status_url = url_for("bookings.BookingItem", booking_id=booking.id)
        headers = {"Location": status_url}
        if wait_s:
            headers["Preference-Applied"] = f"wait={wait_s:g}"
        return {"booking": booking, "status_url": status_url}, 202, headers


@blp.route("/bookings/<booking_id>")
class BookingItem(MethodView):
    @blp.response(200, BookingOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such booking (or not yours)")
    @secured(blp)
    def get(self, booking_id: str) -> Any:
        """A booking with every step it went through."""
        return bookings.get_booking(deps(), current_user(), booking_id)


@blp.route("/bookings/<booking_id>/cancel")
class BookingCancel(MethodView):
    writes_catalogue = False  # only events: the catalogue's seats follow from the capacity worker

    @blp.response(202, BookingAccepted, description="Accepted: the seat is released and any refund follows")
    @blp.alt_response(409, schema=ErrorSchema, description="Not cancellable now (started, or already over)")
    @secured(blp)
    def post(self, booking_id: str) -> Any:
        """Cancel my booking, or withdraw my request (waiting for a seat, the expert's approval or payment),
        until the training starts. A paid seat is refunded per the terms it was sold under (``refund_terms``:
        the price in full up to that many days before, nothing after; the service fee never); the seat
        goes to the first on the waitlist."""
        booking = bookings.cancel_booking(deps(), current_user(), booking_id)
        status_url = url_for("bookings.BookingItem", booking_id=booking.id)
        return {"booking": booking, "status_url": status_url}, 202, {"Location": status_url}


@blp.route("/bookings/<booking_id>/approve")
class BookingApprove(MethodView):
    @blp.response(202, BookingAccepted, description="Accepted: the trainee is asked to pay")
    @blp.alt_response(409, schema=ErrorSchema, description="Not waiting for a decision")
    @secured(blp)
    def post(self, booking_id: str) -> Any:
        """Approve a trainee's request (the training's expert)."""
        booking = approvals.decide(deps(), current_user(), booking_id, approved=True)
        return {"booking": booking, "status_url": url_for("bookings.BookingItem", booking_id=booking.id)}, 202


@blp.route("/bookings/<booking_id>/reject")
class BookingReject(MethodView):
    @blp.arguments(DecisionIn)
    @blp.response(202, BookingAccepted, description="Accepted: the seat goes back to the waitlist")
    @blp.alt_response(409, schema=ErrorSchema, description="Not waiting for a decision")
    @secured(blp)
    def post(self, body: dict[str, Any], booking_id: str) -> Any:
        """Reject a trainee's request with the reason they will read (the training's expert)."""
        booking = approvals.decide(deps(), current_user(), booking_id, approved=False, reason=body["reason"])
        return {"booking": booking, "status_url": url_for("bookings.BookingItem", booking_id=booking.id)}, 202


@blp.route("/bookings/<booking_id>/attendance")
class BookingAttendance(MethodView):
    @blp.arguments(AttendanceIn)
    @blp.response(200, BookingOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such booking on a training of mine")
    @blp.alt_response(409, schema=ErrorSchema, description="Not the training's day, or not a confirmed trainee")
    @secured(blp)
    def post(self, body: dict[str, Any], booking_id: str) -> Any:
        """Mark a confirmed trainee present or absent (the training's expert, from the day's start until
        the training is completed; marking again corrects it)."""
        return attendance.record_attendance(deps(), current_user(), booking_id, body["present"])


@blp.route("/trainings/<training_id>/attendance")
class RollCall(MethodView):
    @blp.response(200, RollCallOut)
    @blp.alt_response(404, schema=ErrorSchema, description="No such training of mine")
    @secured(blp)
    def get(self, training_id: str) -> Any:
        """The roll call: my training's confirmed trainees and their attendance so far (expert)."""
        training, rows = attendance.roll_call(deps(), current_user(), training_id)
        return {"training_id": training.id, "opens_at": attendance.opens_at(training),
                "items": [{"booking": b, "trainee": t} for b, t in rows]}  # fmt: skip


@blp.route("/me/approvals")
class MyApprovals(MethodView):
    @blp.response(200, ApprovalList)
    @secured(blp)
    def get(self) -> Any:
        """Requests waiting for my decision, oldest first, with each trainee's profile (expert)."""
        return {"items": [{"booking": b, "trainee": t} for b, t in approvals.pending_requests(deps(), current_user())]}


@blp.route("/bookings/<booking_id>/payment")
class BookingPayment(MethodView):
    writes_catalogue = False  # only events: the catalogue's seats follow from the capacity worker

    @blp.arguments(PaymentIn, required=False)
    @blp.response(200, PaymentOut)
    @blp.alt_response(
        202, schema=PaymentOut, description="Submitted with a payment method: confirmed by the payments worker"
    )
    @blp.alt_response(409, schema=ErrorSchema, description="Not payable now")
    @secured(blp)
    def post(self, body: dict[str, Any], booking_id: str) -> Any:
        """The PaymentIntent to pay; with ``payment_method``, confirm it on the server."""
        answer = bookings.pay_booking(deps(), current_user(), booking_id, (body or {}).get("payment_method"))
        answer["publishable_key"] = current_app.extensions["marketplace.config"].stripe_publishable_key
        return answer, 202 if answer["submitted"] else 200
