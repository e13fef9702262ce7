"""Sponsored seats: buy, pay, hand out the voucher codes."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import current_user, deps
from api.docs import secured
from core.services import sponsorships
from core.sponsoring import Sponsorship, Voucher
from schemas.http import ErrorSchema, PaymentIn
from schemas.sponsors import SponsorshipIn, SponsorshipList, SponsorshipOut, SponsorshipPaymentOut

PREFIX = ""
blp = Blueprint("sponsorships", __name__, description="Sponsored seats and vouchers")


def out(sponsorship: Sponsorship, vouchers: list[Voucher]) -> dict[str, Any]:
    """A purchase with its vouchers (redeemed or not; never by whom)."""
    return {
        **sponsorship.__dict__,
        "payment_status": sponsorship.payment.get("status"),
        "payment_failure": sponsorship.payment.get("failure"),
        "refunded_amount": sponsorship.payment.get("refunded_amount"),
        "vouchers": [
            {"code": v.code, "state": v.state, "redeemed": v.state == "redeemed", "redeemed_at": v.redeemed_at}
            for v in vouchers
        ],
        "status_url": url_for("sponsorships.SponsorshipItem", sponsorship_id=sponsorship.id),
    }


@blp.route("/trainings/<training_id>/sponsorships")
class BuySeats(MethodView):
    @blp.arguments(SponsorshipIn)
    @blp.response(202, SponsorshipOut, description="Accepted: the PaymentIntent is being prepared")
    @blp.alt_response(409, schema=ErrorSchema, description="Not published, free, or not that many seats left")
    @secured(blp)
    def post(self, body: dict[str, Any], training_id: str) -> Any:
        """Buy sponsored seats on a training (sponsor); each becomes a voucher code once paid."""
        sponsorship = sponsorships.buy_seats(deps(), current_user(), training_id, body["seats"])
        return out(sponsorship, [])


@blp.route("/sponsorships/<sponsorship_id>")
class SponsorshipItem(MethodView):
    @blp.response(200, SponsorshipOut)
    @secured(blp)
    def get(self, sponsorship_id: str) -> Any:
        """A purchase, its payment and its vouchers (its sponsor only)."""
        return out(*sponsorships.get_sponsorship(deps(), current_user(), sponsorship_id))


@blp.route("/sponsorships/<sponsorship_id>/payment")
class SponsorshipPayment(MethodView):
    @blp.arguments(PaymentIn, required=False)
    @blp.response(200, SponsorshipPaymentOut)
    @blp.alt_response(
        202,
        schema=SponsorshipPaymentOut,
        description="Submitted with a payment method: confirmed by the payments worker",
    )
    @secured(blp)
    def post(self, body: dict[str, Any], sponsorship_id: str) -> Any:
        """The PaymentIntent to pay; with ``payment_method``, confirm it on the server."""
        method = (body or {}).get("payment_method")
        answer = sponsorships.pay_sponsorship(deps(), current_user(), sponsorship_id, method)
        answer["publishable_key"] = current_app.extensions["marketplace.config"].stripe_publishable_key
        return answer, 202 if answer["submitted"] else 200


@blp.route("/me/sponsorships")
class MySponsorships(MethodView):
    @blp.response(200, SponsorshipList)
    @secured(blp)
    def get(self) -> Any:
        """My purchases of sponsored seats, newest first, with their vouchers (sponsor)."""
        return {"items": [out(s, v) for s, v in sponsorships.my_sponsorships(deps(), current_user())]}
