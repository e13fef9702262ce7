"""The .ics invitation, read back with a small strict RFC 5545 reader written here.

``core.calendar`` writes with the ``icalendar`` library; reading with a second, stricter
reader (refusing a bare comma, an unknown escape, a line over 75 octets) is what keeps the
check independent of the writer.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from core.calendar import invitation
from core.model import Training, TrainingStatus, Venue

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 1, 10, 9, 30, 15, tzinfo=UTC)
TITLE = 'Réparation mitrale; trucs, astuces \\ et "pièges" — Ω'
URL = "https://marketplace.example.org/trainings/t-1"


def training(**fields: object) -> Training:
    """A training in Paris, starting at 08:00 local (07:00Z in March)."""
    base = Training(
        id="t-1",
        expert_id="e-1",
        title=TITLE,
        status=TrainingStatus.PUBLISHED,
        created_at=NOW,
        updated_at=NOW,
        technique="Mitral valve repair",
        programme=[
            {"start": "08:00", "end": "09:30", "title": "Case review, planning"},
            {"start": "09:30", "end": "17:00", "title": "Live surgery"},
        ],
        venue=Venue("Hôpital Européen Georges-Pompidou", "20 rue Leblanc", "Paris", "75015", "FR"),
        starts_at=datetime(2026, 3, 16, 8, 0, tzinfo=PARIS),
        ends_at=datetime(2026, 3, 16, 17, 0, tzinfo=PARIS),
        timezone="Europe/Paris",
        cme_credits=7.5,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def ics_for(t: Training | None = None, url: str | None = URL, **options: object) -> str:
    """The invitation of booking b-1 for Dr Ada Lovelace (``method="CANCEL"``: its cancellation)."""
    return invitation(
        t or training(),
        uid="b-1@insitu-marketplace",
        attendee_email="ada@example.org",
        attendee_name="Lovelace, Ada",
        organizer_email="noreply@marketplace.example.org",
        organizer_name="InSitu Marketplace",
        url=url,
        now=NOW,
        **options,  # type: ignore[arg-type]
    )


def physical_lines(ics: str) -> list[str]:
    """The lines as sent; the text must end with CRLF and hold no other line break."""
    assert ics.endswith("\r\n")
    lines = ics[:-2].split("\r\n")
    for line in lines:
        assert "\r" not in line and "\n" not in line, repr(line)
    return lines


def content_lines(ics: str) -> list[tuple[str, dict[str, str], str]]:
    """Unfold, then split each line into (NAME, params, raw value)."""
    unfolded = ics.replace("\r\n ", "").replace("\r\n\t", "")
    result = []
    for line in physical_lines(unfolded):
        # The name and parameters end at the first colon outside double quotes.
        match = re.match(r'^([A-Z-]+)((?:;[A-Z-]+=(?:"[^"]*"|[^";:,]*))*):(.*)$', line)
        assert match, f"not a content line: {line!r}"
        params = {}
        for param in re.findall(r';([A-Z-]+=(?:"[^"]*"|[^";:,]*))', match.group(2)):
            key, _, value = param.partition("=")
            params[key] = value
        result.append((match.group(1), params, match.group(3)))
    return result


def unescape(raw: str) -> str:
    """A TEXT value (RFC 5545 3.3.11), refusing a bare ``,`` or ``;`` or an unknown escape."""
    out, i = [], 0
    while i < len(raw):
        char = raw[i]
        if char == "\\":
            nxt = raw[i + 1]
            assert nxt in "\\;,nN", f"bad escape \\{nxt} in {raw!r}"
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        assert char not in ",;", f"unescaped {char!r} in {raw!r}"
        out.append(char)
        i += 1
    return "".join(out)


def event(ics: str) -> dict[str, tuple[dict[str, str], str]]:
    """The VEVENT's own properties (not the alarm's), by name."""
    props: dict[str, tuple[dict[str, str], str]] = {}
    depth: list[str] = []
    for name, params, value in content_lines(ics):
        if name == "BEGIN":
            depth.append(value)
        elif name == "END":
            assert depth.pop() == value
        elif depth == ["VCALENDAR", "VEVENT"]:
            assert name not in props, f"{name} twice"
            props[name] = (params, value)
    assert depth == []
    return props


def test_lines_end_with_crlf_and_fit_in_75_octets() -> None:
    long_title = "Chirurgie cardiaque é" * 8 + "🫀" * 30 + "日本語" * 20
    ics = ics_for(training(title=long_title))
    lines = physical_lines(ics)
    assert all(len(line.encode("utf-8")) <= 75 for line in lines), max(lines, key=lambda s: len(s.encode()))
    # The title really was folded, across multi-byte characters, and comes back whole.
    assert sum(1 for line in lines if line.startswith(" ")) >= 6
    assert unescape(event(ics)["SUMMARY"][1]) == long_title


def test_folding_never_cuts_a_multi_byte_character() -> None:
    ics = ics_for(training(title="🫀" * 60))
    # Each physical line, taken alone as octets, must be valid UTF-8.
    physical = ics.encode("utf-8").split(b"\r\n")
    for line in physical:
        line.decode("utf-8", errors="strict")
    # And folding wastes no room: a fold comes only when the next 4-octet heart would not fit.
    start = next(i for i, line in enumerate(physical) if line.startswith(b"SUMMARY:"))
    end = start + 1
    while physical[end].startswith(b" "):
        end += 1
    summary = physical[start:end]
    assert len(summary) == 4  # 8 + 240 octets: 72 + 73 + 73 + 33 (with the leading spaces)
    assert all(len(line) > 75 - 4 for line in summary[:-1])


def test_calendar_and_event_headers() -> None:
    ics = ics_for()
    lines = content_lines(ics)
    assert [(name, value) for name, _, value in lines[:6]] == [
        ("BEGIN", "VCALENDAR"),
        ("VERSION", "2.0"),
        ("PRODID", lines[2][2]),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "REQUEST"),
        ("BEGIN", "VEVENT"),
    ]
    assert lines[2][2].startswith("-//")
    assert sum(1 for name, _, value in lines if name == "BEGIN" and value == "VEVENT") == 1
    props = event(ics)
    assert props["UID"][1] == "b-1@insitu-marketplace"
    assert props["DTSTAMP"][1] == "20260110T093015Z"
    assert props["STATUS"][1] == "CONFIRMED"
    assert props["SEQUENCE"][1] == "0"
    assert props["TRANSP"][1] == "OPAQUE"


def test_start_and_end_are_the_trainings_instants_in_utc() -> None:
    t = training()
    props = event(ics_for(t))
    start = datetime.strptime(props["DTSTART"][1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    end = datetime.strptime(props["DTEND"][1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert start == t.starts_at and end == t.ends_at
    assert props["DTSTART"][1] == "20260316T070000Z"  # 08:00 in Paris, winter time
    assert props["DTSTART"][0] == {} and props["DTEND"][0] == {}  # no TZID: plain UTC


def test_summary_survives_commas_semicolons_backslashes_and_accents() -> None:
    props = event(ics_for())
    assert unescape(props["SUMMARY"][1]) == TITLE


def test_location_and_description() -> None:
    props = event(ics_for())
    assert unescape(props["LOCATION"][1]) == "Hôpital Européen Georges-Pompidou, 20 rue Leblanc, 75015 Paris, FR"
    description = unescape(props["DESCRIPTION"][1])
    assert "Mitral valve repair" in description
    assert "08:00-09:30 Case review, planning\n09:30-17:00 Live surgery" in description
    assert "CME credits: 7.5" in description
    assert URL in description
    assert props["URL"][1] == URL


def test_without_url_or_credits() -> None:
    props = event(ics_for(training(cme_credits=None), url=None))
    assert "URL" not in props
    assert "CME" not in unescape(props["DESCRIPTION"][1])


def test_organizer_and_attendee() -> None:
    props = event(ics_for())
    params, value = props["ORGANIZER"]
    assert params == {"CN": '"InSitu Marketplace"'} and value == "mailto:noreply@marketplace.example.org"
    params, value = props["ATTENDEE"]
    assert value == "mailto:ada@example.org"
    assert params == {
        "CN": '"Lovelace, Ada"',  # the comma needs the quotes
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "ACCEPTED",
        "RSVP": "FALSE",
    }


def test_a_cancellation_takes_the_same_event_out_with_a_higher_sequence() -> None:
    invited = event(ics_for(sequence=2))
    ics = ics_for(method="CANCEL", sequence=3)
    lines = content_lines(ics)
    assert ("METHOD", {}, "CANCEL") in lines
    cancelled = event(ics)
    assert cancelled["UID"] == invited["UID"]  # the same event, so calendars remove it
    assert int(cancelled["SEQUENCE"][1]) > int(invited["SEQUENCE"][1])
    assert cancelled["STATUS"][1] == "CANCELLED" and cancelled["TRANSP"][1] == "TRANSPARENT"
    assert cancelled["DTSTART"] == invited["DTSTART"] and cancelled["ORGANIZER"] == invited["ORGANIZER"]
    assert ("BEGIN", {}, "VALARM") not in lines  # no reminder for a day that is off
    with pytest.raises(ValueError, match="REQUEST or a CANCEL"):
        ics_for(method="PUBLISH")


def test_a_day_before_reminder() -> None:
    lines = content_lines(ics_for())
    begin = lines.index(("BEGIN", {}, "VALARM"))
    end = lines.index(("END", {}, "VALARM"))
    alarm = {name: value for name, _, value in lines[begin + 1 : end]}
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["TRIGGER"] == "-P1D"
    assert TITLE in unescape(alarm["DESCRIPTION"])
    assert ("END", {}, "VEVENT") in lines[end:]


def test_a_line_break_in_a_value_cannot_start_a_property() -> None:
    ics = ics_for(training(title="Day one\r\nATTENDEE:mailto:evil@example.org"))
    props = event(ics)
    assert unescape(props["SUMMARY"][1]) == "Day one\nATTENDEE:mailto:evil@example.org"
    assert props["ATTENDEE"][1] == "mailto:ada@example.org"


def test_another_reader_reads_the_same_event() -> None:
    # The library's own parser, as a calendar client would read the file.
    t = training()
    parsed = Calendar.from_ical(ics_for(t))
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == TITLE
    assert vevent.decoded("DTSTART") == t.starts_at and vevent.decoded("DTEND") == t.ends_at
    assert vevent["ATTENDEE"].params["CN"] == "Lovelace, Ada"
    assert [str(alarm["TRIGGER"].to_ical(), "ascii") for alarm in vevent.walk("VALARM")] == ["-P1D"]


@pytest.mark.parametrize("missing", ["starts_at", "ends_at"])
def test_missing_dates_raise(missing: str) -> None:
    with pytest.raises(ValueError):
        ics_for(training(**{missing: None}))


def test_naive_dates_raise() -> None:
    with pytest.raises(ValueError):
        ics_for(training(starts_at=datetime(2026, 3, 16, 8, 0)))
