"""Sponsored seats: a sponsor pays for seats on a training; each becomes a voucher code.

The API's use cases; the payments worker's side (the PaymentIntent, the vouchers, the refunds) is
``core/handlers/sponsorships.py``.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from core.errors import Conflict, NotFound
from core.model import Role, TrainingStatus, User
from core.services.accounts import require_role
from core.services.announce import announce
from core.services.deps import Deps
from core.services.seating import seats_left
from core.services.trainings import get_training
from core.sponsoring import Sponsorship, SponsorshipStatus, Voucher, payment_refusal
from core.words import N_, Worded
from events import (
    SponsorshipChanged,
    SponsorshipPaymentSubmitted,
    SponsorshipRequested,
)
from events.envelope import new_event

S = TypeVar("S", bound=SponsorshipChanged)


def buy_seats(deps: Deps, sponsor: User, training_id: str, seats: int) -> Sponsorship:
    """Start a purchase of ``seats`` seats; the payments worker prepares the PaymentIntent."""
    require_role(sponsor, Role.SPONSOR)
    training = get_training(deps, training_id)
    if training.status is not TrainingStatus.PUBLISHED:
        raise Conflict(
            Worded(
                N_("Seats can be sponsored only on a published training; this one is %(status)s."),
                status=training.status,
            )
        )
    if not training.price:
        raise Conflict(N_("This training is free: there is nothing to sponsor."))
    left = seats_left(deps, training) or 0
    if seats > left:
        raise Conflict(N_("Not that many seats are left."), {"seats": [f"At most {left} seats are left."]})
    assert training.currency is not None
    sponsorship = Sponsorship(
        id=str(uuid.uuid4()), sponsor_id=sponsor.id, training_id=training.id, seats=seats,
        amount=seats * training.price, currency=training.currency, status=SponsorshipStatus.PAYMENT_PENDING,
        created_at=deps.clock(),
    )  # fmt: skip
    requested = new_event(_changed(SponsorshipRequested, sponsorship), deps.policy.source, id=sponsorship.id)
    deps.sponsorships.add(sponsorship, announcing=requested)
    announce(deps, "sponsorships", sponsorship.id)
    return sponsorship


def get_sponsorship(deps: Deps, sponsor: User, sponsorship_id: str) -> tuple[Sponsorship, list[Voucher]]:
    """A purchase with its vouchers, for the sponsor who made it."""
    require_role(sponsor, Role.SPONSOR)
    sponsorship = deps.sponsorships.get(sponsorship_id)
    if sponsorship is None or sponsorship.sponsor_id != sponsor.id:
        raise NotFound(Worded(N_("No sponsorship %(id)s."), id=sponsorship_id))
    return sponsorship, deps.vouchers.for_sponsorship(sponsorship.id)


def my_sponsorships(deps: Deps, sponsor: User) -> list[tuple[Sponsorship, list[Voucher]]]:
    """Every purchase of the sponsor, newest first, with vouchers."""
    require_role(sponsor, Role.SPONSOR)
    return [(s, deps.vouchers.for_sponsorship(s.id)) for s in deps.sponsorships.for_sponsor(sponsor.id)]


def pay_sponsorship(deps: Deps, sponsor: User, sponsorship_id: str, payment_method: str | None) -> dict[str, Any]:
    """The PaymentIntent to pay; with ``payment_method`` the payments worker confirms it."""
    sponsorship, _ = get_sponsorship(deps, sponsor, sponsorship_id)
    refusal = payment_refusal(sponsorship)
    if refusal is not None:
        raise Conflict(refusal)
    intent_id = sponsorship.payment["intent_id"]
    if payment_method:
        submitted = _changed(
            SponsorshipPaymentSubmitted, sponsorship, payment_intent_id=intent_id, payment_method=payment_method
        )
        deps.publisher.publish(new_event(submitted, deps.policy.source))
    return {
        "sponsorship_id": sponsorship.id, "payment_intent_id": intent_id,
        "client_secret": sponsorship.payment.get("client_secret"), "amount": sponsorship.amount,
        "currency": sponsorship.currency, "status": sponsorship.payment.get("status"),
        "submitted": bool(payment_method),
    }  # fmt: skip


def _changed(kind: type[S], sponsorship: Sponsorship, **about: Any) -> S:
    """The ``kind`` event of the purchase, with the optional fields (``about``) that type sends."""
    return kind(
        sponsorship_id=sponsorship.id, sponsor_id=sponsorship.sponsor_id, training_id=sponsorship.training_id,
        seats=sponsorship.seats, amount=sponsorship.amount, currency=sponsorship.currency, **about,
    )  # fmt: skip
