"""Many accounts at once, for the storm test and the benchmark."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from core.model import Role, User, Verification
from core.services.accounts import digest
from core.services.deps import Deps


def token_accounts(deps: Deps, role: Role, count: int, prefix: str, ttl: timedelta) -> list[dict[str, str]]:
    """Accounts with a live token (experts verified), written through the repositories.

    Hashing thousands of passwords would only measure scrypt, which no trainee does more
    than once, so they share one hash of a password nobody knows.
    """
    password_hash = deps.hasher.hash(secrets.token_urlsafe(12))
    now = datetime.now(UTC)
    expert = role is Role.EXPERT
    out = []
    for i in range(count):
        user = User(
            id=str(uuid.uuid4()),
            email=f"{prefix}-{i}-{uuid.uuid4().hex[:6]}@example.org",
            name=f"{prefix.title()} {i}",
            role=role,
            password_hash=password_hash,
            created_at=now,
            verification=Verification.VERIFIED if expert else Verification.UNVERIFIED,
            verified_at=now if expert else None,
            email_verified_at=now,
        )
        deps.users.add(user)
        token = secrets.token_urlsafe(24)
        deps.sessions.add(digest(token), user.id, now + ttl)
        out.append({"id": user.id, "token": token})
    return out


def verify_addresses(deps: Deps, emails: list[str]) -> int:
    """Mark these accounts' addresses verified, as their links would (demo data: nobody reads its mail);
    how many changed."""
    changed = 0
    for email in emails:
        user = deps.users.by_email(email)
        if user is not None and user.email_verified_at is None:
            changed += deps.users.update(user.id, {"email_verified_at": deps.clock()})
    return changed
