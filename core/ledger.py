"""The ledger: every movement of money, split between the platform and the expert.

One entry per Stripe charge and per Stripe refund, each with a deterministic id, so
recording an entry twice is a no-op. For every entry
``gross == service_fee + platform_fee + expert_amount``: the money that moved, and
whose it is. Charges are positive, refunds negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.fees import FeePolicy


class EntryKind(StrEnum):
    """What moved the money."""

    CHARGE = "charge"
    REFUND = "refund"


class Payer(StrEnum):
    """Who paid: a trainee for a booking, or a sponsor for seats."""

    BOOKING = "booking"
    SPONSORSHIP = "sponsorship"


@dataclass(frozen=True)
class LedgerEntry:
    """One charge or refund, as Stripe made it, with its split."""

    id: str  # "charge:<payment intent>" or "refund:<refund>"
    kind: EntryKind
    payer: Payer
    reference: str  # the booking or sponsorship id
    training_id: str
    expert_id: str
    currency: str
    gross: int
    service_fee: int
    platform_fee: int
    expert_amount: int
    payment_intent_id: str
    at: datetime
    refund_id: str | None = None
    fee_rate_bp: int = 0  # the commission rate in force at the charge, kept for refunds


def charge_entry(
    fees: FeePolicy,
    payer: Payer,
    reference: str,
    training_id: str,
    expert_id: str,
    payment_intent_id: str,
    gross: int,
    service_fee: int,
    currency: str,
    at: datetime,
) -> LedgerEntry:
    """The entry of a succeeded charge of ``gross``, ``service_fee`` of it the platform's."""
    price = gross - service_fee
    platform_fee = fees.platform_fee(price)
    return LedgerEntry(
        id=f"charge:{payment_intent_id}",
        kind=EntryKind.CHARGE,
        payer=payer,
        reference=reference,
        training_id=training_id,
        expert_id=expert_id,
        currency=currency,
        gross=gross,
        service_fee=service_fee,
        platform_fee=platform_fee,
        expert_amount=price - platform_fee,
        payment_intent_id=payment_intent_id,
        at=at,
        fee_rate_bp=fees.platform_fee_bp,
    )


def refund_entry(
    charge: LedgerEntry, earlier_refunds: list[LedgerEntry], refund_id: str, amount: int, at: datetime
) -> LedgerEntry:
    """The entry of a refund of ``amount`` on ``charge``, after ``earlier_refunds`` of it.

    A refund gives back the price first and the service fee last (only a refund of the
    whole payment, e.g. money that arrived after the seat was gone, reaches it). The
    commission follows the price kept, so the expert and the platform give back their
    own shares, and the sum over a charge and its refunds is what a smaller charge
    would have been.
    """
    fees = FeePolicy(service_fee_bp=0, platform_fee_bp=charge.fee_rate_bp)
    price = charge.gross - charge.service_fee
    refunded_before = -sum(r.gross for r in earlier_refunds)
    if amount <= 0 or refunded_before + amount > charge.gross:
        raise ValueError(f"Refund of {amount} exceeds what is left of charge {charge.id}.")
    price_refunded_before = min(refunded_before, price)
    price_refunded = min(refunded_before + amount, price)
    service_fee_back = amount - (price_refunded - price_refunded_before)
    platform_before = fees.platform_fee(price - price_refunded_before)
    platform_after = fees.platform_fee(price - price_refunded)
    platform_back = platform_before - platform_after
    return LedgerEntry(
        id=f"refund:{refund_id}",
        kind=EntryKind.REFUND,
        payer=charge.payer,
        reference=charge.reference,
        training_id=charge.training_id,
        expert_id=charge.expert_id,
        currency=charge.currency,
        gross=-amount,
        service_fee=-service_fee_back,
        platform_fee=-platform_back,
        expert_amount=-(amount - service_fee_back - platform_back),
        payment_intent_id=charge.payment_intent_id,
        at=at,
        refund_id=refund_id,
        fee_rate_bp=charge.fee_rate_bp,
    )


@dataclass(frozen=True)
class PayoutLine:
    """What one expert earned in one currency over a period."""

    expert_id: str
    currency: str
    charges: int  # number of charges
    refunds: int  # number of refunds
    gross: int
    service_fees: int
    platform_fees: int
    owed: int  # the expert's amount: what the platform pays out


def payout_lines(entries: list[LedgerEntry]) -> list[PayoutLine]:
    """Sum entries per expert and currency, sorted by expert then currency."""
    lines: dict[tuple[str, str], PayoutLine] = {}
    for e in entries:
        line = lines.get((e.expert_id, e.currency)) or PayoutLine(e.expert_id, e.currency, 0, 0, 0, 0, 0, 0)
        lines[(e.expert_id, e.currency)] = PayoutLine(
            expert_id=e.expert_id,
            currency=e.currency,
            charges=line.charges + (e.kind is EntryKind.CHARGE),
            refunds=line.refunds + (e.kind is EntryKind.REFUND),
            gross=line.gross + e.gross,
            service_fees=line.service_fees + e.service_fee,
            platform_fees=line.platform_fees + e.platform_fee,
            owed=line.owed + e.expert_amount,
        )
    return [lines[k] for k in sorted(lines)]


def lines_by_training(entries: list[LedgerEntry]) -> list[tuple[str, PayoutLine]]:
    """One expert's entries summed per training and currency, as ``payout_lines`` sums them per
    expert: the training ids in the order their first entry came (the period's story)."""
    grouped: dict[str, list[LedgerEntry]] = {}
    for e in sorted(entries, key=lambda e: e.at):
        grouped.setdefault(e.training_id, []).append(e)
    return [(training_id, line) for training_id, some in grouped.items() for line in payout_lines(some)]
