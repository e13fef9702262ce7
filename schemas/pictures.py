"""Pictures as the API shows them (their URLs, sizes and alt text) and their multipart uploads."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from core.services.pictures import ALT_MAX, MAX_PHOTOS, MAX_UPLOAD_BYTES

MEDIA_PREFIX = "/media"


def media_url(media_id: str) -> str:
    """Where a stored image is served (relative to the API's origin; the same for every process)."""
    return f"{MEDIA_PREFIX}/{media_id}"


class MediaUrl(fields.String):
    """A media id, shown as the URL serving it."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else media_url(str(value))


class RenditionOut(Schema):
    url = MediaUrl(attribute="media_id", metadata={"description": "GET it: immutable, cached for a year."})
    width = fields.Integer()
    height = fields.Integer()
    content_type = fields.String(metadata={"example": "image/jpeg"})


class PictureOut(Schema):
    """A picture: the large image for its own page, the small one for cards and lists."""

    id = fields.String()
    alt = fields.String(
        metadata={
            "description": "What the picture shows, for people who cannot see it; "
            "empty for a portrait its expert did not describe (name them)."
        }
    )
    large = fields.Nested(RenditionOut)
    small = fields.Nested(RenditionOut)


class PhotoPatch(Schema):
    alt = fields.String(validate=validate.Length(min=1, max=ALT_MAX))
    position = fields.Integer(
        validate=validate.Range(min=1, max=MAX_PHOTOS), metadata={"description": "1: first, the one cards show."}
    )


_LIMIT = f"JPEG, PNG or WebP, at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"


def upload_body(field: str, described: str, alt_required: bool) -> dict[str, Any]:
    """The OpenAPI request body of a multipart upload of ``field`` with its alt text."""
    properties = {
        field: {"type": "string", "format": "binary", "description": f"{described}: {_LIMIT}."},
        "alt": {"type": "string", "minLength": 1 if alt_required else 0, "maxLength": ALT_MAX,
                "description": "What it shows, for people who cannot see it."},
    }  # fmt: skip
    required = [field, "alt"] if alt_required else [field]
    schema = {"type": "object", "required": required, "properties": properties}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
