"""Ports: accounts and their sessions."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class SessionInfo:
    """What a person sees of one signed-in session: an opaque id (never the token or its hash),
    when it began and ends, and what signed in (client address, user agent)."""

    id: str
    created_at: datetime | None
    expires_at: datetime
    client: str | None = None
    user_agent: str | None = None


class Sessions(Protocol):
    def add(self, token_hash: str, user_id: str, expires_at: datetime, info: SessionInfo | None = None) -> None:
        """Remember a bearer token (by its hash) until ``expires_at``, with what the person sees of it."""

    def of_user(self, user_id: str, now: datetime) -> list[tuple[str, SessionInfo]]:
        """The user's live sessions as (token hash, info), newest first; the hash stays in the core."""

    def end(self, user_id: str, session_id: str) -> bool:
        """Forget the user's session with this opaque id; False if there is none."""

    def revoke_others(self, user_id: str, keep_hash: str | None) -> int:
        """Forget every token of the user but ``keep_hash``; how many."""

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


class PasswordResets(Protocol):
    """Outstanding password-reset links, by the hash of their nonce; single use, they expire."""

    def add(
        self, nonce_hash: str, user_id: str | None, expires_at: datetime, at: datetime, announcing: Event | None = None
    ) -> None:
        """Store one (``user_id`` None: a request for an address without an account, kept the same way)."""

    def consume(self, nonce_hash: str, now: datetime) -> str | None:
        """Use the link once: the account it resets, or None if unknown, used, expired or for no account."""

    def revoke_all(self, user_id: str) -> int:
        """Every outstanding link of the account stops working; how many."""


class PersonalData(Protocol):
    """Everything stored about one person, across every collection: to hand it over, or to erase it."""

    def export(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """The person's own records by kind, without secrets (password and token hashes)."""

    def erase(self, user: User, placeholder: str) -> dict[str, int]:
        """Delete what is only the person's, replace their name and e-mail by ``placeholder`` where the
        record must stay (bookings, the ledger, reviews, others' messages); counts by collection."""
