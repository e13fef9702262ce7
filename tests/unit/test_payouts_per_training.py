"""An expert's payouts summed per training, as the web page lists them: the same sums as the totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.fees import FeePolicy
from core.ledger import Payer, charge_entry, lines_by_training, payout_lines, refund_entry

FEES = FeePolicy(service_fee_bp=500, platform_fee_bp=1000)


def test_each_training_has_its_line_per_currency_and_they_add_up_to_the_totals() -> None:
    now = datetime.now(UTC)
    first = charge_entry(FEES, Payer.BOOKING, "b1", "t-late", "e1", "pi_1", 52_500, 2_500, "eur", now)
    second = charge_entry(FEES, Payer.BOOKING, "b2", "t-early", "e1", "pi_2", 21_000, 1_000, "eur",
                          now - timedelta(days=2))  # fmt: skip
    sponsored = charge_entry(FEES, Payer.SPONSORSHIP, "s1", "t-late", "e1", "pi_3", 90_000, 0, "inr", now)
    refund = refund_entry(first, [], "re_1", 10_000, now + timedelta(hours=1))
    entries = [first, sponsored, refund, second]

    lines = lines_by_training(entries)

    assert [(tid, line.currency) for tid, line in lines] == [("t-early", "eur"), ("t-late", "eur"), ("t-late", "inr")]
    late_eur = lines[1][1]
    assert (late_eur.charges, late_eur.refunds) == (1, 1)
    assert late_eur.owed == first.expert_amount + refund.expert_amount
    for currency in ("eur", "inr"):
        total = next(t for t in payout_lines(entries) if t.currency == currency)
        assert total.owed == sum(line.owed for _, line in lines if line.currency == currency)
        assert total.gross == sum(line.gross for _, line in lines if line.currency == currency)
    assert lines_by_training([]) == []
