"""A training, its trainees and the capacity worker's handlers on the fakes: the unit tests' world."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from core.cancellation import RefundTerms
from core.handlers import confirmations, inject, releases, seats
from core.model import Booking, BookingStatus, Role, Training, User
from core.seats import SeatLedger
from core.services.bookings import booking_requested
from core.services.deps import Deps
from events import (
    BookingApprovalDecided,
    BookingCancellationRequested,
    DomainEvent,
    PaymentSucceeded,
    TrainingUpdated,
    event_class,
)
from events.envelope import Event, new_event
from tests.fakes import fake_deps
from tests.unit import builders

HANDLERS: dict[type[DomainEvent], list[Any]] = {**seats.HANDLERS, **releases.HANDLERS, **confirmations.HANDLERS}


@dataclass
class World:
    """One published training and the capacity worker's view of it."""

    deps: Deps
    expert: User
    training: Training
    trainees: list[User] = field(default_factory=list)

    def handle(self, event: Event) -> list[Event]:
        """Run the capacity handlers of ``event`` as the runner does; what they published."""
        before = len(self.deps.publisher.published)  # type: ignore[attr-defined]
        for handler in HANDLERS.get(event_class(event.type), []):
            inject(handler, self.deps)(event)
        return list(self.deps.publisher.published[before:])  # type: ignore[attr-defined]

    def trainee(self) -> User:
        """A new trainee."""
        made = builders.user(self.deps, Role.TRAINEE, name=f"Trainee {len(self.trainees) + 1}")
        self.trainees.append(made)
        return made

    def requested(self, trainee: User | None = None, voucher_code: str | None = None, amount: int = 52_500) -> Event:
        """The ``booking.requested`` the API would publish for ``trainee`` (a new one by default)."""
        who = trainee or self.trainee()
        booking = Booking(id=f"bk-{uuid.uuid4().hex[:8]}", training_id=self.training.id, trainee_id=who.id,
                          amount=0 if voucher_code else amount, service_fee=0 if voucher_code else 2_500,
                          currency="eur", status=BookingStatus.REQUESTED, requested_at=self.deps.clock(),
                          voucher_code=voucher_code, refund_terms=RefundTerms.of(self.training))  # fmt: skip
        return new_event(booking_requested(booking), "api", id=booking.id)

    def request(self, trainee: User | None = None, **options: Any) -> Booking:
        """A request handled; the booking as it stands after."""
        event = self.requested(trainee, **options)
        self.handle(event)
        return self.booking(event.subject)

    def booking(self, booking_id: str) -> Booking:
        """The stored booking."""
        found = self.deps.bookings.get(booking_id)
        assert found is not None
        return found

    def ledger(self) -> SeatLedger:
        """The training's stored seat ledger."""
        found = self.deps.seats.load(self.training.id)
        assert found is not None
        return found

    def paid(self, booking: Booking, amount: int | None = None) -> Event:
        """``payment.succeeded`` for the booking, whose PaymentIntent the payments worker recorded."""
        intent = {"intent_id": f"pi_{booking.id}"}
        self.deps.bookings.update_payment(booking.id, intent, f"intent/{booking.id}", self.deps.clock(), "intent")
        payload = PaymentSucceeded(booking_id=booking.id, training_id=booking.training_id,
                                   payment_intent_id=f"pi_{booking.id}", amount=booking.amount if amount is None
                                   else amount, currency=booking.currency)  # fmt: skip
        return new_event(payload, "webhook")

    def cancel_asked(self, booking: Booking) -> Event:
        """``booking.cancellation_requested`` by its trainee, now."""
        asked = BookingCancellationRequested(booking_id=booking.id, training_id=booking.training_id,
                                             trainee_id=booking.trainee_id,
                                             requested_at=self.deps.clock().isoformat())  # fmt: skip
        return new_event(asked, "api")

    def decided(self, booking: Booking, approved: bool, reason: str | None = None) -> Event:
        """The expert's decision on a request waiting for approval."""
        payload = BookingApprovalDecided(booking_id=booking.id, training_id=booking.training_id,
                                         trainee_id=booking.trainee_id, approved=approved, reason=reason,
                                         expert_id=self.expert.id)  # fmt: skip
        return new_event(payload, "api")

    def training_event(self, kind: type[DomainEvent], **fields: Any) -> Event:
        """A training lifecycle event (``TrainingUpdated``, ``TrainingCancelled``, ``TrainingCompleted``...)."""
        t = self.deps.trainings.get(self.training.id)
        assert t is not None
        values = {"training_id": t.id, "expert_id": t.expert_id, "title": t.title, "capacity": t.capacity,
                  "price": t.price, "currency": t.currency, "starts_at": t.starts_at.isoformat() if t.starts_at
                  else None, "status": str(t.status), **fields}  # fmt: skip
        return new_event(kind(**values), "api")

    def resized(self, capacity: int) -> Event:
        """The expert changed the capacity of the published training."""
        current = self.deps.trainings.get(self.training.id)
        assert current is not None
        assert self.deps.trainings.replace(builders.moved(current, capacity=capacity), current.version)
        return self.training_event(TrainingUpdated, capacity=capacity, changes=["capacity"])

    def expire_holds(self) -> list[Event]:
        """Time passes beyond every hold; the sweep's announcements handled; what they published."""
        self.deps.clock.advance(minutes=self.training.hold_minutes + 1)  # type: ignore[attr-defined]
        before = len(self.deps.publisher.published)  # type: ignore[attr-defined]
        releases.sweep_expired_holds(self.deps)
        due = list(self.deps.publisher.published[before:])  # type: ignore[attr-defined]
        return [published for event in due for published in self.handle(event)]


def world(capacity: int = 2, **training_fields: Any) -> World:
    """A published training of ``capacity`` seats, its ledger open (as ``training.published`` leaves it)."""
    deps = fake_deps()
    expert = builders.user(deps, Role.EXPERT)
    training = builders.training(deps, expert, capacity=capacity, **training_fields)
    made = World(deps, expert, training)
    made.handle(made.training_event(event_class("training.published")))
    return made


def types(events: list[Event]) -> list[str]:
    """The wire types of ``events``, in order."""
    return [e.type for e in events]
