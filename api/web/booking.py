"""A trainee's bookings on the web: book, follow it live, pay with Stripe.js, cancel."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from api.context import deps
from api.web.blueprint import blp, stripe_js_method
from api.web.session import require_web_user
from core import booking_rules
from core.cancellation import RefundTerms, cancellation, terms_of
from core.model import BookingStatus
from core.services import bookings

# What a person reads for each status.
LABELS = {
    BookingStatus.REQUESTED: lazy_gettext("Requested: checking for a seat…"),
    BookingStatus.PENDING_APPROVAL: lazy_gettext("Waiting for the expert's approval"),
    BookingStatus.HELD: lazy_gettext("Seat held: pay to confirm it"),
    BookingStatus.WAITLISTED: lazy_gettext("On the waitlist"),
    BookingStatus.CONFIRMED: lazy_gettext("Confirmed"),
    BookingStatus.REJECTED: lazy_gettext("Refused"),
    BookingStatus.EXPIRED: lazy_gettext("Expired: the hold ran out"),
    BookingStatus.CANCELLED: lazy_gettext("Cancelled"),
    BookingStatus.CLOSED: lazy_gettext("Closed: the training took place before a seat was confirmed"),
}


@blp.app_template_global()
def terms_words(terms: RefundTerms) -> str:
    """The refund terms' sentence in this page's language (the API keeps ``summary()``, in English)."""
    message, facts = terms.wording()
    return gettext(message, **facts)


@blp.post("/trainings/<training_id>/book")
def book(training_id: str) -> Any:
    """Ask for a seat; the form's request key makes a double submit one booking."""
    user = require_web_user()
    key = request.form.get("request_key") or str(uuid.uuid4())
    voucher = (request.form.get("voucher_code") or "").strip().upper() or None
    booking, _new = bookings.request_booking(deps(), user, training_id, key[:200], voucher)
    return redirect(url_for("web.booking_page", booking_id=booking.id), 303)


@blp.get("/bookings/<booking_id>")
def booking_page(booking_id: str) -> Any:
    """One booking, its status followed live, and the payment form while the seat is held."""
    user = require_web_user()
    booking = bookings.get_booking(deps(), user, booking_id)
    training = deps().trainings.get(booking.training_id)
    config = current_app.extensions["marketplace.config"]
    mine = booking.trainee_id == user.id
    cancel = cancellation(booking, training, deps().clock()) if mine else None
    return render_template(
        "web/booking.html", booking=booking, training=training, label=LABELS[booking.status],
        stripe_js_url=config.stripe_js_url, publishable_key=config.stripe_publishable_key,
        terms=terms_of(booking, training) if training else None, payable=booking_rules.payable(booking),
        cancel=cancel, withdraws=booking_rules.withdraws_request(booking),
        refund=booking_rules.refund_on_cancel(booking, cancel) if cancel else None,
    )  # fmt: skip


@blp.get("/bookings/<booking_id>/status")
def booking_status(booking_id: str) -> Any:
    """The booking's state as JSON, for the page's live view."""
    user = require_web_user()
    booking = bookings.get_booking(deps(), user, booking_id)
    payment = booking.payment
    return jsonify(
        status=str(booking.status),
        label=str(LABELS[booking.status]),  # in the language of the page that asks
        expires_at=booking.expires_at.isoformat() if booking.expires_at else None,
        waitlist_position=booking.waitlist_position,
        final=booking_rules.is_final(booking),
        payable=booking_rules.payable(booking),
        payment_status=payment.get("status"),
        failure=payment.get("failure"),
        attempt=payment.get("attempt"),
        client_secret=payment.get("client_secret") if booking.trainee_id == user.id else None,
    )


@blp.post("/bookings/<booking_id>/pay")
def pay(booking_id: str) -> Any:
    """Confirm the payment on the server with the PaymentMethod (or card) Stripe.js made in the browser."""
    user = require_web_user()
    method = stripe_js_method()
    if method is None:
        return jsonify(error=gettext("Stripe.js did not give a card to pay with.")), 400
    answer = bookings.pay_booking(deps(), user, booking_id, method)
    return jsonify(submitted=answer["submitted"]), 202


@blp.get("/me/bookings")
def my_bookings() -> Any:
    """My bookings, newest first, with what a cancellation would give back now."""
    user = require_web_user()
    rows = []
    for booking in bookings.my_bookings(deps(), user):
        training = deps().trainings.get(booking.training_id)
        decision = cancellation(booking, training, deps().clock())
        rows.append({"booking": booking, "training": training, "label": LABELS[booking.status],
                     "cancellable": decision.allowed, "refund": booking_rules.refund_on_cancel(booking, decision),
                     "attended": booking_rules.attended(booking, training)})  # fmt: skip
    return render_template("web/my_bookings.html", rows=rows)


@blp.post("/bookings/<booking_id>/cancel")
def cancel(booking_id: str) -> Any:
    """Cancel my booking (the refund follows the policy shown beside the button)."""
    user = require_web_user()
    bookings.cancel_booking(deps(), user, booking_id)
    return redirect(url_for("web.booking_page", booking_id=booking_id), 303)
