"""The ledger's use cases: report payouts, reconcile with Stripe.

The payments worker records each charge and refund, once (``core/handlers/ledger.py``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import ValidationError
from core.fees import decimal_text, money_text
from core.ledger import EntryKind, LedgerEntry, PayoutLine, payout_lines
from core.model import Role, User
from core.services.accounts import require_role
from core.services.deps import Deps


@dataclass(frozen=True)
class Period:
    """``start <= at < end``, both UTC."""

    start: datetime
    end: datetime


def check_period(start: datetime, end: datetime) -> Period:
    """A valid reporting period, or a ``ValidationError`` naming the field."""
    if end <= start:
        raise ValidationError("The period is empty.", {"to": ["Must be after 'from'."]})
    return Period(start, end)


def my_payouts(deps: Deps, expert: User, period: Period) -> tuple[list[PayoutLine], list[LedgerEntry]]:
    """An expert's totals per currency over the period, and the entries behind them."""
    require_role(expert, Role.EXPERT)
    entries = deps.ledger.entries(period.start, period.end, expert.id)
    return payout_lines(entries), entries


def payouts(deps: Deps, admin: User, period: Period) -> tuple[list[PayoutLine], dict[str, User]]:
    """Every expert's payout over the period, per currency, and the experts by id (admin)."""
    require_role(admin, Role.ADMIN)
    lines = payout_lines(deps.ledger.entries(period.start, period.end))
    return lines, deps.users.many(sorted({line.expert_id for line in lines}))


def payouts_csv(deps: Deps, admin: User, period: Period) -> str:
    """Every expert's payout over the period, one CSV row per expert and currency."""
    lines, experts = payouts(deps, admin, period)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["period_start", "period_end", "expert_id", "expert_name", "expert_email", "currency", "charges",
                     "refunds", "gross", "service_fees", "platform_fees", "owed_to_expert"])  # fmt: skip
    for line in lines:
        expert = experts.get(line.expert_id)
        writer.writerow([
            period.start.isoformat(), period.end.isoformat(), line.expert_id, expert.name if expert else "",
            expert.email if expert else "", line.currency.upper(), line.charges, line.refunds,
            *(decimal_text(x) for x in (line.gross, line.service_fees, line.platform_fees, line.owed)),
        ])  # fmt: skip
    return out.getvalue()


LOOKBEHIND = timedelta(days=1)


@dataclass(frozen=True)
class Difference:
    """One disagreement between the ledger and the payment provider."""

    kind: str  # missing_in_ledger, missing_in_stripe, amount_mismatch
    object_id: str  # the PaymentIntent or refund id
    detail: str


def reconcile(deps: Deps, period: Period) -> list[Difference]:
    """Compare the ledger with Stripe's succeeded PaymentIntents and refunds over the period.

    Stripe is listed from the period's start; ledger entries are dated when recorded, a
    little after Stripe's objects, so the ledger is read until now rather than the end.
    """
    differences: list[Difference] = []
    entries = deps.ledger.entries(period.start, max(period.end, deps.clock()))
    charges = {e.payment_intent_id: e for e in entries if e.kind is EntryKind.CHARGE}
    refunds = {e.refund_id: e for e in entries if e.kind is EntryKind.REFUND}
    # Listed from a day earlier: a charge of the period may belong to an older PaymentIntent.
    paid = {p.id: p for p in deps.payments.payments_since(period.start - LOOKBEHIND) if p.created < period.end}
    for intent in paid.values():
        if intent.status != "succeeded" or intent.created < period.start:
            continue
        entry = charges.get(intent.id)
        if entry is None:
            differences.append(Difference("missing_in_ledger", intent.id,
                f"Stripe charged {money_text(intent.amount_received, intent.currency)} "
                f"({_what(intent.metadata)}); the ledger has no charge."))  # fmt: skip
        elif entry.gross != intent.amount_received or entry.currency != intent.currency:
            differences.append(Difference("amount_mismatch", intent.id,
                f"Stripe charged {money_text(intent.amount_received, intent.currency)}; "
                f"the ledger says {money_text(entry.gross, entry.currency)}."))  # fmt: skip
    for entry in charges.values():
        found = paid.get(entry.payment_intent_id)
        if entry.at < period.end and (found is None or found.status != "succeeded"):
            state = found.status if found else "not found"
            differences.append(Difference("missing_in_stripe", entry.payment_intent_id,
                f"The ledger has a charge of {money_text(entry.gross, entry.currency)} for {entry.payer} "
                f"{entry.reference}; in Stripe the PaymentIntent is {state}."))  # fmt: skip
    made = {r.id: r for r in deps.payments.refunds_since(period.start - LOOKBEHIND) if r.created < period.end}
    for refund in made.values():
        if refund.status != "succeeded" or refund.created < period.start:
            continue
        entry = refunds.get(refund.id)
        if entry is None:
            differences.append(Difference("missing_in_ledger", refund.id,
                f"Stripe refunded {money_text(refund.amount, refund.currency)} of {refund.payment_intent_id}; "
                "the ledger has no refund."))  # fmt: skip
        elif -entry.gross != refund.amount:
            differences.append(Difference("amount_mismatch", refund.id,
                f"Stripe refunded {money_text(refund.amount, refund.currency)}; "
                f"the ledger says {money_text(-entry.gross, entry.currency)}."))  # fmt: skip
    for refund_id, entry in refunds.items():
        if entry.at < period.end and refund_id not in made:
            differences.append(Difference("missing_in_stripe", refund_id or "",
                f"The ledger has a refund of {money_text(-entry.gross, entry.currency)} on "
                f"{entry.payment_intent_id}; Stripe has no such refund."))  # fmt: skip
    return differences


def _what(metadata: dict[str, str]) -> str:
    if "booking_id" in metadata:
        return f"booking {metadata['booking_id']}"
    if "sponsorship_id" in metadata:
        return f"sponsorship {metadata['sponsorship_id']}"
    return "not made by the marketplace"
