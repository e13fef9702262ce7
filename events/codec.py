"""Encode and decode events on the wire, validating envelope and payload."""

from __future__ import annotations

import json
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from events.base import ALL_EVENTS, event_class
from events.envelope import Event


class InvalidEvent(ValueError):
    """Bytes that are not a valid event of a known type: a poison message."""


class EnvelopeSchema(Schema):
    """The envelope; ``data`` is checked against the type's own schema (derived from its class)."""

    class Meta:
        unknown = RAISE

    id = fields.UUID(required=True)
    # Importing ``events`` registered every type before this line runs.
    type = fields.String(required=True, validate=validate.OneOf([c.TYPE for c in ALL_EVENTS]))
    version = fields.Integer(required=True, strict=True)
    time = fields.AwareDateTime(required=True)
    source = fields.String(required=True)
    subject = fields.String(required=True, validate=validate.Length(min=1))
    correlation_id = fields.String(required=True)
    key = fields.String(required=True, validate=validate.Length(min=1))
    data = fields.Dict(required=True)


def encode(event: Event) -> bytes:
    """The event as UTF-8 JSON, its payload validated against its type's schema."""
    try:
        schema = event_class(event.type).schema()
    except KeyError as exc:
        raise InvalidEvent(f"unknown event type {event.type!r}") from exc
    errors = schema.validate(event.data)
    if errors:
        raise InvalidEvent(f"{event.type} payload invalid: {errors}")
    body: dict[str, Any] = {
        "id": event.id,
        "type": str(event.type),
        "version": event.version,
        "time": event.time,
        "source": event.source,
        "subject": event.subject,
        "correlation_id": event.correlation_id,
        "key": event.key,
        "data": event.data,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def decode(raw: bytes) -> Event:
    """Parse and validate bytes from the broker, or raise ``InvalidEvent``."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"not JSON: {exc}") from exc
    try:
        env = EnvelopeSchema().load(body)
        # Validation only: the payload is kept as sent (JSON types), not marshmallow's objects.
        event_class(env["type"]).schema().load(env["data"])
    except (ValidationError, ValueError, KeyError) as exc:
        raise InvalidEvent(f"invalid event: {exc}") from exc
    return Event(
        type=env["type"],
        subject=env["subject"],
        data=body["data"],
        key=env["key"],
        id=body["id"],  # as sent: the schema's UUID object is for validation only
        version=env["version"],
        time=body["time"],
        source=env["source"],
        correlation_id=env["correlation_id"],
    )
