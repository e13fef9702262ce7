"""Schemas of the account's own controls: password reset and change, address verification,
sessions, export and closing."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

# The registration's rule, once: every new password obeys it, however it is set.
PASSWORD = validate.Length(min=10, max=200)
TOKEN = validate.Length(min=1, max=500)


class PasswordResetIn(Schema):
    email = fields.Email(required=True)


class AcceptedOut(Schema):
    message = fields.String(metadata={"example": "If an account has this address, a link to reset its password "
                                                 "is on its way. It works once, within an hour."})  # fmt: skip


class PasswordResetConfirmIn(Schema):
    token = fields.String(required=True, validate=TOKEN, metadata={"description": "From the e-mailed link."})
    password = fields.String(required=True, load_only=True, validate=PASSWORD)


class VerifyEmailIn(Schema):
    token = fields.String(required=True, validate=TOKEN, metadata={"description": "From the e-mailed link."})


class PasswordChangeIn(Schema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, load_only=True, validate=PASSWORD)


class PasswordChangedOut(Schema):
    sessions_ended = fields.Integer(metadata={"description": "The other sessions that were signed out."})


class SessionOut(Schema):
    id = fields.String(metadata={"description": "Opaque: neither the token nor its hash."})
    created_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime()
    client = fields.String(allow_none=True, metadata={"description": "The address that signed in."})
    user_agent = fields.String(allow_none=True)
    current = fields.Boolean(metadata={"description": "The session this request came with."})


class SessionList(Schema):
    items = fields.List(fields.Nested(SessionOut))


class CloseAccountIn(Schema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class AccountClosedOut(Schema):
    closed = fields.Boolean()
    bookings_cancelled = fields.Integer(metadata={"description": "Open bookings cancelled under their terms."})
