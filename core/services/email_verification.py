"""Address verification: the link e-mailed after sign-up proves the mailbox is the person's.

Nothing a person asks for waits for it (booking, paying, their own bookings' e-mails); what the
platform sends unasked, in bulk, does: saved-search alerts and their daily digests go by e-mail only
to verified addresses (``core.services.delivery``), so nobody can sign a stranger up for them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.errors import Conflict, ValidationError
from core.model import User
from core.services import limits
from core.services.announce import announce
from core.services.deps import Deps, Policy
from core.signed_links import read_verification, verification_token
from core.words import N_
from events import EmailVerificationRequested
from events.envelope import new_event

LINK_REFUSED = N_("This verification link is not valid (changed, expired, or for another address); ask for a new one.")


def link_token(policy: Policy, user: User, now: datetime) -> str:
    """The token of a fresh verification link for the account's current address."""
    expires_at = now + timedelta(seconds=policy.email_verification_ttl_seconds)
    return verification_token(policy.link_key, user.id, user.email, expires_at)


def verify_address(deps: Deps, token: str) -> User:
    """Mark the address verified by its link; opening it again changes nothing."""
    proof = read_verification(deps.policy.link_key, token.strip())
    refused = ValidationError(LINK_REFUSED, {"token": [LINK_REFUSED]})
    if proof is None or proof.expires_at <= deps.clock():
        raise refused
    user = deps.users.get(proof.user_id)
    if user is None or user.closed_at is not None or user.email != proof.email:
        raise refused
    if user.email_verified_at is None:
        deps.users.update(user.id, {"email_verified_at": deps.clock()}, expected={"email": proof.email})
    verified = deps.users.get(user.id)
    assert verified is not None
    return verified


def ask_again(deps: Deps, user: User) -> None:
    """E-mail the verification link again (a few times an hour at most)."""
    if user.email_verified_at is not None:
        raise Conflict(N_("Your address is verified already."), {"email": [N_("Already verified.")]})
    now = deps.clock()
    limits.throttle(deps.rate_limits, f"verify-mail:{user.id}", deps.policy.verification_emails_per_user, now,
                    "verification e-mails")  # fmt: skip
    event = new_event(EmailVerificationRequested(user_id=user.id), deps.policy.source)
    deps.users.update(user.id, {"verification_mail_requested_at": now}, announcing=event)
    announce(deps, "users", user.id)
