"""Password hashing with werkzeug's well-kept scrypt implementation."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash


class WerkzeugHasher:
    """Implements ``PasswordHasher``."""

    def hash(self, password: str) -> str:
        """A salted scrypt hash."""
        return generate_password_hash(password, method="scrypt")

    def verify(self, password_hash: str, password: str) -> bool:
        """Constant-time comparison against the hash."""
        return check_password_hash(password_hash, password)
