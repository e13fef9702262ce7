"""A poll batch's seat requests, decided together: the capacity worker's hot path.

``on_booking_requested`` (core/handlers/seats.py) decides one request in about nine round trips.
During a storm the worker holds hundreds of requests for the same few trainings in one poll, so
this handler reads what they need once (the bookings, each training, its ledger, the trainees'
earlier bookings), lets each training's ``SeatLedger`` decide every request in partition order in
memory, and writes the outcome with one compare-and-set per ledger and one bulk write of the
bookings, then publishes every reaction and waits for the broker once.

It decides exactly what the one-at-a-time handler decides, in the same order, with the same
reaction ids (tests/unit/test_seat_requests.py runs both on the same sequences). Crash safety is
the same argument: the ledger is saved before any booking moves, a replay finds the ledger
holding (or queueing) the booking and moves it the same way, and the runner's markers are written
only after this returns. Anything it does not expect (a lost compare-and-set while partitions
move, a booking changed under it) raises, and the runner applies the batch's events one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core import ports
from core.errors import NeedsReconciliation
from core.handlers.common import CLOSED_REASONS, caused_by
from core.handlers.seats import redeem_voucher, seat_window, state_reaction
from core.model import DECIDED_STATUSES, Booking, BookingStatus, SeatOutcome, Training, TrainingStatus
from core.ports.bookings import Move
from core.seats import SeatLedger
from core.services.bookings import booking_from_request
from core.services.deps import Clock
from core.words import N_
from events import BookingRequested
from events.envelope import Event


class BatchConflict(Exception):
    """The batch could not be applied as a whole; the runner applies its events one by one."""


@dataclass
class _Training:
    """What one training's requests in this batch need, read once."""

    training: Training
    ledger: SeatLedger
    decided: dict[str, set[str]] = field(default_factory=dict)  # trainee -> their decided bookings
    changed: bool = False


def on_booking_requests(
    events: list[Event],
    bookings: ports.Bookings,
    trainings: ports.Trainings,
    seats: ports.Seats,
    vouchers: ports.Vouchers,
    users: ports.Users,
    publisher: ports.EventPublisher,
    clock: Clock,
) -> None:
    """Hold a seat for each request, or put it on the waitlist, as ``on_booking_requested`` would one by one."""
    now = clock()
    requests: list[tuple[Event, BookingRequested]] = []
    for event in events:
        assert isinstance(event.payload, BookingRequested)
        requests.append((event, event.payload))
    # The trainings first: a request for a training nobody knows fails the batch before anything
    # is written (the runner then dead-letters it alone, as one at a time would).
    state = _read_trainings(trainings, seats, bookings, requests)
    stored = _stored_bookings(bookings, requests, now)

    # Each request's move in partition order, or the booking as an earlier delivery left it.
    outcomes: list[tuple[Event, Move | Booking]] = []
    for event, request in requests:
        booking = stored[request.booking_id]
        if booking.status is BookingStatus.REQUESTED:
            outcomes.append((event, _decide(event, booking, state[request.training_id], vouchers, users, now)))
        else:
            outcomes.append((event, booking))  # applied before: the same reaction, the same id

    # The ledgers first: a crash before the bookings move replays into the same decisions.
    for seen in state.values():
        if seen.changed and seats.save(seen.ledger) is None:
            raise BatchConflict(f"The seat ledger of {seen.ledger.training_id} changed under the batch.")
    moves = [m for _, m in outcomes if isinstance(m, Move)]
    moved = bookings.transition_many(moves) if moves else {}
    reactions = []
    for event, outcome in outcomes:
        if isinstance(outcome, Move):
            after = moved.get(outcome.booking_id)
            if after is None or after.status is not outcome.target or not caused_by(after, outcome.event_id):
                raise BatchConflict(f"Booking {outcome.booking_id} changed under the batch.")
            outcome = after
        reactions.append(state_reaction(event, outcome))
    for training_id in dict.fromkeys(m.training_id for m in moves):
        # The catalogue's copy of the free seats, once per training: the whole count, so a
        # replay after a crash between the ledger and this write heals it too.
        trainings.set_seats_left(training_id, state[training_id].ledger.free)
    publisher.publish_many([r for r in reactions if r is not None])


def _stored_bookings(
    bookings: ports.Bookings, requests: list[tuple[Event, BookingRequested]], now: datetime
) -> dict[str, Booking]:
    """Every request's booking as stored, created from its event where the API's write is missing."""
    stored = bookings.many([r.booking_id for _, r in requests])
    missing: dict[str, Booking] = {}
    for event, request in requests:
        if request.booking_id not in stored and request.booking_id not in missing:
            # The API writes the booking after the broker's ack: if it died in between (or is
            # still writing), the event carries all of it.
            created = booking_from_request(request)
            created.history = [{"step": "requested", "at": now, "event_id": event.id}]
            missing[created.id] = created
    if missing:
        stored.update(bookings.add_requested_many(list(missing.values())))
    return stored


def _read_trainings(
    trainings: ports.Trainings,
    seats: ports.Seats,
    bookings: ports.Bookings,
    requests: list[tuple[Event, BookingRequested]],
) -> dict[str, _Training]:
    """Each training of the batch with its ledger and the trainees' decided bookings on it."""
    trainees: dict[str, set[str]] = {}
    for _, request in requests:
        trainees.setdefault(request.training_id, set()).add(request.trainee_id)
    state: dict[str, _Training] = {}
    for training_id, who in trainees.items():
        training = trainings.get(training_id)
        if training is None or training.capacity is None:
            first = next(r for _, r in requests if r.training_id == training_id)
            raise NeedsReconciliation(f"Booking {first.booking_id} for unknown training {training_id}.")
        ledger = seats.load(training_id) or SeatLedger.open(training_id, training.capacity)
        decided = bookings.decided_among(training_id, sorted(who), DECIDED_STATUSES)
        state[training_id] = _Training(training, ledger, decided)
    return state


def _decide(
    event: Event, booking: Booking, seen: _Training, vouchers: ports.Vouchers, users: ports.Users, now: datetime
) -> Move:
    """The move of one request, the ledger changed in memory (the same rules as ``on_booking_requested``)."""
    training = seen.training
    mine = seen.decided.setdefault(booking.trainee_id, set())

    def reject(reason: str) -> Move:
        return Move(
            booking.id, booking.training_id, BookingStatus.REJECTED, event.id, now, {"rejection_reason": reason}
        )

    if training.status is not TrainingStatus.PUBLISHED:
        return reject(CLOSED_REASONS[training.status])
    earlier = mine - {booking.id}
    if earlier and not seen.ledger.holds(booking.id):
        # Two requests of one trainee raced past the API's check: one seat each.
        return reject(N_("You already have a booking for this training."))
    sponsored = redeem_voucher(vouchers, users, booking, booking.voucher_code, now)
    if sponsored is None:
        return reject(N_("This voucher code is unknown, for another training, or already used."))
    before = seen.ledger
    seen.ledger, decision = before.request(booking.id)
    seen.changed = seen.changed or seen.ledger != before
    mine.add(booking.id)
    if decision.outcome is SeatOutcome.FULL:
        return Move(
            booking.id,
            booking.training_id,
            BookingStatus.WAITLISTED,
            event.id,
            now,
            {"waitlist_position": decision.position, **sponsored},
        )
    target, window = seat_window(training)
    return Move(booking.id, booking.training_id, target, event.id, now, {"expires_at": now + window, **sponsored})


BATCH_HANDLERS = {BookingRequested: on_booking_requests}
