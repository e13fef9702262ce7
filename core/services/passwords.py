"""Passwords people control: a reset by e-mail when forgotten, a change when known.

How the reset e-mail travels, and why that way: the request stores one small record in
``password_resets`` carrying its ``user.password_reset_requested`` event (the API's transactional
outbox, ``core.services.announce``), so nothing is lost if the process dies after answering 202;
the notifications worker renders the e-mail and queues it in the e-mail outbox
(``core.handlers.account_mail``), which retries until the mail server takes it. The event carries a
random nonce, the database keeps only the nonce's hash, and the link's HMAC is computed from the
nonce only where the e-mail is rendered: neither Kafka, a log line nor the reset records hold a
usable link (the queued e-mail does, as any mail queue must, until the link is used or expires).

No answer tells whether an address has an account: an unknown address gets the same 202 and the
same body, after the same work (the same rate limits, the same single write, of a record that no
link can ever use); only the e-mail differs, and it goes to the address's owner.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from core.errors import Forbidden, ValidationError
from core.model import User
from core.services import limits
from core.services.accounts import digest
from core.services.announce import announce
from core.services.deps import Deps
from core.signed_links import nonce_hash, read_reset
from core.words import N_
from events import PasswordResetRequested
from events.envelope import new_event

TOKEN_REFUSED = N_("This link was already used, has expired, or is not one we sent; ask for a new one.")


def request_reset(deps: Deps, email: str, client: str | None = None) -> str | None:
    """Store a reset link for the account at ``email``, if any, to be e-mailed to it.

    Rate-limited per address and per client address, whether or not the address has an account.
    Returns the id of the record whose event should be announced once the answer is sent (None: no
    account): the caller announces it after answering, so an account's answer takes no longer.
    """
    email = email.strip().lower()
    now, policy = deps.clock(), deps.policy
    if client:
        limits.throttle(deps.rate_limits, f"reset-client:{client}", policy.password_resets_per_client, now,
                        "password-reset requests from this address")  # fmt: skip
    limits.throttle(deps.rate_limits, f"reset:{digest(email)}", policy.password_resets_per_address, now,
                    "password-reset requests for this e-mail")  # fmt: skip
    user = deps.users.by_email(email)
    if user is not None and user.closed_at is not None:
        user = None
    nonce = secrets.token_urlsafe(24)
    expires_at = now + timedelta(seconds=policy.password_reset_ttl_seconds)
    event = None
    if user is not None:
        asked = PasswordResetRequested(user_id=user.id, nonce=nonce, expires_at=expires_at.isoformat())
        event = new_event(asked, policy.source)
    record_id = nonce_hash(nonce)
    deps.password_resets.add(record_id, user.id if user else None, expires_at, now, announcing=event)
    return record_id if user is not None else None


def announce_reset(deps: Deps, record_id: str) -> None:
    """Send the stored request's event (the relay does it later if the broker is away)."""
    announce(deps, "password_resets", record_id)


def confirm_reset(deps: Deps, token: str, password: str) -> User:
    """Set a new password with a reset link's token: once, before it expires. Every session of the
    account ends, and every other outstanding link stops working."""
    nonce = read_reset(deps.policy.link_key, token.strip())
    refused = ValidationError(TOKEN_REFUSED, {"token": [TOKEN_REFUSED]})
    if nonce is None:
        raise refused
    password_hash = deps.hasher.hash(password)  # before the link is used: a slow hash cannot waste it
    user_id = deps.password_resets.consume(nonce_hash(nonce), deps.clock())
    user = deps.users.get(user_id) if user_id else None
    if user is None or user.closed_at is not None:
        raise refused
    fields: dict[str, object] = {"password_hash": password_hash, "password_changed_at": deps.clock()}
    if user.email_verified_at is None:
        fields["email_verified_at"] = deps.clock()  # the link reached the mailbox: the address is theirs
    deps.users.update(user.id, fields)
    deps.sessions.revoke_all(user.id)
    deps.password_resets.revoke_all(user.id)
    changed = deps.users.get(user.id)
    assert changed is not None
    return changed


def check_password(deps: Deps, user: User, password: str, field: str) -> None:
    """``Forbidden`` naming ``field`` unless ``password`` is the account's; guessing it counts against
    the account's sign-in attempts, so this is no way around the sign-in's limits."""
    limits.throttle(deps.rate_limits, f"login:{digest(user.email)}", deps.policy.logins_per_account, deps.clock(),
                    "sign-in attempts")  # fmt: skip
    if not deps.hasher.verify(user.password_hash, password):
        raise Forbidden(N_("The password is not right."), {field: [N_("Wrong password.")]})


def change_password(deps: Deps, user: User, current: str, new: str, current_token: str | None) -> int:
    """Change a known password; every other session ends (this one stays), and any reset link
    outstanding stops working. How many sessions ended."""
    check_password(deps, user, current, "current_password")
    if current == new:
        raise ValidationError(
            N_("Choose a password you did not use here."), {"new_password": [N_("Same as the current one.")]}
        )
    deps.users.update(user.id, {"password_hash": deps.hasher.hash(new), "password_changed_at": deps.clock()})
    deps.password_resets.revoke_all(user.id)
    return deps.sessions.revoke_others(user.id, digest(current_token) if current_token else None)
