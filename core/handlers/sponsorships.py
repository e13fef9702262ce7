"""The payments worker's sponsor side: a purchase's PaymentIntent made once and confirmed once, one
voucher per seat once paid, and every cent back when its training is cancelled.

Each step is guarded (a claim before Stripe, a guarded status change, one voucher per slot),
and every announcement has an id derived from the purchase, so a replay changes nothing.
"""

from __future__ import annotations

import secrets

from core import ports
from core.errors import Forbidden, NotFound, PaymentDeclined
from core.handlers.ledger import record_sponsorship_refund
from core.handlers.payments import confirm_once, ensure_intent
from core.model import TrainingStatus
from core.services.deps import Clock, Policy
from core.services.sponsorships import _changed
from core.sponsoring import Sponsorship, SponsorshipStatus, Voucher
from core.words import N_
from events import (
    SponsorshipCancelled,
    SponsorshipPaid,
    SponsorshipPaymentSubmitted,
    SponsorshipRefunded,
    SponsorshipRequested,
    TrainingCancelled,
    VouchersIssued,
)
from events.envelope import Event, derived_id, new_event, reaction

SOURCE = "payments-worker"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are typed by people


def on_sponsorship_requested(
    event: Event, sponsorships: ports.Sponsorships, trainings: ports.Trainings, payments: ports.PaymentGateway,
    publisher: ports.EventPublisher, clock: Clock,
) -> None:  # fmt: skip
    """Create the purchase's PaymentIntent, once; none for a training cancelled meanwhile."""
    sponsorship = _load(sponsorships, event.payload_as(SponsorshipRequested).sponsorship_id)
    if sponsorship.status is not SponsorshipStatus.PAYMENT_PENDING:
        return
    training = trainings.get(sponsorship.training_id)
    if training is None or training.status is not TrainingStatus.PUBLISHED:
        _call_off(event, sponsorship, sponsorships, publisher, clock)
        return
    if not sponsorship.payment.get("intent_id"):
        intent = ensure_intent(
            payments, reference=sponsorship.id,
            claimed_first=sponsorships.claim_payment_intent(sponsorship.id, clock()),
            amount=sponsorship.amount, currency=sponsorship.currency,
            metadata={"kind": "sponsorship", "sponsorship_id": sponsorship.id,
                      "training_id": sponsorship.training_id, "sponsor_id": sponsorship.sponsor_id},
        )  # fmt: skip
        sponsorships.update_payment(
            sponsorship.id, {"intent_id": intent.id, "client_secret": intent.client_secret, "status": intent.status}
        )


def on_sponsorship_payment_submitted(
    event: Event, sponsorships: ports.Sponsorships, payments: ports.PaymentGateway
) -> None:
    """Confirm the purchase's PaymentIntent with the sponsor's payment method, at most once."""
    submitted = event.payload_as(SponsorshipPaymentSubmitted)
    sponsorship = _load(sponsorships, submitted.sponsorship_id)
    if sponsorship.status is not SponsorshipStatus.PAYMENT_PENDING:
        return  # paid, or called off with its training: nothing to charge
    assert submitted.payment_intent_id is not None and submitted.payment_method is not None  # sent with this type
    intent = payments.retrieve_intent(submitted.payment_intent_id)
    if intent.metadata.get("sponsorship_id") != sponsorship.id:
        raise Forbidden("This PaymentIntent does not belong to this sponsorship.")
    try:
        confirmed = confirm_once(payments, intent, submitted.payment_method)
    except PaymentDeclined as declined:
        sponsorships.update_payment(sponsorship.id, {"status": "failed", "failure": declined.message})
        return
    if confirmed is not None:
        sponsorships.update_payment(sponsorship.id, {"status": confirmed.status, "failure": None})


def on_sponsorship_paid(
    event: Event, sponsorships: ports.Sponsorships, trainings: ports.Trainings, vouchers: ports.Vouchers,
    payments: ports.PaymentGateway, ledger: ports.Ledger, publisher: ports.EventPublisher, policy: Policy,
    clock: Clock,
) -> None:  # fmt: skip
    """Mark the purchase paid and issue one voucher per seat (a replay issues nothing new); money that
    arrives for a training cancelled meanwhile goes straight back."""
    sponsorship = _load(sponsorships, event.payload_as(SponsorshipPaid).sponsorship_id)
    now = clock()
    if sponsorship.status is SponsorshipStatus.CANCELLED:
        # Called off with its training, then paid anyway (an intent confirmed in a browser).
        sponsorships.close(sponsorship.id, SponsorshipStatus.CANCELLED, SponsorshipStatus.PAID, now)
    sponsorships.mark_paid(sponsorship.id, now)
    sponsorships.update_payment(sponsorship.id, {"status": "succeeded"})
    training = trainings.get(sponsorship.training_id)
    if training is None or training.status is TrainingStatus.CANCELLED:
        _refund(_load(sponsorships, sponsorship.id), "The training was cancelled.", sponsorships, trainings, vouchers,
                payments, ledger, publisher, policy, clock)  # fmt: skip
        return
    for slot in range(sponsorship.seats):
        code = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        vouchers.issue(
            Voucher(code=code, sponsorship_id=sponsorship.id, sponsor_id=sponsorship.sponsor_id,
                    training_id=sponsorship.training_id, issued_at=now),
            slot,
        )  # fmt: skip
    codes = [v.code for v in vouchers.for_sponsorship(sponsorship.id)]
    publisher.publish(reaction(event, _changed(VouchersIssued, sponsorship, codes=codes), source=SOURCE))


def on_training_cancelled(
    event: Event, sponsorships: ports.Sponsorships, trainings: ports.Trainings, vouchers: ports.Vouchers,
    payments: ports.PaymentGateway, ledger: ports.Ledger, publisher: ports.EventPublisher, policy: Policy,
    clock: Clock,
) -> None:  # fmt: skip
    """Every cent a sponsor paid for the cancelled training's seats goes back, and its vouchers are void;
    a purchase not paid yet is called off. The sponsor is told either way."""
    cancelled = event.payload_as(TrainingCancelled)
    reason = cancelled.reason or N_("The training was cancelled by its expert.")
    for sponsorship in sponsorships.for_training(cancelled.training_id):
        if sponsorship.status is SponsorshipStatus.PAYMENT_PENDING and not _paid_meanwhile(
            sponsorship, sponsorships, payments, clock
        ):
            _call_off(event, sponsorship, sponsorships, publisher, clock)
        elif sponsorship.status is not SponsorshipStatus.CANCELLED:
            # Paid (or paid meanwhile), or refunded by an earlier delivery of this event, which
            # this re-announces under the same id and refunds nothing more.
            _refund(_load(sponsorships, sponsorship.id), reason, sponsorships, trainings, vouchers, payments, ledger,
                    publisher, policy, clock)  # fmt: skip


def _paid_meanwhile(
    sponsorship: Sponsorship, sponsorships: ports.Sponsorships, payments: ports.PaymentGateway, clock: Clock
) -> bool:
    """Cancel the purchase's unpaid PaymentIntent; True if it turns out paid (its webhook is on its way)."""
    intent_id = sponsorship.payment.get("intent_id")
    if not intent_id:
        return False
    intent = payments.retrieve_intent(intent_id)
    if intent.status not in ("succeeded", "canceled"):
        payments.cancel_intent(intent_id)
        intent = payments.retrieve_intent(intent_id)
    if intent.status != "succeeded":
        return False
    sponsorships.mark_paid(sponsorship.id, clock())
    sponsorships.update_payment(sponsorship.id, {"status": "succeeded"})
    return True


def _call_off(
    cause: Event, sponsorship: Sponsorship, sponsorships: ports.Sponsorships, publisher: ports.EventPublisher,
    clock: Clock,
) -> None:  # fmt: skip
    """An unpaid purchase of a cancelled training: nothing to pay any more, and the sponsor hears of it."""
    sponsorships.close(sponsorship.id, SponsorshipStatus.PAYMENT_PENDING, SponsorshipStatus.CANCELLED, clock())
    if _load(sponsorships, sponsorship.id).status is not SponsorshipStatus.CANCELLED:
        return
    why = N_("The training was cancelled before the payment.")
    called_off = _changed(SponsorshipCancelled, sponsorship, reason=why)
    publisher.publish(new_event(
        called_off, SOURCE, id=derived_id(sponsorship.id, SponsorshipCancelled.TYPE),
        correlation_id=cause.correlation_id,
    ))  # fmt: skip


def _refund(
    sponsorship: Sponsorship, reason: str, sponsorships: ports.Sponsorships, trainings: ports.Trainings,
    vouchers: ports.Vouchers, payments: ports.PaymentGateway, ledger: ports.Ledger, publisher: ports.EventPublisher,
    policy: Policy, clock: Clock,
) -> None:  # fmt: skip
    """Give the whole purchase back, once whatever the redeliveries, void its vouchers, tell the sponsor.

    The sponsor gets everything back even when some codes were used: the training did not take
    place for anyone.
    """
    intent_id = sponsorship.payment.get("intent_id")
    if not intent_id:
        raise NotFound(f"Sponsorship {sponsorship.id} is paid but has no PaymentIntent.")
    now = clock()
    refund_id = sponsorship.payment.get("refund_id")
    if not refund_id:
        first = sponsorships.claim_refund(sponsorship.id, now)
        # Claimed before without a refund id: we may have died right after Stripe refunded.
        existing = [] if first else payments.refunds_of(intent_id)
        refund_id = existing[0] if existing else payments.refund(
            intent_id, sponsorship.amount, f"{sponsorship.id}-refund")  # fmt: skip
        sponsorships.update_payment(sponsorship.id, {"refund_id": refund_id, "refunded_amount": sponsorship.amount})
    vouchers.void_sponsorship(sponsorship.id, now)
    sponsorships.close(sponsorship.id, SponsorshipStatus.PAID, SponsorshipStatus.REFUNDED, now)
    record_sponsorship_refund(ledger, trainings, policy, clock, sponsorship.id, sponsorship.training_id, intent_id,
                              refund_id, sponsorship.amount, sponsorship.currency)  # fmt: skip
    refunded = _changed(
        SponsorshipRefunded, sponsorship, payment_intent_id=intent_id, refund_id=refund_id, reason=reason
    )
    # One id per purchase, whichever cause refunded it (the cancellation, or a late payment).
    publisher.publish(new_event(refunded, SOURCE, id=derived_id(sponsorship.id, SponsorshipRefunded.TYPE)))


def _load(sponsorships: ports.Sponsorships, sponsorship_id: str) -> Sponsorship:
    sponsorship = sponsorships.get(sponsorship_id)
    if sponsorship is None:
        raise NotFound(f"No sponsorship {sponsorship_id}.")
    return sponsorship


HANDLERS = {
    SponsorshipRequested: [on_sponsorship_requested],
    SponsorshipPaymentSubmitted: [on_sponsorship_payment_submitted],
    SponsorshipPaid: [on_sponsorship_paid],
    TrainingCancelled: [on_training_cancelled],
}
