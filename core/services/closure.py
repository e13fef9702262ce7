"""An account its owner controls to the end: everything we hold about them, and closing it.

Closing erases the person, not the books: open bookings are cancelled first through the usual
cancellation (so refunds flow under each booking's terms, with their events), then every record that
is only theirs is deleted and every record others or the law rely on (bookings, ledger entries,
reviews, questions, messages) keeps its content under a placeholder name (``ports.PersonalData``).
The account becomes a placeholder that cannot sign in; its id, which names nobody, keeps the
ledger whole.

Who may close their account here: trainees, and experts and sponsors with nothing others rely on
yet (no training, no sponsorship); an expert's trainings carry their name on others' certificates
and invoices, so those accounts are closed by the operators. The last admin may not close theirs:
someone must be left to check credentials and answer reports.
"""

from __future__ import annotations

from typing import Any

from core.cancellation import cancellation
from core.errors import Conflict, PublishFailed
from core.model import ACTIVE_STATUSES, Role, User
from core.services.announce import announce
from core.services.bookings import cancel_booking
from core.services.deps import Deps
from core.services.passwords import check_password
from core.services.sessions import my_sessions
from core.words import N_
from events import AccountClosed
from events.envelope import new_event

PLACEHOLDER = N_("A former member")  # stored in English; pages translate it
PROFILE_KEYS = ("id", "email", "name", "role", "created_at", "email_verified_at", "specialty", "country",
                "languages", "institution", "title", "bio", "company", "credentials", "verification",
                "verified_at", "former_roles", "locale")  # fmt: skip


def export(deps: Deps, user: User, token: str | None) -> dict[str, Any]:
    """Everything the platform holds about the person, as plain data: never a password or token hash,
    never another person's record."""
    sessions = [
        {"id": s.info.id, "created_at": s.info.created_at, "expires_at": s.info.expires_at,
         "client": s.info.client, "user_agent": s.info.user_agent, "current": s.current}
        for s in my_sessions(deps, user, token)
    ]  # fmt: skip
    return {
        "exported_at": deps.clock(),
        "profile": {k: getattr(user, k) for k in PROFILE_KEYS},
        "sessions": sessions,
        **deps.personal_data.export(user.id),
    }


def close_account(deps: Deps, user: User, password: str) -> dict[str, int]:
    """Close the account of ``user``, who typed their password again; what was cancelled and erased."""
    check_password(deps, user, password, "password")
    _refuse_if_others_rely_on(deps, user)
    now = deps.clock()
    # Closing from here on: the workers' reactions to the cancellations below tell the person nothing
    # more (core/services/delivery.py), so no notice or e-mail written meanwhile names them.
    deps.users.update(user.id, {"closed_at": now})
    cancelled = 0
    try:
        if user.role is Role.TRAINEE:
            for booking in deps.bookings.for_trainee(user.id):
                training = deps.trainings.get(booking.training_id)
                if booking.status in ACTIVE_STATUSES and cancellation(booking, training, now).allowed:
                    cancel_booking(deps, user, booking.id)  # published first: refunds follow its terms
                    cancelled += 1
    except PublishFailed:
        deps.users.update(user.id, {"closed_at": None})  # not closed: the person may try again
        raise
    user.closed_at = now
    deps.sessions.revoke_all(user.id)  # through the port: every API process forgets them at once
    deps.password_resets.revoke_all(user.id)
    erased = deps.personal_data.erase(user, PLACEHOLDER)
    event = new_event(AccountClosed(user_id=user.id), deps.policy.source)
    deps.users.update(user.id, {"closed_at": now}, announcing=event)
    announce(deps, "users", user.id)
    return {"bookings_cancelled": cancelled, **erased}


def _refuse_if_others_rely_on(deps: Deps, user: User) -> None:
    if user.role is Role.ADMIN:
        admins = [a for a in deps.users.with_role(Role.ADMIN) if a.closed_at is None]
        if len(admins) <= 1:
            raise Conflict(N_("You are the last admin: make another admin before closing this account."),
                           {"password": [N_("The last admin's account stays open.")]})  # fmt: skip
    if user.role is Role.EXPERT and deps.trainings.by_expert(user.id, 1, 0)[1]:
        raise Conflict(N_("Your trainings name you on trainees' records and invoices: write to us to close it."),
                       {"password": [N_("An expert with trainings is closed by the operators.")]})  # fmt: skip
    if user.role is Role.SPONSOR and deps.sponsorships.for_sponsor(user.id):
        raise Conflict(N_("Your sponsorships are in the books: write to us to close this account."),
                       {"password": [N_("A sponsor with sponsorships is closed by the operators.")]})  # fmt: skip
