"""Signed one-click unsubscribe tokens: one person, one category of e-mails, no sign-in needed.

The token is ``base64url(user_id "|" category) "." base64url(HMAC-SHA256)``: anyone holding the
e-mail may switch that one category off for that one person, which is what RFC 8058 asks of a
``List-Unsubscribe`` link, and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True)
class Unsubscription:
    """Who wants no more e-mails of which category."""

    user_id: str
    category: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, b"unsubscribe/" + body, hashlib.sha256).digest()


def token_for(key: bytes, user_id: str, category: str) -> str:
    """The token of the link that switches ``category`` e-mails off for ``user_id``."""
    body = f"{user_id}|{category}".encode()
    return f"{_b64(body)}.{_b64(_mac(key, body))}"


def read_token(key: bytes, token: str) -> Unsubscription | None:
    """What a token asks for, or None if it is not one we signed."""
    try:
        body_part, mac_part = token.split(".", 1)
        body, mac = _unb64(body_part), _unb64(mac_part)
        user_id, category = body.decode().split("|", 1)
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(mac, _mac(key, body)):
        return None
    return Unsubscription(user_id, category)
