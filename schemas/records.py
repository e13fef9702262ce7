"""HTTP bodies of certificates of attendance and of reviews."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from core.words import N_
from schemas.catalogue import PageArgs

# The bounds are written out in the messages, so the review form finds them in the catalogue.
RATING = validate.Range(min=1, max=5, error=N_("Must be a whole number from 1 to 5."))
TEXT = validate.Length(min=10, max=5000, error=N_("Must be between 10 and 5000 characters."))


class CertificateOut(Schema):
    id = fields.String()
    booking_id = fields.String()
    training_id = fields.String()
    trainee_name = fields.String()
    expert_name = fields.String()
    expert_title = fields.String(allow_none=True)
    institution = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    training_title = fields.String()
    specialty = fields.String(allow_none=True)
    technique = fields.String(allow_none=True)
    day = fields.String(metadata={"description": "The training's day at the venue (ISO date)."})
    starts_local = fields.String()
    ends_local = fields.String()
    timezone = fields.String(allow_none=True)
    hours = fields.Float()
    cme_credits = fields.Float(allow_none=True)
    issued_at = fields.DateTime()
    code = fields.String(metadata={"description": "The verification code printed on the certificate."})
    verify_url = fields.String(metadata={"description": "The public page that checks the code."})
    pdf_url = fields.String()


class CertificateList(Schema):
    items = fields.List(fields.Nested(CertificateOut))


class PublicCertificateOut(Schema):
    """What a verifier sees: what was certified, not the accounts behind it."""

    trainee_name = fields.String()
    expert_name = fields.String()
    institution = fields.String(allow_none=True)
    training_title = fields.String()
    technique = fields.String(allow_none=True)
    day = fields.String()
    hours = fields.Float()
    cme_credits = fields.Float(allow_none=True)
    issued_at = fields.DateTime()
    code = fields.String()


class VerificationOut(Schema):
    valid = fields.Boolean()
    reason = fields.String()
    certificate = fields.Nested(PublicCertificateOut, allow_none=True)


class ReviewIn(Schema):
    rating = fields.Integer(required=True, strict=True, validate=RATING)
    text = fields.String(required=True, validate=TEXT)


class ReviewPatch(Schema):
    rating = fields.Integer(strict=True, validate=RATING)
    text = fields.String(validate=TEXT)

    @validates_schema
    def _something(self, data: dict, **_: object) -> None:
        if not data:
            raise SchemaError("Give a rating, a text or both.", "_schema")


class AnswerIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=2, max=5000))


class ReviewOut(Schema):
    id = fields.String()
    training_id = fields.String()
    expert_id = fields.String()
    author_name = fields.String(metadata={"description": "First name and initial of the trainee."})
    rating = fields.Integer()
    text = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    editable_until = fields.DateTime()
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)


class ReviewPage(Schema):
    items = fields.List(fields.Nested(ReviewOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()
    rating_average = fields.Float(allow_none=True)
    rating_count = fields.Integer()


ReviewArgs = PageArgs
