"""The ports: what the use cases need from the outside world, as Protocols."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from core.ledger import LedgerEntry
from core.model import ACTIVE_STATUSES, Booking, BookingStatus, SeatOutcome, Training, User, Verification
from core.sponsoring import LinkStatus, Sponsorship, TechnologyDemo, Voucher
from events.envelope import Event


class EventPublisher(Protocol):
    def publish(self, event: Event) -> None:
        """Send ``event`` and wait for the broker's acknowledgement, or raise ``PublishFailed``."""


class Users(Protocol):
    def add(self, user: User) -> None:
        """Store a new user; raise ``Conflict`` if the e-mail is taken."""

    def remove(self, user_id: str) -> None:
        """Delete a user (compensation when its event could not be published)."""

    def get(self, user_id: str) -> User | None:
        """The user with this id, if any."""

    def by_email(self, email: str) -> User | None:
        """The user with this e-mail (case-insensitive), if any."""

    def update(self, user_id: str, fields: dict[str, Any], expected: dict[str, Any] | None = None) -> bool:
        """Set ``fields`` if the stored user still matches ``expected``; False if not."""

    def many(self, user_ids: list[str]) -> dict[str, User]:
        """The users with these ids, by id."""

    def experts(self, verification: Verification | None, limit: int, offset: int) -> tuple[list[User], int]:
        """Experts (in one verification state, or all), oldest submission first, and the total."""


class Sessions(Protocol):
    def add(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        """Remember a bearer token (by its hash) until ``expires_at``."""

    def user_id_for(self, token_hash: str, now: datetime) -> str | None:
        """The user a live token belongs to, or None if unknown or expired."""

    def revoke(self, token_hash: str) -> None:
        """Forget one token (logout)."""

    def revoke_all(self, user_id: str) -> int:
        """Forget every token of a user; how many there were."""


class Trainings(Protocol):
    def add(self, training: Training) -> None:
        """Store a new training."""

    def get(self, training_id: str) -> Training | None:
        """The training with this id, if any."""

    def replace(self, training: Training, expected_version: int) -> bool:
        """Store ``training`` if the stored one still has ``expected_version``."""

    def remove(self, training_id: str) -> None:
        """Delete a training (compensation when its event could not be published)."""

    def search(self, query: TrainingQuery) -> tuple[list[Training], int]:
        """A page of published trainings matching ``query``, and the total."""

    def by_expert(self, expert_id: str, limit: int, offset: int) -> tuple[list[Training], int]:
        """An expert's trainings, newest first, and the total."""

    def set_seats_left(self, training_id: str, seats_left: int) -> None:
        """Refresh the searchable count of free seats (a projection of the seat counter)."""

    def due_for_reminder(self, start: datetime, end: datetime, limit: int) -> list[Training]:
        """Published trainings starting in ``[start, end)`` whose trainees were not reminded of that start."""

    def mark_reminded(self, training_id: str, starts_at: datetime) -> None:
        """Remember the reminder for the training starting at ``starts_at``."""

    def set_sponsor(self, training_id: str, sponsor_id: str, shown: bool) -> None:
        """Add (or remove) a sponsor whose demo the expert agreed to show."""


@dataclass(frozen=True)
class TrainingQuery:
    """Catalogue search: every filter optional; text is matched word by word."""

    text_words: tuple[str, ...] = ()
    specialty: str | None = None
    technique: str | None = None
    city: str | None = None
    country: str | None = None
    language: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    price_min: int | None = None
    price_max: int | None = None
    currency: str | None = None
    free_seats_only: bool = False
    sponsor_id: str | None = None
    verified_only: bool = False
    sort: str = "date"  # date, -date, price, -price
    limit: int = 20
    offset: int = 0


class Bookings(Protocol):
    def add_requested(self, booking: Booking) -> None:
        """Create the booking in ``requested`` unless it exists (idempotent)."""

    def get(self, booking_id: str) -> Booking | None:
        """The booking with this id, if any."""

    def active_for(
        self,
        trainee_id: str,
        training_id: str,
        exclude: str | None = None,
        statuses: frozenset[BookingStatus] = ACTIVE_STATUSES,
    ) -> Booking | None:
        """The trainee's booking on this training in ``statuses`` (other than ``exclude``), if any."""

    def for_trainee(self, trainee_id: str) -> list[Booking]:
        """Every booking of a trainee, newest first."""

    def transition(
        self,
        booking_id: str,
        target: BookingStatus,
        event_id: str,
        at: datetime,
        fields: dict[str, Any] | None = None,
    ) -> bool:
        """Move to ``target`` only from a status the state machine allows; False if not."""

    def update_payment(self, booking_id: str, payment: dict[str, Any], event_id: str, at: datetime, step: str) -> bool:
        """Merge ``payment`` into the booking's payment record once per ``event_id``."""

    def claim_payment_intent(self, booking_id: str, attempt: int, at: datetime) -> bool:
        """Reserve the right to create the PaymentIntent of payment ``attempt``; False if reserved before."""

    def due_for_expiry(self, now: datetime, limit: int) -> list[Booking]:
        """Held bookings whose hold ended before ``now``, oldest first."""

    def live_on_training(self, training_id: str) -> list[Booking]:
        """Every held, waitlisted or confirmed booking of a training."""

    def pending_approval_for(self, training_ids: list[str]) -> list[Booking]:
        """Requests waiting for the expert on any of these trainings, oldest first."""

    def claim_refund(self, booking_id: str, at: datetime) -> bool:
        """Reserve the right to refund the booking; False if reserved before."""


class Seats(Protocol):
    def ensure(self, training_id: str, capacity: int) -> None:
        """Create the seat counter of a training unless it exists."""

    def hold(self, training_id: str, booking_id: str) -> SeatOutcome:
        """Take one seat for the booking atomically, never past capacity."""

    def enqueue(self, training_id: str, booking_id: str) -> int:
        """Put the booking on the waitlist (once); its 1-based FIFO position."""

    def release(self, training_id: str, booking_id: str) -> bool:
        """Give the booking's seat back; False if it held none."""

    def leave_waitlist(self, training_id: str, booking_id: str) -> None:
        """Take the booking off the waitlist (once)."""

    def first_waitlisted(self, training_id: str) -> str | None:
        """The booking at the head of the waitlist, if there is a free seat for it."""

    def set_capacity(self, training_id: str, capacity: int) -> int:
        """Change the capacity, never below the seats held; the capacity now in force."""

    def holds(self, training_id: str, booking_id: str) -> bool:
        """Whether the booking holds a seat of the training."""

    def snapshot(self, training_id: str) -> dict[str, Any] | None:
        """Capacity, holders and waitlist of a training."""


@dataclass(frozen=True)
class PaymentIntent:
    """What we keep of a Stripe PaymentIntent."""

    id: str
    status: str
    amount: int
    currency: str
    client_secret: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    last_error: str | None = None
    charge_id: str | None = None


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event from the payment provider."""

    id: str
    type: str
    object_id: str


class PaymentGateway(Protocol):
    def create_intent(
        self, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str
    ) -> PaymentIntent:
        """Create a PaymentIntent."""

    def find_intent(self, reference: str) -> PaymentIntent | None:
        """The PaymentIntent whose metadata ``reference`` is this, if any (recovery after a crash)."""

    def retrieve_intent(self, intent_id: str) -> PaymentIntent:
        """Re-fetch a PaymentIntent from the provider."""

    def confirm_intent(self, intent_id: str, payment_method: str) -> PaymentIntent:
        """Attach the payment method and confirm; raise ``PaymentDeclined`` if refused."""

    def cancel_intent(self, intent_id: str) -> None:
        """Cancel a PaymentIntent that was not paid (nothing happens to one that was)."""

    def refund(self, intent_id: str, amount: int, idempotency_key: str) -> str:
        """Refund ``amount`` of a paid PaymentIntent; the refund id."""

    def refunds_of(self, intent_id: str) -> list[str]:
        """Ids of the refunds made on a PaymentIntent (recovery after a crash)."""

    def verify_webhook(self, payload: bytes, signature: str) -> ProviderEvent:
        """Check the webhook signature; raise ``InvalidSignature`` if it does not verify."""

    def payments_since(self, since: datetime) -> list[ProviderPayment]:
        """Every PaymentIntent created at or after ``since``."""

    def refunds_since(self, since: datetime) -> list[ProviderRefund]:
        """Every refund created at or after ``since``."""


@dataclass(frozen=True)
class ProviderPayment:
    """A PaymentIntent as the provider lists it, for reconciliation."""

    id: str
    status: str
    amount_received: int
    currency: str
    created: datetime
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderRefund:
    """A refund as the provider lists it, for reconciliation."""

    id: str
    payment_intent_id: str | None
    amount: int
    currency: str
    status: str
    created: datetime


class ProviderEvents(Protocol):
    def seen(self, provider_event_id: str) -> bool:
        """Whether this provider event was already turned into our events."""

    def record(self, provider_event_id: str, at: datetime) -> None:
        """Remember that this provider event was handled."""


@dataclass(frozen=True)
class Notification:
    """One message for one person about one event."""

    user_id: str
    event_id: str
    kind: str  # e.g. booking.confirmed: picks the e-mail templates
    title: str
    body: str
    link: str | None = None
    category: str = "bookings"  # what the person's preferences switch on or off, per channel
    emailed: bool = True  # False: inbox only, whatever the preferences (e.g. "request received")
    # Extra template context: "training" (details), "codes", "action_label", "invitation" (.ics text).
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Attachment:
    """A file sent with an e-mail, e.g. the ``.ics`` invitation of a confirmed booking."""

    filename: str
    content_type: str  # full MIME type with parameters: "text/calendar; method=REQUEST"
    content: str


@dataclass(frozen=True)
class Email:
    """An e-mail ready to send; ``message_id`` is deterministic so resends are recognisable."""

    to: str
    subject: str
    text: str
    message_id: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class RenderedEmail:
    """One notification put into words: subject line, plain-text part, HTML part."""

    subject: str
    text: str
    html: str


class EmailRenderer(Protocol):
    def render(self, kind: str, context: Mapping[str, Any]) -> RenderedEmail:
        """Render the templates of a notification ``kind`` (falling back to the default ones)."""


class Inbox(Protocol):
    def add(self, notification: Notification, at: datetime) -> bool:
        """Store the notification once per person and event; False if it was there."""

    def for_user(self, user_id: str, limit: int, unread_only: bool = False) -> list[dict[str, Any]]:
        """The newest notifications of a user."""

    def unread_count(self, user_id: str) -> int:
        """How many of the user's notifications are unread."""

    def mark_read(self, user_id: str, notification_id: str, at: datetime) -> bool:
        """Mark one of the user's notifications read; False if the user has no such notification."""

    def mark_all_read(self, user_id: str, at: datetime) -> int:
        """Mark every unread notification of the user read; how many there were."""


class Mailer(Protocol):
    def send(self, email: Email) -> None:
        """Hand the e-mail to the mail server; raise ``Unavailable`` if it cannot be reached, or
        ``MailRefused`` if it refused this one message."""


@dataclass(frozen=True)
class QueuedEmail:
    """An e-mail waiting in the outbox, and how often sending it failed."""

    id: str
    email: Email
    attempts: int


class Outbox(Protocol):
    def enqueue(self, user_id: str, event_id: str, email: Email, at: datetime) -> bool:
        """Queue the e-mail once per (person, event); False if it was queued before."""

    def claim_due(self, now: datetime, lease_until: datetime) -> QueuedEmail | None:
        """Take the oldest e-mail due by ``now`` (or whose earlier sender died) until ``lease_until``."""

    def mark_sent(self, queued_id: str, at: datetime) -> None:
        """It went out."""

    def retry_later(self, queued_id: str, error: str, at: datetime | None) -> None:
        """Try again at ``at``; None gives up (the e-mail stays, marked failed, with its error)."""

    def status_of(self, user_id: str, event_id: str) -> dict[str, Any] | None:
        """The outbox record of one person's e-mail about one event."""


class NotificationPreferences(Protocol):
    def get(self, user_id: str) -> dict[str, dict[str, bool]]:
        """``{channel: {category: on}}`` as the user set it (empty where unset)."""

    def set(self, user_id: str, preferences: dict[str, dict[str, bool]]) -> None:
        """Replace the user's choices."""


class Ledger(Protocol):
    def record(self, entry: LedgerEntry) -> bool:
        """Store the entry once (by id); False if it was there."""

    def charge(self, payment_intent_id: str) -> LedgerEntry | None:
        """The charge entry of a PaymentIntent, if recorded."""

    def refunds_of(self, payment_intent_id: str) -> list[LedgerEntry]:
        """The refund entries of a PaymentIntent, oldest first."""

    def entries(self, start: datetime, end: datetime, expert_id: str | None = None) -> list[LedgerEntry]:
        """Entries with ``start <= at < end`` (one expert's, or all), oldest first."""


class Demos(Protocol):
    def add(self, demo: TechnologyDemo) -> None:
        """Store a new demo."""

    def get(self, demo_id: str) -> TechnologyDemo | None:
        """The demo with this id."""

    def update(self, demo_id: str, fields: dict[str, Any]) -> None:
        """Change a demo's own fields."""

    def request_link(self, demo_id: str, training_id: str, at: datetime) -> bool:
        """Ask to show the demo at a training (once); False if asked before."""

    def decide_link(self, demo_id: str, training_id: str, status: LinkStatus, at: datetime) -> bool:
        """Accept or decline a pending link; False if it was not pending."""

    def search(
        self, specialty: str | None, sponsor_id: str | None, training_id: str | None, limit: int, offset: int
    ) -> tuple[list[TechnologyDemo], int]:
        """Demos by specialty, sponsor or accepted training, newest first, and the total."""

    def pending_for_trainings(self, training_ids: list[str]) -> list[TechnologyDemo]:
        """Demos waiting for consent on any of these trainings."""


class Sponsorships(Protocol):
    def add(self, sponsorship: Sponsorship) -> None:
        """Store a new purchase."""

    def get(self, sponsorship_id: str) -> Sponsorship | None:
        """The purchase with this id."""

    def for_sponsor(self, sponsor_id: str) -> list[Sponsorship]:
        """A sponsor's purchases, newest first."""

    def update_payment(self, sponsorship_id: str, payment: dict[str, Any]) -> None:
        """Merge into the purchase's payment record."""

    def claim_payment_intent(self, sponsorship_id: str, at: datetime) -> bool:
        """Reserve the right to create the PaymentIntent; False if reserved before."""

    def mark_paid(self, sponsorship_id: str, at: datetime) -> bool:
        """``payment_pending -> paid``; False if it was paid before."""


class Vouchers(Protocol):
    def issue(self, voucher: Voucher, slot: int) -> None:
        """Store the voucher for (sponsorship, slot) unless that slot has one (a replay)."""

    def for_sponsorship(self, sponsorship_id: str) -> list[Voucher]:
        """The vouchers of a purchase."""

    def get(self, code: str) -> Voucher | None:
        """The voucher with this code."""

    def redeem(self, code: str, booking_id: str, at: datetime) -> bool:
        """Claim the voucher for the booking (idempotent for that booking); False if taken."""


class ProcessedEvents(Protocol):
    def seen(self, group: str, event_id: str) -> bool:
        """Whether ``group`` already applied this event."""

    def mark(self, group: str, event_id: str, at: datetime) -> None:
        """Remember that ``group`` applied this event."""
