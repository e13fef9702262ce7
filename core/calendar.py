"""The calendar invitation of a booked training, and its cancellation, as RFC 5545 iCalendar text.

The ``icalendar`` library writes the text: escaping, parameter quoting, folding at 75
octets, CRLF. What stays here is what the marketplace decides: which properties, in which
zone (UTC), and which values it refuses rather than escapes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vCalAddress

from core.model import Training
from core.ports import Wording
from core.words import N_

PRODID = "-//InSitu Marketplace//Training invitation//EN"


def invitation(
    training: Training,
    uid: str,
    attendee_email: str,
    attendee_name: str,
    organizer_email: str,
    organizer_name: str,
    url: str | None,
    now: datetime,
    *,
    sequence: int = 0,
    method: str = "REQUEST",
    wording: Wording | None = None,
) -> str:
    """An iCalendar ``METHOD:REQUEST`` with one event: the training day, for one attendee.

    ``uid`` must stay the same for every invitation about the same booking, so calendars
    update the event instead of adding a second one; a later revision needs a higher
    ``sequence``. With ``method="CANCEL"`` it is the invitation's cancellation (RFC 5546
    3.2.5): ``STATUS:CANCELLED``, no alarm, and a ``sequence`` higher than the last
    invitation's, or calendars ignore it as stale. The notes are in ``wording``'s language (None:
    the English they are written in). Raises ``ValueError`` if the training has
    no (or a naive) start or end, or for another method.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"an invitation is a REQUEST or a CANCEL, not {method!r}")
    if training.starts_at is None or training.ends_at is None:
        raise ValueError(f"training {training.id} has no start or end: nothing to put in a calendar")
    cancel = method == "CANCEL"
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(now))
    # UTC, with no TZID: every calendar reads it without a VTIMEZONE block to carry.
    event.add("dtstart", _utc(training.starts_at))
    event.add("dtend", _utc(training.ends_at))
    event.add("summary", training.title)
    location = _location(training)
    if location:
        event.add("location", location)
    say = wording.gettext if wording else _as_written
    event.add("description", _description(training, url, say, wording))
    if url:
        event.add("url", _uri(url))
    event.add("organizer", _person(organizer_email, organizer_name))
    attendee = _person(attendee_email, attendee_name)
    attendee.params.update({"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"})
    event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("sequence", sequence)
    event.add("transp", "TRANSPARENT" if cancel else "OPAQUE")
    if not cancel:  # no reminder for a day that is off
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", say(N_("Tomorrow: %(title)s")) % {"title": training.title})
        alarm.add("trigger", timedelta(days=-1))
        event.add_component(alarm)
    calendar.add_component(event)
    # Unsorted: the properties go out in the order written above, the calendar's headers first.
    text: bytes = calendar.to_ical(sorted=False)
    return text.decode("utf-8")


def _utc(moment: datetime) -> datetime:
    # A naive datetime is an unknown instant: refuse it rather than guess the server's zone.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone")
    return moment.astimezone(UTC)


def _person(email: str, name: str) -> vCalAddress:
    """A ``mailto:`` address with its common name (CN) as a parameter."""
    address = vCalAddress(f"mailto:{_address(email)}")
    # A parameter value cannot hold a double quote or a line break: swap what cannot be said
    # (the library quotes the value where it needs to).
    address.params["CN"] = " ".join(name.replace('"', "'").split())
    return address


def _address(email: str) -> str:
    # Addresses come from validated accounts; a control character or space here would
    # let a value break out of its line, so refuse it rather than escape it.
    if not email or any(c.isspace() or ord(c) < 32 or c == ":" for c in email):
        raise ValueError(f"not an e-mail address for a calendar: {email!r}")
    return email


def _uri(url: str) -> str:
    # A URI value is not escaped (RFC 5545 3.3.13): refuse what would break the line.
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise ValueError(f"not a URL for a calendar: {url!r}")
    return url


def _location(training: Training) -> str:
    venue = training.venue
    town = " ".join(part for part in (venue.postal_code, venue.city) if part)
    return ", ".join(part for part in (venue.institution, venue.address, town, venue.country) if part)


def _as_written(message: str) -> str:
    return message


def _description(training: Training, url: str | None, say: Callable[[str], str], wording: Wording | None) -> str:
    """The plain-text notes of the event: technique, the day's programme, CME credits, link."""
    paragraphs: list[str] = []
    if training.technique:
        paragraphs.append(say(N_("Technique: %(technique)s")) % {"technique": training.technique})
    if training.programme:
        heading = (
            say(N_("Programme (%(zone)s time):")) % {"zone": training.timezone}
            if training.timezone
            else say(N_("Programme:"))
        )
        steps = [
            f"{step.get('start', '')}-{step.get('end', '')} {step.get('title', '')}" for step in training.programme
        ]
        paragraphs.append("\n".join([heading, *steps]))
    if training.cme_credits:
        credits = wording.number(training.cme_credits) if wording else f"{training.cme_credits:g}"
        paragraphs.append(say(N_("CME credits: %(credits)s")) % {"credits": credits})
    if url:
        paragraphs.append(url)
    return "\n\n".join(paragraphs)
