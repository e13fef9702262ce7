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
        )
        deps.users.add(user)
        token = secrets.token_urlsafe(24)
        deps.sessions.add(digest(token), user.id, now + ttl)
        out.append({"id": user.id, "token": token})
    return out
