"""Schemas of the mentoring side: learning goals, recommendations, the experts' directory."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.assessments import MESSAGE_MAX, PRACTICE
from core.goals import LEVELS
from core.words import N_
from schemas.catalogue import COUNTRY, CURRENCIES, MAX_PRICE, PageArgs, TrainingOut
from schemas.http import LANGUAGE, ExpertPublicOut


class BudgetSchema(Schema):
    amount = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=MAX_PRICE),
        metadata={"description": "The most for one session, in minor units (cents) of `currency`."},
    )  # fmt: skip
    currency = fields.String(required=True, validate=validate.OneOf(CURRENCIES))


class GoalsIn(Schema):
    """What I want to learn; at least one specialty or technique, every other field optional."""

    specialties = fields.List(
        fields.String(validate=validate.Length(min=2, max=100)), load_default=list,
        validate=validate.Length(max=10), metadata={"example": ["interventional cardiology"]},
    )  # fmt: skip
    techniques = fields.List(
        fields.String(validate=validate.Length(min=2, max=200)), load_default=list,
        validate=validate.Length(max=20), metadata={"example": ["TAVI"]},
    )  # fmt: skip
    level = fields.String(
        validate=validate.OneOf(LEVELS), allow_none=True, load_default=None,
        metadata={"description": "Where I am: " + ", ".join(LEVELS) + "."},
    )  # fmt: skip
    languages = fields.List(
        LANGUAGE, load_default=list, validate=validate.Length(max=10),
        metadata={"description": "The languages I can follow a day in.", "example": ["fr", "en"]},
    )  # fmt: skip
    countries = fields.List(
        fields.String(validate=COUNTRY), load_default=list, validate=validate.Length(max=50),
        metadata={"description": "Where I would travel to train.", "example": ["FR", "BE"]},
    )  # fmt: skip
    budget = fields.Nested(BudgetSchema, allow_none=True, load_default=None)

    @validates_schema
    def _something_to_learn(self, data: dict[str, Any], **_: object) -> None:
        if not any(s.strip() for s in data.get("specialties", [])) and not any(
            t.strip() for t in data.get("techniques", [])
        ):
            raise ValidationError(N_("Name at least one technique or specialty."), "techniques")


class GoalsOut(Schema):
    specialties = fields.List(fields.String())
    techniques = fields.List(fields.String())
    level = fields.String(allow_none=True)
    languages = fields.List(fields.String())
    countries = fields.List(fields.String())
    budget = fields.Nested(BudgetSchema, allow_none=True)
    updated_at = fields.DateTime(allow_none=True, metadata={"description": "None until I set my goals."})


class RecommendationArgs(Schema):
    trainings = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))
    experts = fields.Integer(load_default=5, validate=validate.Range(min=0, max=20))


class TrainingBrief(Schema):
    """A training in a line: what, when, where."""

    id = fields.String()
    title = fields.String()
    technique = fields.String(allow_none=True)
    starts_at = fields.DateTime(allow_none=True)
    day = fields.String(allow_none=True, metadata={"description": "The local day at the venue."})
    city = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    seats_left = fields.Integer(allow_none=True)


class RecommendedTraining(Schema):
    training = fields.Nested(TrainingOut)
    score = fields.Integer(metadata={"description": "How well it fits my goals, 0 to 100."})
    reasons = fields.List(fields.String(), metadata={"example": ["TAVI is one of your goals", "Taught in French"]})


class RecommendedExpert(Schema):
    expert = fields.Nested(ExpertPublicOut)
    score = fields.Integer(metadata={"description": "How well they fit my goals, 0 to 100."})
    reasons = fields.List(fields.String())
    trainings = fields.List(fields.Nested(TrainingBrief), metadata={"description": "Their upcoming sessions that fit."})


class RecommendationsOut(Schema):
    goals_set = fields.Boolean(metadata={"description": "False: set goals first (PUT /api/v1/me/goals)."})
    trainings = fields.List(fields.Nested(RecommendedTraining))
    experts = fields.List(fields.Nested(RecommendedExpert))


class ExpertsArgs(PageArgs):
    """Every filter optional; they combine (AND)."""

    specialty = fields.String(validate=validate.Length(min=2, max=100))
    technique = fields.String(
        validate=validate.Length(min=2, max=200), metadata={"description": "Taught in one of their upcoming trainings."}
    )
    country = fields.String(validate=COUNTRY)
    language = LANGUAGE
    q = fields.String(
        validate=validate.Length(min=2, max=200), metadata={"description": "Words of the name, institution or bio."}
    )


class ExpertListed(ExpertPublicOut):
    upcoming = fields.List(fields.Nested(TrainingBrief), metadata={"description": "Their upcoming trainings."})


class ExpertsPage(Schema):
    items = fields.List(fields.Nested(ExpertListed))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class CompetencyIn(Schema):
    name = fields.String(
        required=True, validate=validate.Length(min=2, max=200), metadata={"example": "Femoral access"}
    )
    level = fields.String(
        required=True, validate=validate.OneOf(PRACTICE),
        metadata={"description": "From watching to doing alone: " + ", ".join(PRACTICE) + "."},
    )  # fmt: skip


class AssessmentIn(Schema):
    """The whole assessment: a PUT replaces the one before."""

    competencies = fields.List(fields.Nested(CompetencyIn), required=True, validate=validate.Length(min=1, max=30))
    comment = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    next_step = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))

    @validates_schema
    def _each_once_and_said(self, data: dict[str, Any], **_: object) -> None:
        names = [c["name"].strip().casefold() for c in data.get("competencies", [])]
        if len(names) != len(set(names)):
            raise ValidationError(N_("Each competency once."), "competencies")
        if not data.get("comment", "").strip():
            raise ValidationError(N_("Say something about the day."), "comment")


class CompetencyOut(Schema):
    name = fields.String()
    level = fields.String()


class AssessmentOut(Schema):
    booking_id = fields.String()
    training_id = fields.String()
    trainee_id = fields.String()
    expert_id = fields.String()
    training_title = fields.String()
    expert_name = fields.String()
    competencies = fields.List(fields.Nested(CompetencyOut))
    comment = fields.String()
    next_step = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    revision = fields.Integer(metadata={"description": "1, then one more each time the expert revises it."})


class PortfolioCertificate(Schema):
    id = fields.String()
    code = fields.String(metadata={"description": "Anyone can check it at verify_url."})
    verify_url = fields.String()
    pdf_url = fields.String()


class PortfolioEntryOut(Schema):
    booking_id = fields.String()
    training_id = fields.String()
    title = fields.String()
    day = fields.String(allow_none=True, metadata={"description": "The local day; null until the certificate."})
    specialty = fields.String(allow_none=True)
    technique = fields.String(allow_none=True)
    expert_name = fields.String()
    institution = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    hours = fields.Float(allow_none=True)
    cme_credits = fields.Float(allow_none=True)
    certificate = fields.Nested(PortfolioCertificate, allow_none=True)
    assessment = fields.Nested(AssessmentOut, allow_none=True)


class PortfolioOut(Schema):
    credits_total = fields.Float(metadata={"description": "CME credits proven by certificates."})
    credits_by_year = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={"example": {"2026": 14}})
    credits_by_specialty = fields.Dict(keys=fields.String(), values=fields.Float())
    hours_total = fields.Float()
    entries = fields.List(fields.Nested(PortfolioEntryOut), metadata={"description": "The latest day first."})


class MessageIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=MESSAGE_MAX),
                         metadata={"description": "Plain text, shown as typed."})  # fmt: skip


class MessageOut(Schema):
    id = fields.String()
    booking_id = fields.String()
    author_id = fields.String()
    by = fields.String(metadata={"description": "trainee or expert"})
    text = fields.String(allow_none=True, metadata={"description": "None once an admin hid it (see hidden_reason)."})
    created_at = fields.DateTime()
    hidden = fields.Boolean()
    hidden_reason = fields.String(allow_none=True)
    reported = fields.Boolean(metadata={"description": "Whether I reported it."})


class ReportedMessageOut(MessageOut):
    """What the moderation desk shows: the words, and every report."""

    training_id = fields.String()
    reports = fields.List(fields.Dict())


class ReportedMessagePage(Schema):
    items = fields.List(fields.Nested(ReportedMessageOut))
    total = fields.Integer()


class ThreadArgs(PageArgs):
    pass


class ThreadOut(Schema):
    items = fields.List(fields.Nested(MessageOut), metadata={"description": "Oldest first."})
    total = fields.Integer()
    open = fields.Boolean(metadata={"description": "Whether either side may write now."})
    opens_at = fields.DateTime(metadata={"description": "The end of the day."})
    closes_at = fields.DateTime(metadata={"description": "The end of the period the expert set."})


class AlertFilters(Schema):
    """The catalogue's filters (GET /api/v1/trainings) that an alert keeps; at least one."""

    q = fields.String(validate=validate.Length(min=2, max=200), metadata={"description": "Words of the title..."})
    specialty = fields.String(validate=validate.Length(min=2, max=100))
    technique = fields.String(validate=validate.Length(min=2, max=200))
    city = fields.String(validate=validate.Length(min=1, max=100))
    country = fields.String(validate=COUNTRY)
    language = LANGUAGE
    price_max = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=MAX_PRICE),
        metadata={"description": "At most this, in minor units of `currency`, which is then required."},
    )  # fmt: skip
    currency = fields.String(validate=validate.OneOf(CURRENCIES))
    free_seats = fields.Boolean(metadata={"description": "Only while a seat is left."})

    @validates_schema(skip_on_field_errors=False)
    def _something_and_a_currency(self, data: dict[str, Any], **_: object) -> None:
        if data.get("price_max") is not None and not data.get("currency"):
            raise ValidationError(N_("Required with price_max: prices compare within one currency."), "currency")
        if not any(data.get(k) for k in ("q", "specialty", "technique", "city", "country", "language")):
            raise ValidationError(
                N_("Name at least one of q, specialty, technique, city, country, language."), "_schema"
            )


class AlertIn(Schema):
    filters = fields.Nested(AlertFilters, required=True)
    delivery = fields.String(
        load_default="instant", validate=validate.OneOf(("instant", "daily")),
        metadata={"description": "instant: each match at once; daily: one digest a day."},
    )  # fmt: skip
    name = fields.String(validate=validate.Length(max=100), metadata={"example": "TAVI near Paris"})


class AlertOut(Schema):
    id = fields.String()
    name = fields.String()
    filters = fields.Dict()
    delivery = fields.String()
    created_at = fields.DateTime()


class AlertList(Schema):
    items = fields.List(fields.Nested(AlertOut))
