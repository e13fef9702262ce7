"""What a person does with their notifications: read the inbox, mark read, choose channels."""

from __future__ import annotations

from typing import Any

from core.errors import NotFound, ValidationError
from core.model import User
from core.services.delivery import CATEGORIES, CHANNELS, preferences_of
from core.services.deps import Deps
from core.unsubscribe import read_token
from core.words import N_, Worded


def my_notifications(deps: Deps, user: User, unread_only: bool, limit: int) -> dict[str, Any]:
    """The newest notifications and the unread count."""
    return {
        "items": deps.inbox.for_user(user.id, limit, unread_only),
        "unread": deps.inbox.unread_count(user.id),
    }


def mark_read(deps: Deps, user: User, notification_id: str) -> int:
    """Mark one notification read; the unread count left."""
    if not deps.inbox.mark_read(user.id, notification_id, deps.clock()):
        raise NotFound(Worded(N_("No notification %(id)s."), id=notification_id))
    return deps.inbox.unread_count(user.id)


def mark_all_read(deps: Deps, user: User) -> int:
    """Mark everything read; the unread count left (0)."""
    deps.inbox.mark_all_read(user.id, deps.clock())
    return deps.inbox.unread_count(user.id)


def my_preferences(deps: Deps, user: User) -> dict[str, dict[str, bool]]:
    """Every channel and category, on or off."""
    return preferences_of(deps, user.id)


def set_preferences(deps: Deps, user: User, changes: dict[str, dict[str, bool]]) -> dict[str, dict[str, bool]]:
    """Switch categories on or off per channel; categories not named keep their setting."""
    errors: dict[str, list[str]] = {}
    for channel, categories in changes.items():
        if channel not in CHANNELS:
            errors[channel] = [f"Unknown channel; one of: {', '.join(CHANNELS)}."]
            continue
        for category in categories:
            if category not in CATEGORIES:
                errors[f"{channel}.{category}"] = [f"Unknown category; one of: {', '.join(CATEGORIES)}."]
    if errors:
        raise ValidationError("Unknown notification channel or category.", errors)
    merged = preferences_of(deps, user.id)
    for channel, categories in changes.items():
        merged[channel].update(categories)
    deps.preferences.set(user.id, merged)
    return merged


def unsubscription(deps: Deps, token: str) -> tuple[User, str]:
    """Whom an unsubscribe link is for and which category it switches off, or ``NotFound``."""
    asked = read_token(deps.policy.link_key, token)
    person = deps.users.get(asked.user_id) if asked else None
    if asked is None or person is None or asked.category not in CATEGORIES:
        raise NotFound("This unsubscribe link is not valid (or its account is gone).")
    return person, asked.category


def unsubscribe(deps: Deps, token: str) -> tuple[User, str]:
    """Switch off the e-mails of the link's category for its person (again: no change)."""
    person, category = unsubscription(deps, token)
    set_preferences(deps, person, {"email": {category: False}})
    return person, category
