"""Sponsored seats: a sponsor pays for seats on a training; each becomes a voucher code."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from core.errors import Conflict, Forbidden, NotFound, PaymentDeclined
from core.model import Role, TrainingStatus, User
from core.services import ledger
from core.services.accounts import require_role
from core.services.announce import announce
from core.services.deps import Deps
from core.services.payments import confirm_once, ensure_intent
from core.services.seating import seats_left
from core.services.trainings import get_training
from core.sponsoring import Sponsorship, SponsorshipStatus, Voucher
from events.envelope import Event, derived_id, reaction
from events.types import EventType

SOURCE = "payments-worker"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are typed by people


def buy_seats(deps: Deps, sponsor: User, training_id: str, seats: int) -> Sponsorship:
    """Start a purchase of ``seats`` seats; the payments worker prepares the PaymentIntent."""
    require_role(sponsor, Role.SPONSOR)
    training = get_training(deps, training_id)
    if training.status is not TrainingStatus.PUBLISHED:
        raise Conflict(f"Seats can be sponsored only on a published training; this one is {training.status}.")
    if not training.price:
        raise Conflict("This training is free: there is nothing to sponsor.")
    left = seats_left(deps, training) or 0
    if seats > left:
        raise Conflict("Not that many seats are left.", {"seats": [f"At most {left} seats are left."]})
    assert training.currency is not None
    sponsorship = Sponsorship(
        id=str(uuid.uuid4()), sponsor_id=sponsor.id, training_id=training.id, seats=seats,
        amount=seats * training.price, currency=training.currency, status=SponsorshipStatus.PAYMENT_PENDING,
        created_at=deps.clock(),
    )  # fmt: skip
    requested = Event(
        type=EventType.SPONSORSHIP_REQUESTED, subject=sponsorship.id, key=training.id,
        source=deps.policy.source, id=sponsorship.id, data=_payload(sponsorship),
    )  # fmt: skip
    deps.sponsorships.add(sponsorship, announcing=requested)
    announce(deps, "sponsorships", sponsorship.id)
    return sponsorship


def get_sponsorship(deps: Deps, sponsor: User, sponsorship_id: str) -> tuple[Sponsorship, list[Voucher]]:
    """A purchase with its vouchers, for the sponsor who made it."""
    require_role(sponsor, Role.SPONSOR)
    sponsorship = deps.sponsorships.get(sponsorship_id)
    if sponsorship is None or sponsorship.sponsor_id != sponsor.id:
        raise NotFound(f"No sponsorship {sponsorship_id}.")
    return sponsorship, deps.vouchers.for_sponsorship(sponsorship.id)


def my_sponsorships(deps: Deps, sponsor: User) -> list[tuple[Sponsorship, list[Voucher]]]:
    """Every purchase of the sponsor, newest first, with vouchers."""
    require_role(sponsor, Role.SPONSOR)
    return [(s, deps.vouchers.for_sponsorship(s.id)) for s in deps.sponsorships.for_sponsor(sponsor.id)]


def pay_sponsorship(deps: Deps, sponsor: User, sponsorship_id: str, payment_method: str | None) -> dict[str, Any]:
    """The PaymentIntent to pay; with ``payment_method`` the payments worker confirms it."""
    sponsorship, _ = get_sponsorship(deps, sponsor, sponsorship_id)
    if sponsorship.status is SponsorshipStatus.PAID:
        raise Conflict("This sponsorship is paid.")
    if sponsorship.status is not SponsorshipStatus.PAYMENT_PENDING:
        raise Conflict(f"This sponsorship is {sponsorship.status}: its training was cancelled.")
    intent_id = sponsorship.payment.get("intent_id")
    if not intent_id:
        raise Conflict("The payment is being prepared; try again in a moment.")
    if payment_method:
        deps.publisher.publish(Event(
            type=EventType.SPONSORSHIP_PAYMENT_SUBMITTED, subject=sponsorship.id, key=sponsorship.training_id,
            source=deps.policy.source,
            data={**_payload(sponsorship), "payment_intent_id": intent_id, "payment_method": payment_method},
        ))  # fmt: skip
    return {
        "sponsorship_id": sponsorship.id, "payment_intent_id": intent_id,
        "client_secret": sponsorship.payment.get("client_secret"), "amount": sponsorship.amount,
        "currency": sponsorship.currency, "status": sponsorship.payment.get("status"),
        "submitted": bool(payment_method),
    }  # fmt: skip


# --- the payments worker -------------------------------------------------------------


def on_sponsorship_requested(deps: Deps, event: Event) -> None:
    """Create the purchase's PaymentIntent, once; none for a training cancelled meanwhile."""
    sponsorship = _load(deps, event.data["sponsorship_id"])
    if sponsorship.status is not SponsorshipStatus.PAYMENT_PENDING:
        return
    training = deps.trainings.get(sponsorship.training_id)
    if training is None or training.status is not TrainingStatus.PUBLISHED:
        _call_off(deps, event, sponsorship)
        return
    if not sponsorship.payment.get("intent_id"):
        intent = ensure_intent(
            deps, reference=sponsorship.id,
            claimed_first=deps.sponsorships.claim_payment_intent(sponsorship.id, deps.clock()),
            amount=sponsorship.amount, currency=sponsorship.currency,
            metadata={"kind": "sponsorship", "sponsorship_id": sponsorship.id,
                      "training_id": sponsorship.training_id, "sponsor_id": sponsorship.sponsor_id},
        )  # fmt: skip
        deps.sponsorships.update_payment(
            sponsorship.id, {"intent_id": intent.id, "client_secret": intent.client_secret, "status": intent.status}
        )


def on_sponsorship_payment_submitted(deps: Deps, event: Event) -> None:
    """Confirm the purchase's PaymentIntent with the sponsor's payment method, at most once."""
    sponsorship = _load(deps, event.data["sponsorship_id"])
    if sponsorship.status is not SponsorshipStatus.PAYMENT_PENDING:
        return  # paid, or called off with its training: nothing to charge
    intent = deps.payments.retrieve_intent(event.data["payment_intent_id"])
    if intent.metadata.get("sponsorship_id") != sponsorship.id:
        raise Forbidden("This PaymentIntent does not belong to this sponsorship.")
    try:
        confirmed = confirm_once(deps, intent, event.data["payment_method"])
    except PaymentDeclined as declined:
        deps.sponsorships.update_payment(sponsorship.id, {"status": "failed", "failure": declined.message})
        return
    if confirmed is not None:
        deps.sponsorships.update_payment(sponsorship.id, {"status": confirmed.status, "failure": None})


def on_sponsorship_paid(deps: Deps, event: Event) -> None:
    """Mark the purchase paid and issue one voucher per seat (a replay issues nothing new); money that
    arrives for a training cancelled meanwhile goes straight back."""
    sponsorship = _load(deps, event.data["sponsorship_id"])
    now = deps.clock()
    if sponsorship.status is SponsorshipStatus.CANCELLED:
        # Called off with its training, then paid anyway (an intent confirmed in a browser).
        deps.sponsorships.close(sponsorship.id, SponsorshipStatus.CANCELLED, SponsorshipStatus.PAID, now)
    deps.sponsorships.mark_paid(sponsorship.id, now)
    deps.sponsorships.update_payment(sponsorship.id, {"status": "succeeded"})
    training = deps.trainings.get(sponsorship.training_id)
    if training is None or training.status is TrainingStatus.CANCELLED:
        _refund(deps, _load(deps, sponsorship.id), "The training was cancelled.")
        return
    for slot in range(sponsorship.seats):
        code = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        deps.vouchers.issue(
            Voucher(code=code, sponsorship_id=sponsorship.id, sponsor_id=sponsorship.sponsor_id,
                    training_id=sponsorship.training_id, issued_at=now),
            slot,
        )  # fmt: skip
    codes = [v.code for v in deps.vouchers.for_sponsorship(sponsorship.id)]
    deps.publisher.publish(reaction(
        event, EventType.VOUCHERS_ISSUED, {**_payload(sponsorship), "codes": codes}, source=SOURCE,
        subject=sponsorship.id, key=sponsorship.training_id,
    ))  # fmt: skip


def on_training_cancelled(deps: Deps, event: Event) -> None:
    """Every cent a sponsor paid for the cancelled training's seats goes back, and its vouchers are void;
    a purchase not paid yet is called off. The sponsor is told either way."""
    reason = event.data.get("reason") or "The training was cancelled by its expert."
    for sponsorship in deps.sponsorships.for_training(event.data["training_id"]):
        if sponsorship.status is SponsorshipStatus.PAYMENT_PENDING and not _paid_meanwhile(deps, sponsorship):
            _call_off(deps, event, sponsorship)
        elif sponsorship.status is not SponsorshipStatus.CANCELLED:
            # Paid (or paid meanwhile), or refunded by an earlier delivery of this event, which
            # this re-announces under the same id and refunds nothing more.
            _refund(deps, _load(deps, sponsorship.id), reason)


def _paid_meanwhile(deps: Deps, sponsorship: Sponsorship) -> bool:
    """Cancel the purchase's unpaid PaymentIntent; True if it turns out paid (its webhook is on its way)."""
    intent_id = sponsorship.payment.get("intent_id")
    if not intent_id:
        return False
    intent = deps.payments.retrieve_intent(intent_id)
    if intent.status not in ("succeeded", "canceled"):
        deps.payments.cancel_intent(intent_id)
        intent = deps.payments.retrieve_intent(intent_id)
    if intent.status != "succeeded":
        return False
    deps.sponsorships.mark_paid(sponsorship.id, deps.clock())
    deps.sponsorships.update_payment(sponsorship.id, {"status": "succeeded"})
    return True


def _call_off(deps: Deps, cause: Event, sponsorship: Sponsorship) -> None:
    """An unpaid purchase of a cancelled training: nothing to pay any more, and the sponsor hears of it."""
    deps.sponsorships.close(sponsorship.id, SponsorshipStatus.PAYMENT_PENDING, SponsorshipStatus.CANCELLED,
                            deps.clock())  # fmt: skip
    if _load(deps, sponsorship.id).status is not SponsorshipStatus.CANCELLED:
        return
    deps.publisher.publish(Event(
        type=EventType.SPONSORSHIP_CANCELLED, subject=sponsorship.id, key=sponsorship.training_id, source=SOURCE,
        id=derived_id(sponsorship.id, "sponsorship.cancelled"), correlation_id=cause.correlation_id,
        data={**_payload(sponsorship), "reason": "The training was cancelled before the payment."},
    ))  # fmt: skip


def _refund(deps: Deps, sponsorship: Sponsorship, reason: str) -> None:
    """Give the whole purchase back, once whatever the redeliveries, void its vouchers, tell the sponsor.

    The sponsor gets everything back even when some codes were used: the training did not take
    place for anyone.
    """
    intent_id = sponsorship.payment.get("intent_id")
    if not intent_id:
        raise NotFound(f"Sponsorship {sponsorship.id} is paid but has no PaymentIntent.")
    now = deps.clock()
    refund_id = sponsorship.payment.get("refund_id")
    if not refund_id:
        first = deps.sponsorships.claim_refund(sponsorship.id, now)
        # Claimed before without a refund id: we may have died right after Stripe refunded.
        existing = [] if first else deps.payments.refunds_of(intent_id)
        refund_id = existing[0] if existing else deps.payments.refund(
            intent_id, sponsorship.amount, f"{sponsorship.id}-refund")  # fmt: skip
        deps.sponsorships.update_payment(
            sponsorship.id, {"refund_id": refund_id, "refunded_amount": sponsorship.amount}
        )
    deps.vouchers.void_sponsorship(sponsorship.id, now)
    deps.sponsorships.close(sponsorship.id, SponsorshipStatus.PAID, SponsorshipStatus.REFUNDED, now)
    ledger.record_sponsorship_refund(deps, sponsorship.id, sponsorship.training_id, intent_id, refund_id,
                                     sponsorship.amount, sponsorship.currency)  # fmt: skip
    deps.publisher.publish(Event(
        type=EventType.SPONSORSHIP_REFUNDED, subject=sponsorship.id, key=sponsorship.training_id, source=SOURCE,
        # One id per purchase, whichever cause refunded it (the cancellation, or a late payment).
        id=derived_id(sponsorship.id, "sponsorship.refunded"),
        data={**_payload(sponsorship), "payment_intent_id": intent_id, "refund_id": refund_id, "reason": reason},
    ))  # fmt: skip


def _load(deps: Deps, sponsorship_id: str) -> Sponsorship:
    sponsorship = deps.sponsorships.get(sponsorship_id)
    if sponsorship is None:
        raise NotFound(f"No sponsorship {sponsorship_id}.")
    return sponsorship


def _payload(sponsorship: Sponsorship) -> dict[str, Any]:
    return {
        "sponsorship_id": sponsorship.id, "sponsor_id": sponsorship.sponsor_id,
        "training_id": sponsorship.training_id, "seats": sponsorship.seats, "amount": sponsorship.amount,
        "currency": sponsorship.currency,
    }  # fmt: skip


HANDLERS = {
    EventType.SPONSORSHIP_REQUESTED: [on_sponsorship_requested],
    EventType.SPONSORSHIP_PAYMENT_SUBMITTED: [on_sponsorship_payment_submitted],
    EventType.SPONSORSHIP_PAID: [on_sponsorship_paid],
    EventType.TRAINING_CANCELLED: [on_training_cancelled],
}
