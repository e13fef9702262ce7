"""Contract of ``Vouchers`` (redeemed once, given back by their holder only) and ``Ledger`` (written once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.ledger import EntryKind, LedgerEntry, Payer
from core.sponsoring import Voucher
from tests.contract.conftest import Ports

NOW = datetime.now(UTC).replace(microsecond=0)


def test_one_voucher_is_redeemed_once_even_by_racing_bookings(ports: Ports) -> None:
    # Moved from tests/integration/test_sponsors.py: it needs the vouchers' store and nothing else.
    now = NOW
    ports.vouchers.issue(Voucher("RACE123456", "s1", "sp", "t1", now), 0)
    assert ports.vouchers.redeem("race123456", "booking-a", now) is True
    assert ports.vouchers.redeem("RACE123456", "booking-b", now) is False
    assert ports.vouchers.redeem("RACE123456", "booking-a", now) is True  # a replay of the winner
    ports.vouchers.issue(Voucher("OTHERCODE9", "s1", "sp", "t1", now), 0)  # the slot is taken: no new code
    assert [v.code for v in ports.vouchers.for_sponsorship("s1")] == ["RACE123456"]


def test_only_the_holder_gives_a_voucher_back_and_a_void_one_is_not_redeemed(ports: Ports) -> None:
    for slot, code in enumerate(["CODEA00001", "CODEB00002"]):
        ports.vouchers.issue(Voucher(code, "s1", "sp", "t1", NOW), slot)
    ports.vouchers.redeem("CODEA00001", "booking-a", NOW)
    assert ports.vouchers.release("codea00001", "booking-b") is False  # not the holder
    assert ports.vouchers.release("CODEA00001", "booking-a") is True
    assert ports.vouchers.release("CODEA00001", "booking-a") is False  # a replay
    freed = ports.vouchers.get(" codea00001 ")
    assert freed is not None and freed.redeemed_by_booking is None and freed.redeemed_at is None
    assert ports.vouchers.redeem("CODEA00001", "booking-b", NOW) is True
    assert ports.vouchers.void_sponsorship("s1", NOW) == 2
    assert ports.vouchers.void_sponsorship("s1", NOW) == 0
    assert ports.vouchers.redeem("CODEB00002", "booking-c", NOW) is False
    voided = ports.vouchers.get("CODEB00002")
    assert voided is not None and voided.voided_at == NOW and ports.vouchers.get("NOSUCHCODE") is None
    assert [v.code for v in ports.vouchers.for_sponsorship("s1")] == ["CODEA00001", "CODEB00002"]


def _entry(
    kind: EntryKind, intent: str, at: datetime, expert_id: str = "ann", refund_id: str | None = None
) -> LedgerEntry:
    entry_id = f"charge:{intent}" if kind == EntryKind.CHARGE else f"refund:{refund_id}"
    return LedgerEntry(id=entry_id, kind=kind, payer=Payer.BOOKING, reference="b1", training_id="t1",
                       expert_id=expert_id, currency="eur", gross=45000, service_fee=1000, platform_fee=4400,
                       expert_amount=39600, payment_intent_id=intent, at=at, refund_id=refund_id)  # fmt: skip


def test_the_ledger_writes_each_entry_once_and_reads_it_by_intent_and_period(ports: Ports) -> None:
    charge = _entry(EntryKind.CHARGE, "pi_1", NOW - timedelta(days=2))
    late, early = (_entry(EntryKind.REFUND, "pi_1", NOW - timedelta(days=d), refund_id=f"re_{d}") for d in (0, 1))
    other = _entry(EntryKind.CHARGE, "pi_2", NOW - timedelta(days=1), expert_id="bob")
    assert [ports.ledger.record(e) for e in (charge, late, early, other)] == [True] * 4
    assert ports.ledger.record(charge) is False  # a replay
    assert ports.ledger.charge("pi_1") == charge and ports.ledger.charge("pi_9") is None
    assert ports.ledger.refunds_of("pi_1") == [early, late]  # oldest first
    period = (NOW - timedelta(days=1), NOW)
    assert ports.ledger.entries(*period) == [early, other]  # the end is excluded
    assert ports.ledger.entries(*period, expert_id="bob") == [other]
    assert ports.ledger.entries(NOW - timedelta(days=3), NOW + timedelta(seconds=1), expert_id="ann") == [
        charge,
        early,
        late,
    ]
