"""Schemas of HTTP request and response bodies; they are also the OpenAPI document's."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.model import UI_LANGUAGES, BookingStatus, Role, Verification
from core.services.accounts import SELF_SERVICE_ROLES
from core.words import N_
from schemas.pictures import PictureOut

CURRENCIES = ("eur", "usd", "gbp", "chf", "inr")
# Deeper pages are refused: a database skips every row before them, and no listing is that long.
MAX_OFFSET = 100_000


class ErrorSchema(Schema):
    """The one error format of every 4xx and 5xx answer."""

    code = fields.String(required=True, metadata={"example": "validation_error"})
    status = fields.Integer(required=True, metadata={"example": 422})
    message = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "Field name -> list of problems."})


LANGUAGE = fields.String(validate=validate.Regexp(r"^[a-z]{2}$", error=N_("An ISO 639-1 code, e.g. fr.")))


class ProfileIn(Schema):
    """Profile fields; each role may set only its own (see ``GET /api/v1/me``)."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    specialty = fields.String(validate=validate.Length(min=2, max=100))
    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$", error="An ISO 3166-1 alpha-2 code, e.g. FR."))
    languages = fields.List(LANGUAGE, validate=validate.Length(max=20))
    institution = fields.String(validate=validate.Length(min=2, max=200))
    title = fields.String(validate=validate.Length(min=2, max=200))
    bio = fields.String(validate=validate.Length(max=5000))
    company = fields.String(validate=validate.Length(min=2, max=200))
    locale = fields.String(
        validate=validate.OneOf(UI_LANGUAGES, error="One of: " + ", ".join(UI_LANGUAGES) + "."),
        metadata={"description": "The language of my pages, e-mails and certificates."},
    )


class RegisterIn(ProfileIn):
    email = fields.Email(required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10, max=200))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(
        required=True,
        validate=validate.OneOf([str(r) for r in SELF_SERVICE_ROLES]),
        metadata={"description": "trainee, expert or sponsor"},
    )


class CredentialIn(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["medical_license", "board_certification", "hospital_appointment", "diploma", "other"]),
    )
    number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    issuer = fields.String(required=True, validate=validate.Length(min=2, max=200))
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166-1 alpha-2."))
    url = fields.Url(validate=validate.Length(max=500))
    valid_until = fields.Date()


class CredentialsIn(Schema):
    credentials = fields.List(fields.Nested(CredentialIn), required=True, validate=validate.Length(min=1, max=20))


class RejectIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=5, max=2000))


class UserOut(Schema):
    """The signed-in user's own account."""

    id = fields.String()
    email = fields.Email()
    name = fields.String()
    role = fields.Enum(Role, by_value=True)
    specialty = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    languages = fields.List(fields.String())
    institution = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    bio = fields.String(allow_none=True)
    company = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    verification = fields.Enum(Verification, by_value=True)
    verification_reason = fields.String(allow_none=True)
    verified = fields.Boolean()
    email_verified_at = fields.DateTime(
        allow_none=True, metadata={"description": "When the e-mailed link confirmed the address (null: not yet)."}
    )
    former_roles = fields.List(
        fields.String(), metadata={"description": "e.g. trainee, for an expert who trained here first."}
    )
    portrait = fields.Nested(PictureOut, allow_none=True, metadata={"description": "Experts: PUT /me/portrait."})


class ExpertApplicationIn(CredentialsIn):
    """What an admin checks before a trainee may teach: credentials, and the profile trainees will read."""

    institution = fields.String(required=True, validate=validate.Length(min=2, max=200))
    specialty = fields.String(required=True, validate=validate.Length(min=2, max=100))
    title = fields.String(validate=validate.Length(min=2, max=200))
    bio = fields.String(validate=validate.Length(max=5000))


class ExpertAdminOut(UserOut):
    """What an admin sees to decide: the profile and the credentials."""

    credentials = fields.List(fields.Dict())
    verified_at = fields.DateTime(allow_none=True)


class ExpertAdminPage(Schema):
    items = fields.List(fields.Nested(ExpertAdminOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class ExpertQueueArgs(Schema):
    status = fields.Enum(Verification, by_value=True, load_default=Verification.PENDING)
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


class ExpertPublicOut(Schema):
    """An expert as anyone sees them, with the verified badge."""

    id = fields.String()
    name = fields.String()
    title = fields.String(allow_none=True)
    institution = fields.String(allow_none=True)
    specialty = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    languages = fields.List(fields.String())
    bio = fields.String(allow_none=True)
    verified = fields.Boolean()
    rating_average = fields.Float(allow_none=True, metadata={"description": "Average over all their trainings."})
    rating_count = fields.Integer()
    portrait = fields.Nested(PictureOut, allow_none=True)


class LogoutQuery(Schema):
    everywhere = fields.Boolean(
        load_default=False, metadata={"description": "Revoke every token of the account, not only this one."}
    )


class LogoutOut(Schema):
    revoked = fields.Integer(metadata={"description": "How many tokens were revoked."})


class LoginIn(Schema):
    email = fields.Email(required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class TokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"example": "Bearer"})
    expires_in = fields.Integer(metadata={"description": "Seconds until the token expires."})
    user = fields.Nested(UserOut)


class StepOut(Schema):
    step = fields.String()
    at = fields.DateTime()
    event_id = fields.String()


class PaymentStateOut(Schema):
    intent_id = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    refund_id = fields.String(allow_none=True)
    refunded_amount = fields.Integer(allow_none=True)
    failure = fields.String(allow_none=True, metadata={"description": "Why the last attempt was declined."})
    failure_code = fields.String(allow_none=True)
    attempt = fields.Integer(allow_none=True, metadata={"description": "Payment attempt: one PaymentIntent each."})


class RefundTermsOut(Schema):
    full_refund_days_before = fields.Integer(
        metadata={
            "description": "The price is refunded in full up to this many days before the start; "
            "nothing after; the service fee never."
        }
    )
    summary = fields.Function(lambda terms: terms.summary())


class BookingOut(Schema):
    id = fields.String()
    training_id = fields.String()
    trainee_id = fields.String()
    status = fields.Enum(BookingStatus, by_value=True)
    amount = fields.Integer(metadata={"description": "What the trainee pays: the price plus the service fee."})
    service_fee = fields.Integer(metadata={"description": "The part of amount that is never refunded."})
    currency = fields.String()
    requested_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    waitlist_position = fields.Integer(allow_none=True)
    rejection_reason = fields.String(allow_none=True)
    voucher_code = fields.String(allow_none=True)
    cancellation_reason = fields.String(allow_none=True)
    closing_reason = fields.String(allow_none=True, metadata={"description": "Why a booking was closed."})
    refund_terms = fields.Nested(
        RefundTermsOut,
        allow_none=True,
        metadata={"description": "The terms the seat was sold under; later changes to the training leave them."},
    )
    refund_amount = fields.Integer(allow_none=True)
    attendance = fields.String(allow_none=True, metadata={"description": "present or absent, on the day"})
    sponsored_by = fields.Dict(
        allow_none=True, metadata={"description": "Who paid for a sponsored seat: sponsor_id, company, sponsorship_id."}
    )
    payment = fields.Nested(PaymentStateOut)
    history = fields.List(fields.Nested(StepOut))


class BookingIn(Schema):
    voucher_code = fields.String(
        validate=validate.Length(min=4, max=40),
        metadata={"description": "A sponsor's voucher: the seat is free, and the booking shows who paid."},
    )


class BookingAccepted(Schema):
    booking = fields.Nested(BookingOut)
    status_url = fields.String()


class TraineeProfileOut(Schema):
    """What an expert sees of a trainee who asks to join: the profile, no contact details."""

    id = fields.String()
    name = fields.String()
    specialty = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    languages = fields.List(fields.String())


class ApprovalRequestOut(Schema):
    booking = fields.Nested(lambda: BookingOut())
    trainee = fields.Nested(TraineeProfileOut, allow_none=True)


class ApprovalList(Schema):
    items = fields.List(fields.Nested(ApprovalRequestOut))


class DecisionIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=5, max=2000))


class BookingList(Schema):
    items = fields.List(fields.Nested(BookingOut))


class PaymentIn(Schema):
    payment_method = fields.String(
        validate=validate.Regexp(r"^pm_[A-Za-z0-9_]+$", error="Must be a Stripe PaymentMethod id (pm_...)."),
        metadata={
            "description": "Optional: confirm on the server with this PaymentMethod "
            "(from Stripe.js, or a test id such as pm_card_visa)."
        },
    )


class PaymentAnswer(Schema):
    """What a payer needs to pay: the PaymentIntent and, for Stripe.js, its client secret."""

    payment_intent_id = fields.String()
    client_secret = fields.String(allow_none=True)
    publishable_key = fields.String()
    amount = fields.Integer()
    currency = fields.String()
    status = fields.String(allow_none=True)
    submitted = fields.Boolean(metadata={"description": "True when the server confirms it."})


class PaymentOut(PaymentAnswer):
    booking_id = fields.String()


class WebhookOut(Schema):
    received = fields.Boolean()
    outcome = fields.String()


class OutboxBacklogOut(Schema):
    events = fields.Integer(metadata={"description": "Events stored with their change, not yet on the broker."})
    oldest_age_seconds = fields.Float(metadata={"description": "How long the oldest of them has waited."})


class HealthOut(Schema):
    status = fields.String(metadata={"example": "ok"})
    broker = fields.Boolean()
    database = fields.Boolean()
    outbox = fields.Nested(OutboxBacklogOut, allow_none=True)


class AttendanceIn(Schema):
    present = fields.Boolean(required=True, truthy={True}, falsy={False})


class RollCallEntryOut(Schema):
    booking = fields.Nested(lambda: BookingOut())
    trainee = fields.Nested(TraineeProfileOut, allow_none=True)


class RollCallOut(Schema):
    training_id = fields.String()
    opens_at = fields.DateTime(metadata={"description": "The start of the training's day at the venue"})
    items = fields.List(fields.Nested(RollCallEntryOut))
