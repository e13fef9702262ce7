"""Signed links e-mailed to one person: verify an address, reset a password.

Both are ``base64url(body) "." base64url(HMAC-SHA256(link_key, purpose "/" body))``, like the
unsubscribe links (``core.unsubscribe``), the purpose in the MAC so that one kind of link can never
stand for another.

- An address verification's body is ``user_id|email|expiry``: it proves the mailbox received it,
  and stops working if the address changes or after its expiry.
- A password reset's body is a random nonce. The nonce travels in the ``user.password_reset_requested``
  event and its hash is what the database keeps; the MAC that makes the link usable is computed only
  where the e-mail is rendered, so neither Kafka, a log line nor a database dump holds a usable link
  (``core.services.passwords``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class AddressProof:
    """Who proved to receive mail at which address, and until when the link was good."""

    user_id: str
    email: str
    expires_at: datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, purpose: bytes, body: bytes) -> bytes:
    return hmac.new(key, purpose + b"/" + body, hashlib.sha256).digest()


def _sign(key: bytes, purpose: bytes, body: bytes) -> str:
    return f"{_b64(body)}.{_b64(_mac(key, purpose, body))}"


def _open(key: bytes, purpose: bytes, token: str) -> bytes | None:
    try:
        body_part, mac_part = token.split(".", 1)
        body, mac = _unb64(body_part), _unb64(mac_part)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if hmac.compare_digest(mac, _mac(key, purpose, body)) else None


def verification_token(key: bytes, user_id: str, email: str, expires_at: datetime) -> str:
    """The token of the link that proves ``user_id`` receives mail at ``email``."""
    body = f"{user_id}|{email}|{int(expires_at.timestamp())}".encode()
    return _sign(key, b"verify-email", body)


def read_verification(key: bytes, token: str) -> AddressProof | None:
    """What a verification token proves, or None if we did not sign it (expiry is the caller's to check)."""
    body = _open(key, b"verify-email", token)
    if body is None:
        return None
    try:
        user_id, email, expiry = body.decode().split("|", 2)
        return AddressProof(user_id, email, datetime.fromtimestamp(int(expiry), UTC))
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None


def reset_token(key: bytes, nonce: str) -> str:
    """The token of a password-reset link, made from the nonce where the e-mail is rendered."""
    return _sign(key, b"password-reset", nonce.encode())


def read_reset(key: bytes, token: str) -> str | None:
    """The nonce of a reset token we signed, or None."""
    body = _open(key, b"password-reset", token)
    try:
        return body.decode() if body else None
    except UnicodeDecodeError:
        return None


def nonce_hash(nonce: str) -> str:
    """What the database keeps of a reset nonce."""
    return hashlib.sha256(b"password-reset/" + nonce.encode()).hexdigest()
