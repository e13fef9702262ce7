"""HTTP bodies of the inbox and of each person's notification preferences."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class NotificationOut(Schema):
    id = fields.String(attribute="_id")
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    link = fields.String(allow_none=True)
    read = fields.Boolean()
    created_at = fields.DateTime()


class NotificationList(Schema):
    items = fields.List(fields.Nested(NotificationOut))
    unread = fields.Integer(metadata={"description": "How many of my notifications are unread (all, not this page)."})


class NotificationArgs(Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only the unread ones."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class UnreadOut(Schema):
    unread = fields.Integer()


class PreferencesIn(Schema):
    """Per channel, categories switched on (true) or off (false); categories not named keep their setting."""

    inbox = fields.Dict(keys=fields.String(), values=fields.Boolean(truthy={True}, falsy={False}))
    email = fields.Dict(keys=fields.String(), values=fields.Boolean(truthy={True}, falsy={False}))


class PreferencesOut(Schema):
    inbox = fields.Dict(keys=fields.String(), values=fields.Boolean())
    email = fields.Dict(keys=fields.String(), values=fields.Boolean())
    categories = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "What each covers."}
    )
