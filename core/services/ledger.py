"""The ledger's use cases: report payouts, reconcile with Stripe.

The payments worker records each charge and refund, once (``core/handlers/ledger.py``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.errors import ValidationError
from core.fees import decimal_text, money_text
from core.ledger import EntryKind, LedgerEntry, PayoutLine, payout_lines
from core.model import Role, User
from core.services.accounts import require_role
from core.services.deps import Deps
from core.words import N_


@dataclass(frozen=True)
class Period:
    """``start <= at < end``, both UTC."""

    start: datetime
    end: datetime


def check_period(start: datetime, end: datetime) -> Period:
    """A valid reporting period, or a ``ValidationError`` naming the field."""
    if end <= start:
        raise ValidationError(N_("The period is empty."), {"to": [N_("Must be after 'from'.")]})
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


# A fact that is an amount: (minor units, currency), worded where the difference is shown.
Amount = tuple[int, str]


@dataclass(frozen=True)
class Difference:
    """One disagreement between the ledger and the payment provider.

    Its detail is a marked message and its facts, so the desk words it in the admin's language;
    ``detail`` is the English the command, the logs and the API print."""

    kind: str  # missing_in_ledger, missing_in_stripe, amount_mismatch
    object_id: str  # the PaymentIntent or refund id
    message: str
    facts: dict[str, str | Amount] = field(default_factory=dict)

    @property
    def detail(self) -> str:
        """The difference in English, amounts as ``472.50 EUR``."""
        return self.message % {k: money_text(*v) if isinstance(v, tuple) else v for k, v in self.facts.items()}


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
        received = (intent.amount_received, intent.currency)
        if entry is None:
            message, facts = _unrecorded_charge(intent.metadata)
            differences.append(Difference("missing_in_ledger", intent.id, message, {"amount": received, **facts}))
        elif entry.gross != intent.amount_received or entry.currency != intent.currency:
            differences.append(Difference("amount_mismatch", intent.id,
                N_("Stripe charged %(stripe)s; the ledger says %(ledger)s."),
                {"stripe": received, "ledger": (entry.gross, entry.currency)}))  # fmt: skip
    for entry in charges.values():
        found = paid.get(entry.payment_intent_id)
        if entry.at < period.end and (found is None or found.status != "succeeded"):
            differences.append(Difference("missing_in_stripe", entry.payment_intent_id,
                N_("The ledger has a charge of %(amount)s for %(payer)s %(reference)s; in Stripe the PaymentIntent "
                   "is %(state)s."),
                {"amount": (entry.gross, entry.currency), "payer": str(entry.payer), "reference": entry.reference,
                 "state": found.status if found else "not found"}))  # fmt: skip
    made = {r.id: r for r in deps.payments.refunds_since(period.start - LOOKBEHIND) if r.created < period.end}
    for refund in made.values():
        if refund.status != "succeeded" or refund.created < period.start:
            continue
        entry = refunds.get(refund.id)
        if entry is None:
            differences.append(Difference("missing_in_ledger", refund.id,
                N_("Stripe refunded %(amount)s of %(intent)s; the ledger has no refund."),
                {"amount": (refund.amount, refund.currency), "intent": str(refund.payment_intent_id)}))  # fmt: skip
        elif -entry.gross != refund.amount:
            differences.append(Difference("amount_mismatch", refund.id,
                N_("Stripe refunded %(stripe)s; the ledger says %(ledger)s."),
                {"stripe": (refund.amount, refund.currency), "ledger": (-entry.gross, entry.currency)}))  # fmt: skip
    for refund_id, entry in refunds.items():
        if entry.at < period.end and refund_id not in made:
            differences.append(Difference("missing_in_stripe", refund_id or "",
                N_("The ledger has a refund of %(amount)s on %(intent)s; Stripe has no such refund."),
                {"amount": (-entry.gross, entry.currency), "intent": entry.payment_intent_id}))  # fmt: skip
    return differences


def _unrecorded_charge(metadata: dict[str, str]) -> tuple[str, dict[str, str | Amount]]:
    """What a charge the ledger lacks was for: one whole sentence per case, for its translator."""
    if "booking_id" in metadata:
        return N_("Stripe charged %(amount)s (booking %(reference)s); the ledger has no charge."), {
            "reference": metadata["booking_id"]}  # fmt: skip
    if "sponsorship_id" in metadata:
        return N_("Stripe charged %(amount)s (sponsorship %(reference)s); the ledger has no charge."), {
            "reference": metadata["sponsorship_id"]}  # fmt: skip
    return N_("Stripe charged %(amount)s (not made by the marketplace); the ledger has no charge."), {}
