"""The web pages, server-rendered over the same services as the JSON API.

Readable without JavaScript: forms are plain GET/POST, errors are shown beside their field;
a little JavaScript follows a booking live and talks to Stripe.js.
"""

from __future__ import annotations

from api.web import (  # noqa: F401 - registers routes
    account,
    booking,
    desk,
    expert,
    expert_flows,
    language,
    mentoring,
    operations,
    pages,
    pictures,
    preferences,
    profile,
    questions,
    records,
    session,
    sponsor,
    sponsor_demos,
)
from api.web.blueprint import blp

__all__ = ["blp"]
