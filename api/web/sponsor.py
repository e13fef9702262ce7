"""A sponsor's pages: buy sponsored seats on a training and pay by card, the vouchers and their
redemptions, my purchases and my technology demos."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from api.context import deps
from api.web.blueprint import blp, stripe_js_method
from api.web.session import require_web_user
from core import sponsoring
from core.errors import ValidationError
from core.model import Role
from core.services import demos, sponsorships
from core.services.accounts import require_role
from core.sponsoring import SponsorshipStatus

LABELS = {
    SponsorshipStatus.PAYMENT_PENDING: lazy_gettext("Waiting for payment"),
    SponsorshipStatus.PAID: lazy_gettext("Paid: vouchers issued"),
    SponsorshipStatus.CANCELLED: lazy_gettext("Called off: the training was cancelled before the payment"),
    SponsorshipStatus.REFUNDED: lazy_gettext("Refunded in full: the training was cancelled; the vouchers are void"),
}


def _sponsor() -> Any:
    user = require_web_user()
    require_role(user, Role.SPONSOR)
    return user


@blp.post("/trainings/<training_id>/sponsor")
def sponsor_seats(training_id: str) -> Any:
    """Buy sponsored seats on a training (paid next, by card)."""
    sponsor = _sponsor()
    seats = request.form.get("seats", "")
    if not seats.isdigit() or not 1 <= int(seats) <= 50:
        raise ValidationError(gettext("Choose between 1 and 50 seats."), {"seats": [gettext("Between 1 and 50.")]})
    sponsorship = sponsorships.buy_seats(deps(), sponsor, training_id, int(seats))
    return redirect(url_for("web.sponsorship_page", sponsorship_id=sponsorship.id), 303)


@blp.get("/sponsorships/<sponsorship_id>")
def sponsorship_page(sponsorship_id: str) -> Any:
    """A purchase: its payment while pending, then its vouchers and who redeemed them."""
    sponsor = _sponsor()
    sponsorship, vouchers = sponsorships.get_sponsorship(deps(), sponsor, sponsorship_id)
    training = deps().trainings.get(sponsorship.training_id)
    config = current_app.extensions["marketplace.config"]
    return render_template(
        "web/sponsorship.html", sponsorship=sponsorship, vouchers=vouchers, training=training,
        label=LABELS[sponsorship.status], stripe_js_url=config.stripe_js_url,
        publishable_key=config.stripe_publishable_key, payable=sponsoring.payable(sponsorship),
        issuing=sponsoring.vouchers_pending(sponsorship, vouchers),
    )  # fmt: skip


@blp.get("/sponsorships/<sponsorship_id>/status")
def sponsorship_status(sponsorship_id: str) -> Any:
    """The purchase's state as JSON, for the page's live view."""
    sponsor = _sponsor()
    sponsorship, vouchers = sponsorships.get_sponsorship(deps(), sponsor, sponsorship_id)
    payment = sponsorship.payment
    return jsonify(
        status=str(sponsorship.status), label=str(LABELS[sponsorship.status]),
        final=sponsoring.is_final(sponsorship, vouchers), payable=sponsoring.payable(sponsorship),
        payment_status=payment.get("status"), failure=payment.get("failure"),
    )  # fmt: skip


@blp.post("/sponsorships/<sponsorship_id>/pay")
def pay_sponsorship(sponsorship_id: str) -> Any:
    """Confirm the purchase's payment on the server with what Stripe.js made in the browser."""
    sponsor = _sponsor()
    method = stripe_js_method()
    if method is None:
        return jsonify(error=gettext("Stripe.js did not give a card to pay with.")), 400
    answer = sponsorships.pay_sponsorship(deps(), sponsor, sponsorship_id, method)
    return jsonify(submitted=answer["submitted"]), 202


@blp.get("/me/sponsorships")
def my_sponsorships() -> Any:
    """My purchases, newest first, with how many vouchers were redeemed."""
    sponsor = _sponsor()
    rows = []
    for sponsorship, vouchers in sponsorships.my_sponsorships(deps(), sponsor):
        rows.append({"sponsorship": sponsorship, "training": deps().trainings.get(sponsorship.training_id),
                     "label": LABELS[sponsorship.status],
                     "redeemed": sum(1 for v in vouchers if v.state == "redeemed"),
                     "available": sum(1 for v in vouchers if v.state == "available")})  # fmt: skip
    mine, _ = demos.search_demos(deps(), None, sponsor.id, None, 100, 0)
    return render_template("web/my_sponsorships.html", rows=rows, demos=mine)
