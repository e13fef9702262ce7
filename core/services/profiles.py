"""A user's own profile and sessions."""

from __future__ import annotations

from typing import Any

from core.errors import Conflict, ValidationError
from core.model import PROFILE_FIELDS, Role, User
from core.services.accounts import digest
from core.services.deps import Deps

# Which profile fields each role may fill in.
ROLE_FIELDS: dict[Role, frozenset[str]] = {
    Role.TRAINEE: frozenset({"name", "specialty", "country", "languages", "locale"}),
    Role.EXPERT: frozenset({"name", "specialty", "country", "languages", "institution", "title", "bio", "locale"}),
    Role.SPONSOR: frozenset({"name", "country", "languages", "company", "locale"}),
    Role.ADMIN: frozenset({"name", "locale"}),
}


def update_profile(deps: Deps, user: User, fields: dict[str, Any]) -> User:
    """Change the caller's own profile; fields of another role are refused by name."""
    allowed = ROLE_FIELDS[user.role]
    refused = {name: [f"Not a profile field of a {user.role}."] for name in fields if name not in allowed}
    if refused:
        raise ValidationError("Some fields do not apply to your role.", refused)
    changes = {k: v for k, v in fields.items() if k in PROFILE_FIELDS}
    if changes and not deps.users.update(user.id, changes):
        raise Conflict("Your account changed meanwhile; try again.")
    updated = deps.users.get(user.id)
    assert updated is not None
    return updated


def logout(deps: Deps, token: str) -> None:
    """Revoke the token the request came with."""
    deps.sessions.revoke(digest(token))


def logout_everywhere(deps: Deps, user: User) -> int:
    """Revoke every token of the user (a lost laptop, a changed password)."""
    return deps.sessions.revoke_all(user.id)
