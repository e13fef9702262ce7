"""HTTP bodies of the money side: payout reports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from marshmallow import Schema, fields, post_load, validates_schema
from marshmallow import ValidationError as SchemaError

from core.words import N_


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


class PeriodArgs(Schema):
    """A reporting period in whole UTC days: ``from`` included, ``to`` excluded; this month by default."""

    from_ = fields.Date(data_key="from", metadata={"description": "First day (UTC), default the 1st of this month."})
    to = fields.Date(metadata={"description": "Day after the last (UTC), default the 1st of next month."})

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_") and data.get("to") and data["to"] <= data["from_"]:
            raise SchemaError(N_("Must be after 'from'."), field_name="to")

    @post_load
    def _bounds(self, data: dict[str, Any], **_: Any) -> dict[str, datetime]:
        start = data.get("from_") or _month_start(datetime.now(UTC).date())
        end = data.get("to") or _next_month(start)
        if end <= start:
            raise SchemaError(N_("Must be after 'from'."), field_name="to")
        return {
            "start": datetime(start.year, start.month, start.day, tzinfo=UTC),
            "end": datetime(end.year, end.month, end.day, tzinfo=UTC),
        }


class PayoutLineOut(Schema):
    """An expert's totals in one currency, in minor units."""

    currency = fields.String()
    charges = fields.Integer(metadata={"description": "Number of payments"})
    refunds = fields.Integer(metadata={"description": "Number of refunds"})
    gross = fields.Integer(metadata={"description": "Money received minus money refunded"})
    service_fees = fields.Integer(metadata={"description": "Trainees' service fees (the platform's)"})
    platform_fees = fields.Integer(metadata={"description": "The platform's commission on the prices"})
    owed = fields.Integer(metadata={"description": "What the platform pays out to the expert"})


class LedgerEntryOut(Schema):
    """One payment or refund behind the totals."""

    id = fields.String()
    kind = fields.String()
    payer = fields.String(metadata={"description": "booking or sponsorship"})
    reference = fields.String(metadata={"description": "The booking or sponsorship id"})
    training_id = fields.String()
    currency = fields.String()
    gross = fields.Integer()
    service_fee = fields.Integer()
    platform_fee = fields.Integer()
    expert_amount = fields.Integer()
    payment_intent_id = fields.String()
    refund_id = fields.String(allow_none=True)
    at = fields.DateTime()


class PayoutReportOut(Schema):
    """An expert's payout for a period."""

    start = fields.DateTime(data_key="from")
    end = fields.DateTime(data_key="to")
    totals = fields.List(fields.Nested(PayoutLineOut))
    entries = fields.List(fields.Nested(LedgerEntryOut))
