"""The notifications worker's e-mails about the account itself: verify the address, reset the password.

They are not notifications: nobody may switch them off, they do not go to the inbox, and they carry
no unsubscribe link. They go through the same e-mail outbox as every e-mail (rendered here, queued
once per person and event, sent and retried by ``send_due_emails``), so a crash anywhere between
the request and the mail server loses none and sends none twice.

A reset link is signed here, from the event's nonce: the event itself carries nothing usable
(core/signed_links.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core import ports
from core.links import Links
from core.model import User
from core.ports import Email
from core.ports.wording import Wording
from core.services.deps import Clock, Policy
from core.services.email_verification import link_token
from core.signed_links import reset_token
from core.words import N_
from events import EmailVerificationRequested, PasswordResetRequested, UserRegistered
from events.envelope import Event, current_correlation, derived_id

# The words, marked for the catalogue: each e-mail is worded in its reader's language (``User.locale``).
VERIFY_BODY = N_(
    "Please confirm that %(email)s is your address by opening the link below. You can book and pay without it; "
    "saved-search alerts and their daily digests are e-mailed only to confirmed addresses.\n\n"
    "If you did not sign up, ignore this e-mail."
)
RESET_BODY = N_(
    "Someone, hopefully you, asked to reset the password of the account of %(email)s. The link below sets a new "
    "one; it works once, until %(until)s.\n\nIf it was not you, ignore this e-mail: your password stays as it is."
)


def send_verification(
    event: Event, users: ports.Users, outbox: ports.Outbox, renderer: ports.EmailRenderer, wordings: ports.Wordings,
    policy: Policy, clock: Clock,
) -> None:  # fmt: skip
    """After sign-up (or when asked again): the link that verifies the address, unless it is verified."""
    user_id = event.payload_as(UserRegistered).user_id if event.type == UserRegistered.TYPE else \
        event.payload_as(EmailVerificationRequested).user_id  # fmt: skip
    user = users.get(user_id)
    if user is None or user.closed_at is not None or user.email_verified_at is not None:
        return
    now = clock()
    url = Links(policy.public_base_url).verify_email(link_token(policy, user, now))
    wording = wordings(user.locale)
    body = wording.gettext(VERIFY_BODY) % {"email": user.email}
    _queue(event, user, outbox, renderer, wording, policy, now, "account.verify_email",
           N_("Confirm your e-mail address"), body, url, N_("Confirm my address"))  # fmt: skip


def send_reset(
    event: Event, users: ports.Users, outbox: ports.Outbox, renderer: ports.EmailRenderer, wordings: ports.Wordings,
    policy: Policy, clock: Clock,
) -> None:  # fmt: skip
    """The password-reset link, signed now from the event's nonce."""
    asked = event.payload_as(PasswordResetRequested)
    user = users.get(asked.user_id)
    now = clock()
    expires_at = datetime.fromisoformat(asked.expires_at)
    if user is None or user.closed_at is not None or expires_at <= now:
        return  # an e-mail that arrives after its link expired helps nobody
    url = Links(policy.public_base_url).reset_password(reset_token(policy.link_key, asked.nonce))
    wording = wordings(user.locale)
    until = wording.local(expires_at, "UTC", "datetime")
    body = wording.gettext(RESET_BODY) % {"email": user.email, "until": until}
    _queue(event, user, outbox, renderer, wording, policy, now, "account.password_reset",
           N_("Reset your password"), body, url, N_("Choose a new password"))  # fmt: skip


def _queue(
    event: Event, user: User, outbox: ports.Outbox, renderer: ports.EmailRenderer, wording: Wording, policy: Policy,
    now: datetime, kind: str, title: str, body: str, url: str, label: str,
) -> None:  # fmt: skip
    """Render in the person's language and queue, once per person and event."""
    links = Links(policy.public_base_url)
    context: dict[str, Any] = {
        "kind": kind, "title": wording.gettext(title), "body": body, "recipient_name": user.name,
        "action": {"url": url, "label": wording.gettext(label)}, "preferences_url": links.account(),
        "marketplace_name": policy.marketplace_name,
    }  # fmt: skip
    rendered = renderer.render(kind, context, wording.locale)
    email = Email(
        to=user.email, subject=rendered.subject, text=rendered.text, html=rendered.html,
        message_id=derived_id(event.id, f"email/{user.id}"), correlation_id=current_correlation(),
    )  # fmt: skip
    outbox.enqueue(user.id, event.id, email, now)  # once per person and event: a replay queues nothing


HANDLERS = {
    UserRegistered: [send_verification],
    EmailVerificationRequested: [send_verification],
    PasswordResetRequested: [send_reset],
}
