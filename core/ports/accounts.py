"""Ports: accounts and their sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from core.model import Role, User, Verification
from events.envelope import Event


class Users(Protocol):
    def add(self, user: User, announcing: Event | None = None) -> None:
        """Store a new user; raise ``Conflict`` if the e-mail is taken."""

    def get(self, user_id: str) -> User | None:
        """The user with this id, if any."""

    def by_email(self, email: str) -> User | None:
        """The user with this e-mail (case-insensitive), if any."""

    def update(
        self,
        user_id: str,
        fields: dict[str, Any],
        expected: dict[str, Any] | None = None,
        announcing: Event | None = None,
    ) -> bool:
        """Set ``fields`` if the stored user still matches ``expected``; False if not."""

    def many(self, user_ids: list[str]) -> dict[str, User]:
        """The users with these ids, by id."""

    def experts(self, verification: Verification | None, limit: int, offset: int) -> tuple[list[User], int]:
        """Experts (in one verification state, or all), oldest submission first, and the total."""

    def with_role(self, role: Role, limit: int = 100) -> list[User]:
        """Accounts of one role (e.g. the admins to tell of credentials to check)."""


class Sessions(Protocol):
    def add(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        """Remember a bearer token (by its hash) until ``expires_at``."""

    def user_id_for(self, token_hash: str, now: datetime) -> str | None:
        """The user a live token belongs to, or None if unknown or expired."""

    def revoke(self, token_hash: str) -> None:
        """Forget one token (logout)."""

    def revoke_all(self, user_id: str) -> int:
        """Forget every token of a user; how many there were."""


class RateLimits(Protocol):
    """Counters of recent attempts, shared by every API process."""

    def hit(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        """Count one attempt under ``key`` in the window starting at ``window_start``; the count so far."""

    def count(self, key: str, window_start: datetime) -> int:
        """The attempts counted under ``key`` in that window (0 if none)."""

    def take(self, key: str, window_start: datetime, expires_at: datetime, allowed: int) -> bool:
        """Count one attempt if fewer than ``allowed`` were counted in the window (True), else count
        nothing (False): one atomic step."""
