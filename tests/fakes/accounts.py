"""Fakes of the accounts ports: users, sessions, rate-limit counters, and the password hasher."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.errors import Conflict
from core.model import Picture, Role, User, Verification
from events.envelope import Event
from tests.fakes.messaging import FakePendingEvents

_USER_FIELDS = {f.name for f in dataclasses.fields(User)}


@dataclass
class FakeUsers:
    """Users unique by e-mail; fields outside the model (``submitted_at``) kept beside, as the document does."""

    pending: FakePendingEvents = field(default_factory=FakePendingEvents)
    rows: dict[str, User] = field(default_factory=dict)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, user: User, announcing: Event | None = None) -> None:
        """Store; ``Conflict`` naming the e-mail if it is taken (the unique index)."""
        if user.id in self.rows or any(u.email == user.email for u in self.rows.values()):
            raise Conflict("An account with this e-mail exists.", {"email": ["Already registered."]})
        self.rows[user.id] = copy.deepcopy(user)
        self.extra[user.id] = {}
        self.pending.keep("users", user.id, announcing)

    def get(self, user_id: str) -> User | None:
        """A copy of the stored user."""
        return copy.deepcopy(self.rows.get(user_id))

    def by_email(self, email: str) -> User | None:
        """By lower-cased e-mail."""
        return next((copy.deepcopy(u) for u in self.rows.values() if u.email == email.lower()), None)

    def _value(self, user_id: str, name: str) -> Any:
        """As the document holds it (a portrait as its sub-document)."""
        if name in _USER_FIELDS:
            value = getattr(self.rows[user_id], name)
            return dataclasses.asdict(value) if isinstance(value, Picture) else value
        return self.extra[user_id].get(name)

    def update(
        self,
        user_id: str,
        fields: dict[str, Any],
        expected: dict[str, Any] | None = None,
        announcing: Event | None = None,
    ) -> bool:
        """Compare-and-set on ``expected``; the event is stored with the change."""
        if user_id not in self.rows:
            return False
        if any(self._value(user_id, k) != v for k, v in (expected or {}).items()):
            return False
        for name, value in fields.items():
            if name == "portrait":  # stored as a sub-document, read back as the model's picture
                setattr(self.rows[user_id], name, Picture.from_doc(copy.deepcopy(value)))
            elif name in _USER_FIELDS:
                setattr(self.rows[user_id], name, copy.deepcopy(value))
            else:
                self.extra[user_id][name] = copy.deepcopy(value)
        self.pending.keep("users", user_id, announcing)
        return True

    def many(self, user_ids: list[str]) -> dict[str, User]:
        """By id, those that exist."""
        return {i: copy.deepcopy(self.rows[i]) for i in set(user_ids) if i in self.rows}

    def experts(self, verification: Verification | None, limit: int, offset: int) -> tuple[list[User], int]:
        """Oldest submission first (never submitted: first, as a missing field sorts in MongoDB), then id."""
        found = [
            u for u in self.rows.values()
            if u.role is Role.EXPERT and (verification is None or u.verification is verification)
        ]  # fmt: skip
        found.sort(key=lambda u: (self.extra[u.id].get("submitted_at") is not None,
                                  self.extra[u.id].get("submitted_at") or u.created_at, u.id))  # fmt: skip
        return [copy.deepcopy(u) for u in found[offset : offset + limit]], len(found)

    def with_role(self, role: Role, limit: int = 100) -> list[User]:
        """Accounts of the role."""
        return [copy.deepcopy(u) for u in self.rows.values() if u.role is role][:limit]


@dataclass
class FakeSessions:
    """Tokens by hash with their expiry."""

    rows: dict[str, tuple[str, datetime]] = field(default_factory=dict)

    def add(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        """Remember a token."""
        self.rows[token_hash] = (user_id, expires_at)

    def user_id_for(self, token_hash: str, now: datetime) -> str | None:
        """The owner of a token that has not expired."""
        row = self.rows.get(token_hash)
        return row[0] if row and row[1] > now else None

    def revoke(self, token_hash: str) -> None:
        """Forget one."""
        self.rows.pop(token_hash, None)

    def revoke_all(self, user_id: str) -> int:
        """Forget the user's; how many."""
        mine = [h for h, (owner, _) in self.rows.items() if owner == user_id]
        for token_hash in mine:
            del self.rows[token_hash]
        return len(mine)


@dataclass
class FakeRateLimits:
    """One counter per key and window start."""

    counts: dict[tuple[str, datetime], int] = field(default_factory=dict)

    def hit(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        """Count one; the count so far."""
        self.counts[(key, window_start)] = self.counts.get((key, window_start), 0) + 1
        return self.counts[(key, window_start)]

    def count(self, key: str, window_start: datetime) -> int:
        """The window's count."""
        return self.counts.get((key, window_start), 0)

    def take(self, key: str, window_start: datetime, expires_at: datetime, allowed: int) -> bool:
        """Count one while under ``allowed``."""
        if self.count(key, window_start) >= allowed:
            return False
        self.hit(key, window_start, expires_at)
        return True


class FakeHasher:
    """A readable, reversible 'hash': tests see what was stored, and verify works."""

    def hash(self, password: str) -> str:
        """``hashed:<password>``."""
        return f"hashed:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether it is the hash of the password."""
        return password_hash == self.hash(password)
