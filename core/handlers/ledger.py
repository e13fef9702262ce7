"""The payments worker's ledger side: each charge and refund written once, split per the fee policy.

A booking's payment and a sponsor's purchase both enter here. A refund whose charge is still on
its way records that charge first, so the ledger never holds a refund of nothing; every entry
has an id derived from its PaymentIntent or refund, so a replay writes nothing new.
"""

from __future__ import annotations

from core import ports
from core.errors import NotFound
from core.ledger import LedgerEntry, Payer, charge_entry, refund_entry
from core.services.deps import Clock, Policy
from events import PaymentSucceeded, SponsorshipPaid
from events.envelope import Event

FREE = "free"  # the "intent id" of a seat that costs nothing: no money moves


def on_payment_succeeded(
    event: Event,
    ledger: ports.Ledger,
    bookings: ports.Bookings,
    trainings: ports.Trainings,
    policy: Policy,
    clock: Clock,
) -> None:
    """A booking's payment went through: its charge enters the ledger."""
    paid = event.payload_as(PaymentSucceeded)
    if paid.payment_intent_id == FREE:
        return  # a seat that cost nothing moved no money
    record_booking_charge(ledger, bookings, trainings, policy, clock, paid.booking_id, paid.payment_intent_id,
                          paid.amount)  # fmt: skip


def on_sponsorship_paid(
    event: Event, ledger: ports.Ledger, trainings: ports.Trainings, policy: Policy, clock: Clock
) -> None:
    """A sponsor's purchase went through: its charge enters the ledger (no service fee)."""
    paid = event.payload_as(SponsorshipPaid)
    assert paid.payment_intent_id is not None  # the webhook names the PaymentIntent it was told of
    record_sponsorship_charge(ledger, trainings, policy, clock, paid.sponsorship_id, paid.training_id,
                              paid.payment_intent_id, paid.amount, paid.currency)  # fmt: skip


def record_booking_charge(
    ledger: ports.Ledger, bookings: ports.Bookings, trainings: ports.Trainings, policy: Policy, clock: Clock,
    booking_id: str, payment_intent_id: str, gross: int,
) -> LedgerEntry:  # fmt: skip
    """The charge entry of a booking's payment, written once whatever the redeliveries."""
    recorded = ledger.charge(payment_intent_id)
    if recorded is not None:
        return recorded
    booking = bookings.get(booking_id)
    if booking is None:
        raise NotFound(f"No booking {booking_id}.")
    expert_id = _expert_of(trainings, booking.training_id)
    entry = charge_entry(
        policy.fees, Payer.BOOKING, booking.id, booking.training_id, expert_id, payment_intent_id,
        gross=gross, service_fee=min(booking.service_fee, gross), currency=booking.currency, at=clock(),
    )  # fmt: skip
    ledger.record(entry)
    return entry


def record_refund(
    ledger: ports.Ledger, bookings: ports.Bookings, trainings: ports.Trainings, payments: ports.PaymentGateway,
    policy: Policy, clock: Clock, booking_id: str, payment_intent_id: str, refund_id: str, amount: int,
) -> None:  # fmt: skip
    """The refund entry, written once; the charge is recorded first if its event is still on its way."""
    charge = ledger.charge(payment_intent_id) or record_booking_charge(
        ledger, bookings, trainings, policy, clock, booking_id, payment_intent_id,
        payments.retrieve_intent(payment_intent_id).amount,
    )  # fmt: skip
    _record_refund_of(ledger, clock, charge, refund_id, amount)


def record_sponsorship_charge(
    ledger: ports.Ledger, trainings: ports.Trainings, policy: Policy, clock: Clock,
    sponsorship_id: str, training_id: str, payment_intent_id: str, gross: int, currency: str,
) -> LedgerEntry:  # fmt: skip
    """The charge entry of a sponsor's purchase (no service fee), written once."""
    recorded = ledger.charge(payment_intent_id)
    if recorded is not None:
        return recorded
    entry = charge_entry(
        policy.fees, Payer.SPONSORSHIP, sponsorship_id, training_id, _expert_of(trainings, training_id),
        payment_intent_id, gross=gross, service_fee=0, currency=currency, at=clock(),
    )  # fmt: skip
    ledger.record(entry)
    return entry


def record_sponsorship_refund(
    ledger: ports.Ledger, trainings: ports.Trainings, policy: Policy, clock: Clock,
    sponsorship_id: str, training_id: str, payment_intent_id: str, refund_id: str, amount: int, currency: str,
) -> None:  # fmt: skip
    """The refund entry of a sponsor's purchase, written once (its charge first, if still on its way)."""
    charge = record_sponsorship_charge(ledger, trainings, policy, clock, sponsorship_id, training_id,
                                       payment_intent_id, amount, currency)  # fmt: skip
    _record_refund_of(ledger, clock, charge, refund_id, amount)


def _record_refund_of(ledger: ports.Ledger, clock: Clock, charge: LedgerEntry, refund_id: str, amount: int) -> None:
    earlier = ledger.refunds_of(charge.payment_intent_id)
    if any(r.refund_id == refund_id for r in earlier):
        return  # recorded before: a replay
    ledger.record(refund_entry(charge, earlier, refund_id, amount, clock()))


def _expert_of(trainings: ports.Trainings, training_id: str) -> str:
    training = trainings.get(training_id)
    if training is None:
        raise NotFound(f"No training {training_id}.")
    return training.expert_id


HANDLERS = {
    PaymentSucceeded: [on_payment_succeeded],
    SponsorshipPaid: [on_sponsorship_paid],
}
