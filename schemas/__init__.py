"""Marshmallow schemas for HTTP bodies (``schemas.http``); event payload schemas derive from ``events``."""
