"""Marshmallow schemas for HTTP bodies (``schemas.http``) and event payloads (``schemas.events``)."""
