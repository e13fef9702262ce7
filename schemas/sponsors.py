"""Schemas of technology demos, sponsored seats and vouchers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.sponsoring import LinkStatus, SponsorshipStatus
from schemas.http import MAX_OFFSET, PaymentAnswer


class DemoIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    device = fields.String(validate=validate.Length(min=2, max=200), metadata={"example": "Evolut FX TAVI system"})
    technique = fields.String(validate=validate.Length(min=2, max=200))
    description = fields.String(validate=validate.Length(max=10000))
    specialties = fields.List(fields.String(validate=validate.Length(min=2, max=100)), validate=validate.Length(max=20))
    urls = fields.List(fields.Url(validate=validate.Length(max=500)), validate=validate.Length(max=10))


class DemoPatch(DemoIn):
    title = fields.String(validate=validate.Length(min=3, max=200))


class DemoLinkOut(Schema):
    training_id = fields.String()
    status = fields.String(validate=validate.OneOf([str(s) for s in LinkStatus]))
    requested_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class DemoOut(Schema):
    id = fields.String()
    sponsor_id = fields.String()
    company = fields.String(allow_none=True)
    title = fields.String()
    device = fields.String(allow_none=True)
    technique = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    specialties = fields.List(fields.String())
    urls = fields.List(fields.String())
    trainings = fields.List(fields.Nested(DemoLinkOut))
    created_at = fields.DateTime()


class DemoPage(Schema):
    items = fields.List(fields.Nested(DemoOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class DemoArgs(Schema):
    specialty = fields.String(validate=validate.Length(min=2, max=100))
    sponsor = fields.String(validate=validate.Length(min=1, max=100))
    training = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Shown at it."})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


class ShowAtIn(Schema):
    training_id = fields.String(required=True, validate=validate.Length(min=1, max=100))


class SponsorshipIn(Schema):
    seats = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))


class VoucherOut(Schema):
    code = fields.String()
    state = fields.String(
        validate=validate.OneOf(["available", "redeemed", "void"]),
        metadata={
            "description": "available (a cancelled booking gives its code back), redeemed, or void "
            "(the training was cancelled and the purchase refunded)."
        },
    )
    redeemed = fields.Boolean(metadata={"description": "Who redeemed it stays private to the trainee."})
    redeemed_at = fields.DateTime(allow_none=True)


class SponsorshipOut(Schema):
    id = fields.String()
    training_id = fields.String()
    seats = fields.Integer()
    amount = fields.Integer()
    currency = fields.String()
    status = fields.Enum(SponsorshipStatus, by_value=True)
    payment_status = fields.String(allow_none=True)
    payment_failure = fields.String(allow_none=True)
    created_at = fields.DateTime()
    paid_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True, metadata={"description": "When it was called off or refunded."})
    refunded_amount = fields.Integer(allow_none=True)
    vouchers = fields.List(fields.Nested(VoucherOut))
    status_url = fields.String()


class SponsorshipList(Schema):
    items = fields.List(fields.Nested(SponsorshipOut))


class SponsorshipPaymentOut(PaymentAnswer):
    sponsorship_id = fields.String()
