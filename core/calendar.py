"""The calendar invitation of a booked training, and its cancellation, as RFC 5545 iCalendar text (no library)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.model import Training

PRODID = "-//InSitu Marketplace//Training invitation//EN"
_MAX_OCTETS = 75  # RFC 5545 3.1: content lines SHOULD NOT be longer than 75 octets, line break excluded
_CRLF = "\r\n"


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
) -> str:
    """An iCalendar ``METHOD:REQUEST`` with one event: the training day, for one attendee.

    ``uid`` must stay the same for every invitation about the same booking, so calendars
    update the event instead of adding a second one; a later revision needs a higher
    ``sequence``. With ``method="CANCEL"`` it is the invitation's cancellation (RFC 5546
    3.2.5): ``STATUS:CANCELLED``, no alarm, and a ``sequence`` higher than the last
    invitation's, or calendars ignore it as stale. Raises ``ValueError`` if the training has
    no (or a naive) start or end, or for another method.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"an invitation is a REQUEST or a CANCEL, not {method!r}")
    if training.starts_at is None or training.ends_at is None:
        raise ValueError(f"training {training.id} has no start or end: nothing to put in a calendar")
    summary = training.title
    cancel = method == "CANCEL"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{_text(uid)}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(training.starts_at)}",
        f"DTEND:{_utc(training.ends_at)}",
        f"SUMMARY:{_text(summary)}",
    ]
    location = _location(training)
    if location:
        lines.append(f"LOCATION:{_text(location)}")
    lines.append(f"DESCRIPTION:{_text(_description(training, url))}")
    if url:
        lines.append(f"URL:{_uri(url)}")
    lines += [
        f"ORGANIZER;CN={_param(organizer_name)}:mailto:{_address(organizer_email)}",
        f"ATTENDEE;CN={_param(attendee_name)};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE"
        f":mailto:{_address(attendee_email)}",
        "STATUS:CANCELLED" if cancel else "STATUS:CONFIRMED",
        f"SEQUENCE:{sequence}",
        "TRANSP:TRANSPARENT" if cancel else "TRANSP:OPAQUE",
    ]
    if not cancel:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_text('Tomorrow: ' + summary)}",
            "TRIGGER:-P1D",
            "END:VALARM",
        ]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + _CRLF for line in lines)


def _fold(line: str) -> str:
    """Split one content line into physical lines of at most 75 UTF-8 octets (RFC 5545 3.1).

    Continuation lines start with a space, which counts towards their 75 octets; a
    multi-byte character is never cut, so every physical line stays valid UTF-8.
    """
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = _MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, _MAX_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (_CRLF + " ").join(pieces)


def _utc(moment: datetime) -> str:
    # A naive datetime is an unknown instant: refuse it rather than guess the server's zone.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11); any line break becomes the two characters ``\\n``."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "\\n")


def _param(value: str) -> str:
    # A parameter value cannot hold a double quote or a line break, and needs quotes
    # around ":", ";" or ",": quote always, and swap what cannot be said.
    cleaned = " ".join(value.replace('"', "'").split())
    return f'"{cleaned}"'


def _address(email: str) -> str:
    # Addresses come from validated accounts; a control character or space here would
    # let a value break out of its line, so refuse it rather than escape it.
    if not email or any(c.isspace() or ord(c) < 32 or c == ":" for c in email):
        raise ValueError(f"not an e-mail address for a calendar: {email!r}")
    return email


def _uri(url: str) -> str:
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise ValueError(f"not a URL for a calendar: {url!r}")
    return url


def _location(training: Training) -> str:
    venue = training.venue
    town = " ".join(part for part in (venue.postal_code, venue.city) if part)
    return ", ".join(part for part in (venue.institution, venue.address, town, venue.country) if part)


def _description(training: Training, url: str | None) -> str:
    """The plain-text notes of the event: technique, the day's programme, CME credits, link."""
    paragraphs: list[str] = []
    if training.technique:
        paragraphs.append(f"Technique: {training.technique}")
    if training.programme:
        zone = f" ({training.timezone} time)" if training.timezone else ""
        steps = [
            f"{step.get('start', '')}-{step.get('end', '')} {step.get('title', '')}" for step in training.programme
        ]
        paragraphs.append("\n".join([f"Programme{zone}:", *steps]))
    if training.cme_credits:
        paragraphs.append(f"CME credits: {training.cme_credits:g}")
    if url:
        paragraphs.append(url)
    return "\n\n".join(paragraphs)
