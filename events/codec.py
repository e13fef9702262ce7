"""Encode and decode events on the wire, validating envelope and payload."""

from __future__ import annotations

import json
from typing import Any

from marshmallow import ValidationError

from events.envelope import Event
from events.types import EventType
from schemas.events import EnvelopeSchema, payload_schema


class InvalidEvent(ValueError):
    """Bytes that are not a valid event of a known type: a poison message."""


def encode(event: Event) -> bytes:
    """The event as UTF-8 JSON, its payload validated against its type's schema."""
    errors = payload_schema(event.type).validate(event.data)
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
        data = payload_schema(EventType(env["type"])).load(env["data"])
    except (ValidationError, ValueError) as exc:
        raise InvalidEvent(f"invalid event: {exc}") from exc
    # Keep the payload as sent (JSON types), not marshmallow's deserialized objects.
    del data
    return Event(
        type=EventType(env["type"]),
        subject=env["subject"],
        data=body["data"],
        key=env["key"],
        id=body["id"],  # as sent: the schema's UUID object is for validation only
        version=env["version"],
        time=body["time"],
        source=env["source"],
        correlation_id=env["correlation_id"],
    )
