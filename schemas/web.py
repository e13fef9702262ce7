"""The web pages' forms: what people type (whole currency units, calendar days), checked like the API's."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from core.words import N_
from schemas.catalogue import COUNTRY, CURRENCIES, require_currency_with_prices
from schemas.http import LANGUAGE
from schemas.mentoring import GoalsIn

SORTS = {
    "date": N_("Soonest first"),
    "-date": N_("Latest first"),
    "price": N_("Cheapest first"),
    "-price": N_("Dearest first"),
    "rating": N_("Best rated"),
}
PAGE_SIZE = 12


class CatalogueForm(Schema):
    """The catalogue's search form (GET), every field optional."""

    class Meta:
        unknown = EXCLUDE  # a shared link with an extra parameter still works

    q = fields.String(validate=validate.Length(max=200))
    specialty = fields.String(validate=validate.Length(max=100))
    city = fields.String(validate=validate.Length(max=100))
    country = fields.String(validate=COUNTRY)
    language = LANGUAGE
    date_from = fields.Date(error_messages={"invalid": N_("A date, e.g. 2027-03-01.")})
    date_to = fields.Date(error_messages={"invalid": N_("A date, e.g. 2027-03-31.")})
    price_max = fields.Integer(
        validate=validate.Range(min=0, error=N_("Must be 0 or more.")),
        error_messages={"invalid": N_("A whole amount, e.g. 500.")},
    )
    currency = fields.String(validate=validate.OneOf(CURRENCIES, error=N_("Choose a currency from the list.")))
    free_seats = fields.Boolean(load_default=False)
    verified_only = fields.Boolean(load_default=False)
    sort = fields.String(load_default="date", validate=validate.OneOf(list(SORTS)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=500))

    @pre_load
    def _drop_blanks(self, data: Any, **_: Any) -> dict[str, Any]:
        """A form sends every field; an empty one means "any"."""
        return {k: v.strip() for k, v in data.items() if isinstance(v, str) and v.strip()}

    @validates_schema(skip_on_field_errors=False)  # every mistake at once, not one per submit
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError(N_("Must not be before the first day."), "date_to")

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _one_currency(self, _: dict[str, Any], original: Any, **__: Any) -> None:
        require_currency_with_prices(
            original, N_("Choose a currency for this price: prices are compared within one currency.")
        )

    @post_load
    def _filters(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """The catalogue service's filters: minor units, UTC instants, a page window."""
        filters: dict[str, Any] = {k: v for k, v in data.items() if v not in ("", None)}
        if "q" in filters and len(filters["q"].strip()) < 2:
            filters.pop("q")
        if "price_max" in filters:
            filters["price_max"] *= 100
        if "date_from" in filters:
            filters["date_from"] = datetime.combine(filters["date_from"], time.min, tzinfo=UTC)
        if "date_to" in filters:
            filters["date_to"] = datetime.combine(filters["date_to"], time.max, tzinfo=UTC)
        page = filters.pop("page", 1)
        filters.update(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return filters


def _listed(text: str) -> list[str]:
    """'TAVI, MitraClip' -> ['TAVI', 'MitraClip']: what a person types in one field, as a list."""
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class GoalsForm(Schema):
    """The learning-goals form: lists typed comma-separated, the budget in whole units; loads as ``GoalsIn``."""

    class Meta:
        unknown = EXCLUDE

    specialties = fields.String(load_default="", validate=validate.Length(max=1000))
    techniques = fields.String(load_default="", validate=validate.Length(max=2000))
    level = fields.String(load_default="")
    languages = fields.String(load_default="", validate=validate.Length(max=100))
    countries = fields.String(load_default="", validate=validate.Length(max=300))
    budget = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=100_000, error=N_("0 to 100,000.")),
        error_messages={"invalid": N_("A whole amount, e.g. 1500.")},
    )  # fmt: skip
    currency = fields.String(load_default="eur", validate=validate.OneOf(CURRENCIES, error=N_("Choose from the list.")))

    @pre_load
    def _blank_budget(self, data: Any, **_: object) -> Any:
        return {k: v for k, v in data.items() if not (k == "budget" and not str(v).strip())}

    @post_load
    def _as_goals(self, data: dict[str, Any], **_: object) -> dict[str, Any]:
        body: dict[str, Any] = {k: _listed(data[k]) for k in ("specialties", "techniques", "languages")}
        body["countries"] = [c.upper() for c in _listed(data["countries"])]
        body["languages"] = [lang.lower() for lang in body["languages"]]
        body["level"] = data["level"] or None
        if data.get("budget") is not None:
            body["budget"] = {"amount": data["budget"] * 100, "currency": data["currency"]}
        loaded: dict[str, Any] = GoalsIn().load(body)
        return loaded


class ReconcileForm(Schema):
    """The reconciliation's period (GET), in UTC to the minute or second, ``to`` excluded; as the
    ``reconcile`` command, the 24 hours before ``to`` (default now) when ``from`` is blank."""

    class Meta:
        unknown = EXCLUDE

    from_ = fields.NaiveDateTime(
        data_key="from", error_messages={"invalid": N_("A UTC date and time, e.g. 2027-03-01T08:00.")}
    )
    to = fields.NaiveDateTime(error_messages={"invalid": N_("A UTC date and time, e.g. 2027-03-02T08:00.")})

    @pre_load
    def _drop_blanks(self, data: Any, **_: Any) -> dict[str, Any]:
        return {k: v.strip() for k, v in data.items() if isinstance(v, str) and v.strip()}

    @post_load
    def _bounds(self, data: dict[str, Any], **_: Any) -> dict[str, datetime]:
        end = data["to"].replace(tzinfo=UTC) if data.get("to") else datetime.now(UTC)
        start = data["from_"].replace(tzinfo=UTC) if data.get("from_") else end - timedelta(days=1)
        return {"start": start, "end": end}
