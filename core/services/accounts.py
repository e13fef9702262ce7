"""Register, log in, and resolve a bearer token to its user."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any

from core.errors import Conflict, Forbidden, Unauthorized
from core.model import Role, User
from core.ports import SessionInfo
from core.services import limits
from core.services.announce import announce
from core.services.deps import Deps
from core.words import N_
from events import UserRegistered
from events.envelope import new_event

# Admins are made from the command line, never through an open endpoint.
SELF_SERVICE_ROLES = (Role.TRAINEE, Role.EXPERT, Role.SPONSOR)


def register(deps: Deps, email: str, password: str, name: str, role: Role, **profile: Any) -> User:
    """Create an account and announce it (``user.registered``)."""
    if role not in SELF_SERVICE_ROLES:
        raise Forbidden("This role cannot be chosen at registration.", {"role": ["Not allowed."]})
    return _create(deps, email, password, name, role, **profile)


def create_admin(deps: Deps, email: str, password: str, name: str) -> User:
    """An admin account: only from the command line, never through an open endpoint."""
    return _create(deps, email, password, name, Role.ADMIN)


def _create(deps: Deps, email: str, password: str, name: str, role: Role, **profile: Any) -> User:
    email = email.strip().lower()
    if deps.users.by_email(email) is not None:
        raise Conflict(N_("An account with this e-mail exists."), {"email": [N_("Already registered.")]})
    user = User(
        id=str(uuid.uuid4()),
        email=email,
        name=name.strip(),
        role=role,
        password_hash=deps.hasher.hash(password),
        created_at=deps.clock(),
        **profile,
    )
    event = new_event(
        UserRegistered(user_id=user.id, email=user.email, role=str(role), name=user.name), deps.policy.source
    )
    # The account and its event in one write: the unique index settles a race between two registrations.
    deps.users.add(user, announcing=event)
    announce(deps, "users", user.id)
    return user


def login(
    deps: Deps, email: str, password: str, client: str | None = None, user_agent: str | None = None
) -> tuple[str, User, int]:
    """A new bearer token for valid credentials, with its lifetime in seconds.

    Password guessing is slowed down: each account takes a few attempts a minute, and a
    client address (``client``) that failed too often is refused before its password is
    even checked. Both counters are per account or address, never global.
    """
    email = email.strip().lower()
    now, policy = deps.clock(), deps.policy
    if client:
        limits.refuse_if_spent(
            deps.rate_limits, f"login-failed:{client}", policy.failed_logins_per_client, now, "failed sign-ins"
        )
    # The counter is named by a hash of the address: the counters hold nobody's e-mail.
    limits.throttle(deps.rate_limits, f"login:{digest(email)}", policy.logins_per_account, now, "sign-in attempts")
    user = deps.users.by_email(email)
    # Same answer for unknown e-mail and wrong password: no account enumeration.
    if user is None or not deps.hasher.verify(user.password_hash, password):
        if client:
            limits.record(deps.rate_limits, f"login-failed:{client}", policy.failed_logins_per_client, now)
        raise Unauthorized("Wrong e-mail or password.")
    return start_session(deps, user, client, user_agent), user, deps.policy.token_ttl_seconds


def start_session(deps: Deps, user: User, client: str | None = None, user_agent: str | None = None) -> str:
    """A new bearer token of ``user``, remembered by its hash with what the person will see of it."""
    token = secrets.token_urlsafe(32)
    now = deps.clock()
    expires_at = now + timedelta(seconds=deps.policy.token_ttl_seconds)
    info = SessionInfo(str(uuid.uuid4()), now, expires_at, client, (user_agent or "")[:300] or None)
    deps.sessions.add(digest(token), user.id, expires_at, info)
    return token


def authenticate(deps: Deps, token: str) -> User:
    """The user behind a bearer token, or ``Unauthorized``."""
    user_id = deps.sessions.user_id_for(digest(token), deps.clock())
    user = deps.users.get(user_id) if user_id else None
    if user is None:
        raise Unauthorized("Missing, expired or unknown bearer token.")
    return user


def require_role(user: User, *roles: Role) -> None:
    """Refuse a user whose role is not one of ``roles``."""
    if user.role not in roles:
        allowed = ", ".join(sorted(str(r) for r in roles))
        raise Forbidden(f"This action needs the role: {allowed}.")


def require_trainee_history(user: User) -> None:
    """Refuse anyone without a trainee's history: trainees, and experts who were trainees here first, have one."""
    if not user.trained_here:
        raise Forbidden("This is a trainee's record: this account never booked as a trainee.")


def digest(token: str) -> str:
    """The stored form of a bearer token."""
    # Only a hash of the token is stored: a database leak gives no usable tokens.
    return hashlib.sha256(token.encode()).hexdigest()
