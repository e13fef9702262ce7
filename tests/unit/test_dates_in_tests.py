"""No test pins a date still to come: on the real clock such a test breaks the day that date passes
(house style, 14). Tests build their dates from now, or pass a clock of their own set in the past."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.support import TRAINING, day_ahead

ROOT = Path(__file__).resolve().parents[2]
# Every Python file that runs against a clock: the tests and the benchmarks.
SOURCES = ("tests", "bench")
# A literal date as tests write one: datetime(Y, M, D ...) or date(Y, M, D), "Y-M-D..." in quotes,
# or as a page or a certificate says it, "15 March Y".
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
LITERAL_DATE = re.compile(
    r"\b(?:datetime|date)\(\s*(?P<y1>\d{4})\s*,\s*(?P<m1>\d{1,2})\s*,\s*(?P<d1>\d{1,2})"
    r"""|["'](?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2})"""
    rf"|\b(?P<d3>\d{{1,2}}) (?P<m3>{'|'.join(MONTHS)}) (?P<y3>\d{{4}})\b"
)


def literal_dates(text: str) -> list[tuple[int, date]]:
    """The line number and value of each literal date in a source text."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in LITERAL_DATE.finditer(line):
            parts = {k[0]: v for k, v in match.groupdict().items() if v is not None}
            month = MONTHS.index(parts["m"]) + 1 if parts["m"] in MONTHS else int(parts["m"])
            try:
                found.append((number, date(int(parts["y"]), month, int(parts["d"]))))
            except ValueError:
                continue  # not a real date: a malformed input on purpose
    return found


def test_the_scan_finds_every_way_of_writing_a_date() -> None:
    source = (
        'a = datetime(2021, 3, 15, 8, tzinfo=UTC)\nb = date(2021,3,16)\nc = {"at": "2021-03-17T08:00"}\n'
        'd = "Wednesday 18 March 2021, 08:00 to 17:00"\n'
    )
    assert literal_dates(source) == [(1, date(2021, 3, 15)), (2, date(2021, 3, 16)), (3, date(2021, 3, 17)),
                                     (4, date(2021, 3, 18))]  # fmt: skip
    assert literal_dates("x = '2021-02-30'\ny = f'{day}T08:00'\n") == []


def test_no_test_or_benchmark_pins_a_date_still_to_come() -> None:
    today = datetime.now(UTC).date()
    pinned = [
        f"{path.relative_to(ROOT)}:{number}: {day.isoformat()}"
        for folder in SOURCES
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, day in literal_dates(path.read_text(encoding="utf-8"))
        if day >= today
    ]
    assert pinned == [], "build these from datetime.now(UTC), or pass a clock set in the past:\n" + "\n".join(pinned)


def test_the_default_training_is_months_ahead_on_one_day_at_its_venue() -> None:
    zone = ZoneInfo(TRAINING["timezone"])
    starts, ends = (datetime.fromisoformat(TRAINING[k]).astimezone(zone) for k in ("starts_at", "ends_at"))
    now = datetime.now(UTC)
    # Far enough for the full refund (30 days or more before) however long the run, not absurdly far.
    assert now + timedelta(days=90) < starts < now + timedelta(days=400)
    assert (starts.date(), starts.strftime("%H:%M"), ends.strftime("%H:%M")) == (ends.date(), "08:00", "17:00")


def test_a_day_ahead_keeps_its_local_hours_in_summer_and_in_winter_time() -> None:
    for zone in ("Europe/Paris", "America/New_York", "Australia/Sydney"):
        offsets = set()
        for days in range(366):
            starts, ends = (datetime.fromisoformat(t).astimezone(ZoneInfo(zone)) for t in day_ahead(days, zone=zone))
            assert (starts.date(), starts.strftime("%H:%M"), ends.strftime("%H:%M")) == (ends.date(), "08:00", "17:00")
            offsets.add(starts.utcoffset())
        assert len(offsets) == 2, (zone, offsets)  # the year crossed both changes of the clock
