"""The facts the notices of an event say (``core.notices``), and what they show of a training:
its details in the venue's time, its calendar file, amounts of money."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from core import ports
from core.calendar import invitation
from core.cancellation import RefundTerms, terms_of
from core.fees import money_text
from core.links import Links
from core.model import Booking, Training, zone_of
from core.ports import CalendarFile
from core.services.deps import Policy
from core.venue_time import zone_label
from events.envelope import Event

# What in a training, once changed, its trainees must hear about.
MATERIAL_CHANGES = ("title", "starts_at", "ends_at", "timezone", "venue", "programme", "languages", "prerequisites")


@dataclass(frozen=True)
class FactSources:
    """What the facts of a notice are read from: people, trainings and bookings, and the settings."""

    users: ports.Users
    trainings: ports.Trainings
    bookings: ports.Bookings
    policy: Policy
    clock: Callable[[], datetime]


class NoticeFacts(Mapping[str, Any]):
    """What the notices of one event may say, each fact worked out when a notice first uses it.

    A fact the event does not give is missing (``KeyError``): the title of an unknown training,
    say, which a notice then words as its ``untitled``. The training, the booking and people's
    names are read once per event, and only where a notice, an audience or a page needs them.
    """

    def __init__(self, sources: FactSources, event: Event) -> None:
        self.sources = sources
        self.event = event
        self.data = event.data
        self._worked_out: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._worked_out:
            self._worked_out[name] = _FACTS[name](self)
        return self._worked_out[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_FACTS)

    def __len__(self) -> int:
        return len(_FACTS)

    @cached_property
    def training(self) -> Training | None:
        """The training the event names, if it still exists."""
        training_id = self.data.get("training_id")
        return self.sources.trainings.get(training_id) if training_id else None

    @property
    def known_training(self) -> Training:
        """The training; ``KeyError`` when it is not known, as every fact about it is missing then."""
        if self.training is None:
            raise KeyError("training")
        return self.training

    @cached_property
    def booking(self) -> Booking | None:
        """The booking the event names, read only where the event lacks what a notice needs."""
        return self.sources.bookings.get(self.data["booking_id"])

    @cached_property
    def trainee_id(self) -> str:
        """The trainee the event names, else its booking's."""
        trainee_id = self.data.get("trainee_id") or (self.booking.trainee_id if self.booking else None)
        if trainee_id is None:
            raise LookupError(f"No booking {self.data['booking_id']}.")
        return str(trainee_id)

    @property
    def sponsorship_id(self) -> str:
        """The sponsorship the event names, else the one whose voucher paid the booking's seat."""
        if "sponsorship_id" in self.data:
            return str(self.data["sponsorship_id"])
        sponsored = self.booking.sponsored_by if self.booking else None
        if not sponsored:
            raise LookupError(f"No sponsorship paid booking {self.data['booking_id']}.")
        return str(sponsored["sponsorship_id"])

    @cached_property
    def training_details(self) -> dict[str, Any]:
        """What the e-mail templates show of the training (``training_context``)."""
        return training_context(self.sources, self.known_training)

    @cached_property
    def material_changes(self) -> list[str]:
        """What changed in the training that its trainees must hear about, sorted."""
        return sorted({c.split(".")[0] for c in self.data.get("changes", [])} & set(MATERIAL_CHANGES))

    def name(self, user_id: str, unknown: str) -> str:
        """A person's name, or ``unknown`` if there is no such person."""
        user = self.sources.users.get(user_id)
        return user.name if user else unknown


def _refund(facts: NoticeFacts) -> str:
    refund = facts.data.get("refund_amount") or 0
    return f"\n\n{money(refund, facts.data.get('currency'))} will be refunded to your card." if refund else ""


def _terms(facts: NoticeFacts) -> str:
    booking, training = facts.booking, facts.known_training
    terms = terms_of(booking, training) if booking is not None else RefundTerms.of(training)
    return terms.summary()


def _company(facts: NoticeFacts) -> str:
    sponsor = facts.sources.users.get(facts.data["sponsor_id"])
    return (sponsor.company or sponsor.name) if sponsor else "A sponsor"


# Every fact a notice may name, by its name in the words.
_FACTS: dict[str, Callable[[NoticeFacts], Any]] = {
    "title": lambda facts: facts.known_training.title,
    "money": lambda facts: money(facts.data.get("amount"), facts.data.get("currency")),
    "until": lambda facts: venue_when(facts.data.get("expires_at"), facts.training),
    "position": lambda facts: facts.data.get("position"),
    "reason": lambda facts: facts.data.get("reason") or "",
    "refund": _refund,
    "terms": _terms,
    "trainee": lambda facts: facts.name(facts.trainee_id, "A trainee"),
    # "A trainee" as before issue 18 (a structural step): an expert asking for a check exists.
    "expert": lambda facts: facts.name(facts.data["expert_id"], "A trainee"),
    "code": lambda facts: facts.booking.voucher_code if facts.booking else None,
    "what": lambda facts: ", ".join(c.replace("_", " ") for c in facts.material_changes),
    "day": lambda facts: facts.training_details["day_label"],
    "starts": lambda facts: facts.training_details["starts"],
    "zone": lambda facts: facts.training_details["timezone"],
    "seats": lambda facts: facts.data["seats"],
    "demo": lambda facts: facts.data["title"],
    "company": _company,
    "rating": lambda facts: facts.data["rating"],
}


def training_context(sources: FactSources, training: Training) -> dict[str, Any]:
    """What the e-mail templates show of a training, in the venue's local time, its zone named."""
    zone = zone_of(training.timezone)
    start = training.starts_at.astimezone(zone) if training.starts_at and zone else training.starts_at
    end = training.ends_at.astimezone(zone) if training.ends_at and zone else training.ends_at
    expert = sources.users.get(training.expert_id)
    venue = training.venue
    return {
        "title": training.title,
        "day_label": f"{start:%A} {start.day} {start:%B %Y}" if start else "to be announced",
        "starts": f"{start:%H:%M}" if start else "",
        "ends": f"{end:%H:%M}" if end else "",
        "timezone": zone_label(training.starts_at, training.timezone),
        "institution": venue.institution,
        "address": venue.address,
        "postal_code": venue.postal_code,
        "city": venue.city,
        "country": venue.country,
        "programme": list(training.programme),
        "cme_credits": training.cme_credits,
        "expert_name": expert.name if expert else "",
        "url": Links(sources.policy.public_base_url).training(training.id),
    }


def calendar_file(
    sources: FactSources, training: Training, booking_id: str, trainee_id: str, cancelled: bool
) -> CalendarFile | None:
    """The booking's invitation, or its cancellation: one UID per booking, so calendars update one event.

    An invitation's SEQUENCE is the training's version (every change of the training bumps it);
    a cancellation's is one higher than any invitation sent for that version.
    """
    trainee = sources.users.get(trainee_id)
    if training.starts_at is None or training.ends_at is None or trainee is None:
        return None
    method = "CANCEL" if cancelled else "REQUEST"
    content = invitation(
        training, uid=f"{booking_id}@{sources.policy.calendar_domain}", attendee_email=trainee.email,
        attendee_name=trainee.name, organizer_email=sources.policy.organizer_email,
        organizer_name=sources.policy.marketplace_name, url=Links(sources.policy.public_base_url).training(training.id),
        now=sources.clock(), sequence=training.version + 1 if cancelled else training.version, method=method,
    )  # fmt: skip
    return CalendarFile(method, content)


def venue_when(iso: object, training: Training | None) -> str:
    """An instant from an event, in the venue's time with its zone named (UTC without a venue)."""
    if not isinstance(iso, str):
        return ""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    tz = training.timezone if training else None
    zone = zone_of(tz)
    local = moment.astimezone(zone) if zone else moment
    return f"{local:%d %B %Y %H:%M} {zone_label(moment, tz)}"


def money(amount: object, currency: object) -> str:
    """An amount from an event as people read it, or "the price" when the event carries none."""
    if not isinstance(amount, int) or not isinstance(currency, str):
        return "the price"
    return money_text(amount, currency)
