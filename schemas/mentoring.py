"""Schemas of the mentoring side: learning goals, recommendations, the experts' directory."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.goals import LEVELS
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
            raise ValidationError("Name at least one technique or specialty.", "techniques")


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
