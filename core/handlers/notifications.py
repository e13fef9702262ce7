"""The notifications worker's handler: tell each person concerned, once per event.

Which notices an event causes is the table in ``core.notice_table``, what each one says is
``core.notices``; here the table's names become people, pages and calendar files, worked out
from the event's facts (``core.services.notice_facts``). Every link opens a web page (``core.links``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from core import ports
from core.links import Links
from core.model import ACTIVE_STATUSES, BookingStatus, Role
from core.notice_table import NOTICE_TABLE, Audience, Calendar, Condition, Page, Row
from core.ports import CalendarFile, Notification, Wording
from core.services.delivery import Channels, deliver
from core.services.deps import Clock, Policy
from core.services.notice_facts import FactSources, NoticeFacts, calendar_file
from events.envelope import Event


class Recipient(NamedTuple):
    """One person a notice goes to, the booking it is about, and (for a training's seats) that booking's status."""

    user_id: str
    booking_id: str | None = None
    status: BookingStatus | None = None


def on_event(
    event: Event,
    users: ports.Users,
    trainings: ports.Trainings,
    bookings: ports.Bookings,
    inbox: ports.Inbox,
    outbox: ports.Outbox,
    preferences: ports.NotificationPreferences,
    renderer: ports.EmailRenderer,
    wordings: ports.Wordings,
    policy: Policy,
    clock: Clock,
) -> None:
    """Deliver every notice the table gives the event, each once per person and event, in their language."""
    sources = FactSources(users, trainings, bookings, policy, clock, wordings)
    channels = Channels(inbox, outbox, preferences, users, renderer, policy, clock)
    for notification in notices_of(sources, event):
        deliver(channels, notification)


def notices_of(sources: FactSources, event: Event) -> Iterator[Notification]:
    """The notices the table gives the event, in its order: one per row that applies and person concerned,
    worded in that person's language (their profile's locale, read with the others of the row at once)."""
    facts = NoticeFacts(sources, event)
    links = Links(sources.policy.public_base_url)
    for row in NOTICE_TABLE.get(event.type, ()):
        if (row.when and not CONDITIONS[row.when](facts)) or (row.unless and CONDITIONS[row.unless](facts)):
            continue
        recipients = AUDIENCES[row.audience](facts)
        facts.meet(r.user_id for r in recipients)
        for recipient in recipients:
            link = PAGES[row.page](links, facts, recipient)
            yield _notification(row, facts, recipient, link, facts.wording_of(recipient.user_id))


def _notification(row: Row, facts: NoticeFacts, recipient: Recipient, link: str, wording: Wording) -> Notification:
    notice = row.notice
    worded = facts.worded(wording)
    subject, body = notice.words(worded, wording)
    context: dict[str, Any] = {}
    if "training" in row.context and facts.training is not None:
        context["training"] = worded.training_details
    if "codes" in row.context:
        context["codes"] = list(facts.data.get("codes", []))
    if notice.action:
        context["action_label"] = wording.gettext(notice.action)
    inbox_only = row.inbox_only_if is not None and CONDITIONS[row.inbox_only_if](facts)
    return Notification(
        recipient.user_id,
        facts.event.id,
        row.kind,
        subject,
        body,
        link,
        notice.category,
        emailed=notice.emailed and not inbox_only,
        context=context,
        calendar=_calendar(row.calendar, facts, recipient, wording),
        locale=wording.locale,
    )


def _calendar(
    calendar: Calendar | None, facts: NoticeFacts, recipient: Recipient, wording: Wording
) -> CalendarFile | None:
    if calendar is None or facts.training is None:
        return None
    cancels, applies = CALENDARS[calendar]
    if not applies(facts, recipient):
        return None
    booking_id = recipient.booking_id or facts.data["booking_id"]
    return calendar_file(facts.sources, facts.training, booking_id, recipient.user_id, cancelled=cancels,
                         wording=wording)  # fmt: skip


def _seats(facts: NoticeFacts, statuses: frozenset[BookingStatus]) -> list[Recipient]:
    """One recipient per booking of the training in one of ``statuses``, in the store's order."""
    if facts.training is None:
        return []
    bookings = facts.sources.bookings.live_on_training(facts.training.id)
    return [Recipient(b.trainee_id, b.id, b.status) for b in bookings if b.status in statuses]


def _voucher_sponsor(facts: NoticeFacts) -> list[Recipient]:
    sponsored = facts.booking.sponsored_by if facts.booking else None
    return [Recipient(sponsored["sponsor_id"])] if sponsored else []


AUDIENCES: dict[Audience, Callable[[NoticeFacts], list[Recipient]]] = {
    "trainee": lambda facts: [Recipient(facts.trainee_id, facts.data.get("booking_id"))],
    "expert": lambda facts: [Recipient(facts.data["expert_id"])],
    "training's expert": lambda facts: [Recipient(facts.training.expert_id)] if facts.training else [],
    "sponsor": lambda facts: [Recipient(facts.data["sponsor_id"])],
    "voucher's sponsor": _voucher_sponsor,
    "admins": lambda facts: [Recipient(admin.id) for admin in facts.sources.users.with_role(Role.ADMIN)],
    "booked trainees": lambda facts: _seats(facts, ACTIVE_STATUSES),
    "confirmed trainees": lambda facts: _seats(facts, frozenset({BookingStatus.CONFIRMED})),
}

PAGES: dict[Page, Callable[[Links, NoticeFacts, Recipient], str]] = {
    "booking": lambda links, facts, to: links.booking(to.booking_id or facts.data["booking_id"]),
    "expert's training": lambda links, facts, to: links.expert_training(facts.known_training.id),
    "training": lambda links, facts, to: links.training(facts.known_training.id),
    "sponsorship": lambda links, facts, to: links.sponsorship(facts.sponsorship_id),
    "credentials": lambda links, facts, to: links.credentials(),
    "admin desk": lambda links, facts, to: links.admin_experts(),
    "certificates": lambda links, facts, to: links.certificates(),
    "reviews": lambda links, facts, to: links.reviews(facts.data["training_id"]),
    "portfolio": lambda links, facts, to: links.portfolio(),
    "messages": lambda links, facts, to: links.messages(facts.data["booking_id"]),
    "questions": lambda links, facts, to: links.questions(facts.data["training_id"]),
    "expert's questions": lambda links, facts, to: links.expert_questions(facts.data["training_id"]),
    "question desk": lambda links, facts, to: links.admin_questions(),
    "message desk": lambda links, facts, to: links.admin_messages(),
}

CONDITIONS: dict[Condition, Callable[[NoticeFacts], bool]] = {
    "promoted": lambda facts: bool(facts.data.get("promoted")),
    "revised": lambda facts: int(facts.data.get("revision", 1)) > 1,
    "by the expert": lambda facts: facts.data.get("by") == "expert",
    "refund announced": lambda facts: bool(facts.data.get("announced")),
    "training known": lambda facts: facts.training is not None,
    "material change": lambda facts: bool(facts.material_changes),
    "no longer waiting": lambda facts: (
        facts.booking is not None and facts.booking.status is not BookingStatus.WAITLISTED
    ),
}

# Whether the calendar file cancels the seat's event, and whether it goes with this notice.
CALENDARS: dict[Calendar, tuple[bool, Callable[[NoticeFacts, Recipient], bool]]] = {
    "invitation": (False, lambda facts, to: True),
    "invitation if confirmed": (False, lambda facts, to: to.status is BookingStatus.CONFIRMED),
    "cancellation if confirmed": (True, lambda facts, to: facts.data.get("was") == BookingStatus.CONFIRMED),
}

HANDLERS = {event_type: [on_event] for event_type in NOTICE_TABLE}
