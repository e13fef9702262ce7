"""The facts the notices of an event say (``core.notices``), and what they show of a training:
its details in the venue's time, its calendar file, amounts of money; each worded in its
reader's language (a ``Wording``: the person's ``User.locale``), so every notice and e-mail reads
in the language of whom it goes to."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from core import ports
from core.calendar import invitation
from core.cancellation import RefundTerms, terms_of
from core.links import Links
from core.model import Booking, Training, User
from core.ports import CalendarFile, Wording
from core.services.deps import Policy
from core.words import N_
from events.envelope import Event

# What in a training, once changed, its trainees must hear about, and how a notice names it.
MATERIAL_CHANGES = ("title", "starts_at", "ends_at", "timezone", "venue", "programme", "languages", "prerequisites")
CHANGE_WORDS = {
    "title": N_("title"),
    "starts_at": N_("starts at"),
    "ends_at": N_("ends at"),
    "timezone": N_("timezone"),
    "venue": N_("venue"),
    "programme": N_("programme"),
    "languages": N_("languages"),
    "prerequisites": N_("prerequisites"),
}


@dataclass(frozen=True)
class FactSources:
    """What the facts of a notice are read from: people, trainings and bookings, and the settings."""

    users: ports.Users
    trainings: ports.Trainings
    bookings: ports.Bookings
    policy: Policy
    clock: Callable[[], datetime]
    wordings: ports.Wordings


class NoticeFacts(Mapping[str, Any]):
    """What the notices of one event may say, each fact worked out when a notice first uses it.

    A fact the event does not give is missing (``KeyError``): the title of an unknown training,
    say, which a notice then words as its ``untitled``. The training, the booking and people
    (their names, their languages) are read once per event, and only where a notice, an audience
    or a page needs them. As a mapping, the facts in the default language; ``worded`` gives them
    in a reader's.
    """

    def __init__(self, sources: FactSources, event: Event) -> None:
        self.sources = sources
        self.event = event
        self.data = event.data
        self._people: dict[str, User | None] = {}
        self._worded: dict[str, WordedFacts] = {}

    def __getitem__(self, name: str) -> Any:
        return self.worded(self.sources.wordings(None))[name]

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

    def worded(self, wording: Wording) -> WordedFacts:
        """The facts in ``wording``'s language, each worked out once per event and language."""
        if wording.locale not in self._worded:
            self._worded[wording.locale] = WordedFacts(self, wording)
        return self._worded[wording.locale]

    def meet(self, user_ids: Iterable[str]) -> None:
        """Read the people not read yet in one request (the recipients of a notice, say)."""
        unknown = sorted({u for u in user_ids if u not in self._people})
        if unknown:
            found = self.sources.users.many(unknown)
            self._people.update({u: found.get(u) for u in unknown})

    def person(self, user_id: str) -> User | None:
        """The account of ``user_id``, read once per event."""
        self.meet([user_id])
        return self._people[user_id]

    def wording_of(self, user_id: str) -> Wording:
        """The language ``user_id`` reads (their profile's locale; the default without one)."""
        person = self.person(user_id)
        return self.sources.wordings(person.locale if person else None)

    @cached_property
    def material_changes(self) -> list[str]:
        """What changed in the training that its trainees must hear about, sorted."""
        return sorted({c.split(".")[0] for c in self.data.get("changes", [])} & set(MATERIAL_CHANGES))

    def name(self, user_id: str, unknown: str) -> str:
        """A person's name, or ``unknown`` if there is no such person."""
        user = self.person(user_id)
        return user.name if user else unknown


class WordedFacts(Mapping[str, Any]):
    """The facts of one event in one reader's language, each worked out when a notice first uses it."""

    def __init__(self, facts: NoticeFacts, wording: Wording) -> None:
        self.facts, self.wording = facts, wording
        self._worked_out: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._worked_out:
            self._worked_out[name] = _FACTS[name](self.facts, self.wording)
        return self._worked_out[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_FACTS)

    def __len__(self) -> int:
        return len(_FACTS)

    @cached_property
    def training_details(self) -> dict[str, Any]:
        """What the e-mail templates show of the training (``training_context``), in this language."""
        return training_context(self.facts.sources, self.facts.known_training, self.wording)


def _refund(facts: NoticeFacts, wording: Wording) -> str:
    refund = facts.data.get("refund_amount") or 0
    if not refund:
        return ""
    said = wording.gettext(N_("%(money)s will be refunded to your card."))
    return "\n\n" + said % {"money": money(refund, facts.data.get("currency"), wording)}


def _terms(facts: NoticeFacts, wording: Wording) -> str:
    booking, training = facts.booking, facts.known_training
    terms = terms_of(booking, training) if booking is not None else RefundTerms.of(training)
    return terms_summary(terms, wording)


def terms_summary(terms: RefundTerms, wording: Wording) -> str:
    """``RefundTerms.summary`` in the reader's language: the same marked messages the pages show."""
    message, facts = terms.wording()
    return wording.gettext(message) % facts


def _reason(reason: object, wording: Wording) -> str:
    return wording.gettext(reason) if isinstance(reason, str) else ""


def _company(facts: NoticeFacts, wording: Wording) -> str:
    sponsor = facts.person(facts.data["sponsor_id"])
    return (sponsor.company or sponsor.name) if sponsor else wording.gettext(N_("A sponsor"))


def _details(name: str) -> Callable[[NoticeFacts, Wording], Any]:
    return lambda facts, wording: facts.worded(wording).training_details[name]


# Every fact a notice may name, by its name in the words, worded for one reader. A reason core
# wrote is an N_-marked message, read in the reader's language; one a person typed stays as typed.
_FACTS: dict[str, Callable[[NoticeFacts, Wording], Any]] = {
    "title": lambda facts, wording: facts.known_training.title,
    "money": lambda facts, wording: money(facts.data.get("amount"), facts.data.get("currency"), wording),
    "until": lambda facts, wording: venue_when(facts.data.get("expires_at"), facts.training, wording),
    "position": lambda facts, wording: facts.data.get("position"),
    "reason": lambda facts, wording: _reason(facts.data.get("reason"), wording),
    "refund": _refund,
    "terms": _terms,
    "trainee": lambda facts, wording: facts.name(facts.trainee_id, wording.gettext(N_("A trainee"))),
    # "A trainee" as before issue 18 (a structural step): an expert asking for a check exists.
    "expert": lambda facts, wording: facts.name(facts.data["expert_id"], wording.gettext(N_("A trainee"))),
    "code": lambda facts, wording: facts.booking.voucher_code if facts.booking else None,
    "what": lambda facts, wording: ", ".join(wording.gettext(CHANGE_WORDS[c]) for c in facts.material_changes),
    "day": _details("day_label"),
    "starts": _details("starts"),
    "zone": _details("timezone"),
    "seats": lambda facts, wording: facts.data["seats"],
    "demo": lambda facts, wording: facts.data["title"],
    "company": _company,
    "rating": lambda facts, wording: facts.data["rating"],
}


def training_context(sources: FactSources, training: Training, wording: Wording) -> dict[str, Any]:
    """What the e-mail templates show of a training, in the venue's local time, its zone named, in
    ``wording``'s language."""
    start, end, zone = training.starts_at, training.ends_at, training.timezone
    expert = sources.users.get(training.expert_id)
    venue = training.venue
    return {
        "title": training.title,
        "day_label": wording.local(start, zone, "day") if start else wording.gettext(N_("to be announced")),
        "starts": wording.local(start, zone, "time") if start else "",
        "ends": wording.local(end, zone, "time") if end else "",
        "timezone": wording.zone_label(start, zone),
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
    sources: FactSources,
    training: Training,
    booking_id: str,
    trainee_id: str,
    cancelled: bool,
    wording: Wording | None = None,
) -> CalendarFile | None:
    """The booking's invitation, or its cancellation: one UID per booking, so calendars update one event.

    An invitation's SEQUENCE is the training's version (every change of the training bumps it);
    a cancellation's is one higher than any invitation sent for that version. Its notes are in
    ``wording``'s language (the trainee's, by default).
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
        wording=wording or sources.wordings(trainee.locale),
    )  # fmt: skip
    return CalendarFile(method, content)


def venue_when(iso: object, training: Training | None, wording: Wording) -> str:
    """An instant from an event, in the venue's time with its zone named (UTC without a venue)."""
    if not isinstance(iso, str):
        return ""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    tz = training.timezone if training else None
    return f"{wording.local(moment, tz, 'datetime')} {wording.zone_label(moment, tz)}"


def money(amount: object, currency: object, wording: Wording) -> str:
    """An amount from an event as the reader writes it, or "the price" when the event carries none."""
    if not isinstance(amount, int) or not isinstance(currency, str):
        return wording.gettext(N_("the price"))
    return wording.money(amount, currency)
