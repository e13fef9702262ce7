"""Schemas of trainings (the catalogue) and of catalogue search."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.goals import LEVELS
from core.model import TrainingStatus
from core.words import N_
from schemas.http import LANGUAGE, MAX_OFFSET, ExpertPublicOut
from schemas.pictures import PictureOut

CURRENCIES = ("eur", "usd", "gbp", "chf", "inr")
COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error=N_("An ISO 3166-1 alpha-2 code, e.g. FR."))
MAX_PRICE = 10_000_000  # minor units: 100,000.00 in any currency
HHMM = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="A time of day, HH:MM.")


def _timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("Unknown time zone; use an IANA name such as Europe/Paris.") from exc


def require_currency_with_prices(original: Mapping[str, Any], message: str) -> None:
    """Prices of different currencies do not compare: a price bound needs the ``currency`` it is in.

    Read from what was sent (blank means absent), so a mistyped bound or currency gets this
    message too, or only its own.
    """

    def given(name: str) -> bool:
        return bool(str(original.get(name) or "").strip())

    if (given("price_min") or given("price_max")) and not given("currency"):
        raise ValidationError(message, "currency")


class VenueSchema(Schema):
    institution = fields.String(validate=validate.Length(min=2, max=200))
    address = fields.String(validate=validate.Length(min=2, max=300))
    city = fields.String(validate=validate.Length(min=1, max=100))
    postal_code = fields.String(validate=validate.Length(min=1, max=20))
    country = fields.String(validate=COUNTRY)


class VenueOut(Schema):
    """A draft's venue may still be incomplete."""

    institution = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    country = fields.String(allow_none=True)


class ProgrammeStep(Schema):
    start = fields.String(required=True, validate=HHMM)
    end = fields.String(required=True, validate=HHMM)
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    description = fields.String(validate=validate.Length(max=2000))


class TrainingIn(Schema):
    """A draft may be incomplete: only the title is required until publication."""

    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    specialty = fields.String(validate=validate.Length(min=2, max=100), metadata={"example": "cardiology"})
    technique = fields.String(validate=validate.Length(min=2, max=200), metadata={"example": "TAVI"})
    description = fields.String(validate=validate.Length(max=10000))
    programme = fields.List(fields.Nested(ProgrammeStep), validate=validate.Length(max=40))
    languages = fields.List(LANGUAGE, validate=validate.Length(max=10))
    venue = fields.Nested(VenueSchema)
    starts_at = fields.AwareDateTime(metadata={"description": "ISO-8601 with offset"})
    ends_at = fields.AwareDateTime()
    timezone = fields.String(validate=_timezone, metadata={"example": "Europe/Paris"})
    capacity = fields.Integer(strict=True, validate=validate.Range(min=1, max=1000))
    price = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=MAX_PRICE), metadata={"description": "Minor units (cents)."}
    )
    currency = fields.String(validate=validate.OneOf(CURRENCIES))
    cme_credits = fields.Float(validate=validate.Range(min=0, max=24))
    prerequisites = fields.List(
        fields.String(validate=validate.Length(min=2, max=300)), validate=validate.Length(max=20)
    )
    levels = fields.List(
        fields.String(validate=validate.OneOf(LEVELS)),
        validate=validate.Length(max=len(LEVELS)),
        metadata={"description": "Who the day is for (empty: any level).", "example": ["fellow", "specialist"]},
    )
    follow_up_days = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=365),
        metadata={"description": "How long after the day trainees who attended may write to the expert (default 90)."},
    )  # fmt: skip
    requires_approval = fields.Boolean(metadata={"description": "The expert approves each trainee."})
    refund_full_days_before = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=365),
        metadata={"description": "Full refund when cancelled at least this many days before; none after."},
    )
    hold_minutes = fields.Integer(strict=True, validate=validate.Range(min=5, max=7 * 24 * 60))
    approval_hours = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=14 * 24),
        metadata={"description": "With requires_approval: how long a seat waits for the expert's decision."},
    )

    @validates_schema(skip_on_field_errors=False)
    def _ends_after_start(self, data: dict, **_: object) -> None:
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError("Must be after starts_at.", "ends_at")


class TrainingPatch(TrainingIn):
    """Any subset of a training's fields; a partial ``venue`` changes only what it names."""

    title = fields.String(validate=validate.Length(min=3, max=200))


class TrainingOut(Schema):
    id = fields.String()
    expert_id = fields.String()
    expert = fields.Nested(ExpertPublicOut, allow_none=True)
    title = fields.String()
    status = fields.Enum(TrainingStatus, by_value=True)
    specialty = fields.String(allow_none=True)
    technique = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    programme = fields.List(fields.Nested(ProgrammeStep))
    languages = fields.List(fields.String())
    venue = fields.Nested(VenueOut, allow_none=True)
    starts_at = fields.DateTime(allow_none=True)
    ends_at = fields.DateTime(allow_none=True)
    timezone = fields.String(allow_none=True)
    day = fields.String(allow_none=True, metadata={"description": "The local day at the venue."})
    capacity = fields.Integer(allow_none=True)
    seats_left = fields.Integer(allow_none=True)
    price = fields.Integer(allow_none=True)
    currency = fields.String(allow_none=True)
    cme_credits = fields.Float(allow_none=True)
    rating_average = fields.Float(allow_none=True, metadata={"description": "Average review rating, 1 to 5."})
    rating_count = fields.Integer(metadata={"description": "How many reviews."})
    prerequisites = fields.List(fields.String())
    levels = fields.List(fields.String())
    follow_up_days = fields.Integer()
    requires_approval = fields.Boolean()
    refund_full_days_before = fields.Integer()
    hold_minutes = fields.Integer()
    approval_hours = fields.Integer()
    cancellation_reason = fields.String(allow_none=True)
    duplicated_from = fields.String(allow_none=True)
    photos = fields.List(fields.Nested(PictureOut), metadata={"description": "In order; the first is the card's."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class TrainingPage(Schema):
    items = fields.List(fields.Nested(TrainingOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class PageArgs(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


class SearchArgs(PageArgs):
    """Every filter is optional and they combine (AND)."""

    q = fields.String(
        validate=validate.Length(min=2, max=200),
        metadata={"description": "Words of the title, technique, specialty or description."},
    )
    specialty = fields.String(validate=validate.Length(min=2, max=100))
    technique = fields.String(validate=validate.Length(min=2, max=200))
    city = fields.String(validate=validate.Length(min=1, max=100))
    country = fields.String(validate=COUNTRY)
    language = LANGUAGE
    date_from = fields.AwareDateTime(metadata={"description": "Default: now (upcoming trainings)."})
    date_to = fields.AwareDateTime()
    price_min = fields.Integer(
        validate=validate.Range(min=0, max=MAX_PRICE),
        metadata={"description": "At least this, in minor units (cents) of `currency`, which is then required."},
    )
    price_max = fields.Integer(
        validate=validate.Range(min=0, max=MAX_PRICE),
        metadata={"description": "At most this, in minor units (cents) of `currency`, which is then required."},
    )
    currency = fields.String(
        validate=validate.OneOf(CURRENCIES),
        metadata={
            "description": "Only trainings in this currency. Required with price_min or price_max: "
            "prices are compared within one currency."
        },
    )
    free_seats = fields.Boolean(load_default=False, metadata={"description": "Only trainings with a seat left."})
    sponsor = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "A sponsor's id."})
    verified_only = fields.Boolean(load_default=False)
    min_rating = fields.Float(
        validate=validate.Range(min=1, max=5), metadata={"description": "Only trainings rated at least this."}
    )
    sort = fields.String(
        load_default="date",
        validate=validate.OneOf(["date", "-date", "price", "-price", "rating"]),
        metadata={
            "description": "date, -date: by start. price, -price: by price within one currency; without a "
            "currency filter, grouped by currency first (alphabetically), then by price. rating: best rated "
            "first (then the most reviewed), unrated last. The id breaks ties."
        },
    )

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _one_currency(self, _: dict, original: Mapping[str, Any], **__: object) -> None:
        require_currency_with_prices(
            original, "Required with price_min or price_max: prices are compared within one currency."
        )

    @validates_schema(skip_on_field_errors=False)
    def _ranges(self, data: dict, **_: object) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError("Must not be before date_from.", "date_to")
        if (
            data.get("price_min") is not None
            and data.get("price_max") is not None
            and data["price_max"] < data["price_min"]
        ):
            raise ValidationError("Must not be below price_min.", "price_max")


class CancelIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=5, max=2000))


class DuplicateIn(Schema):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(metadata={"description": "Default: same length as the original."})
