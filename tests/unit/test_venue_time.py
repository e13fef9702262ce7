"""The name of a venue's clock: the zone, with its summer or winter time at the instant shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.venue_time import utc_offset, zone_label

WINTER = datetime(2026, 1, 15, 7, 0, tzinfo=UTC)  # 08:00 in Paris
SUMMER = datetime(2026, 7, 15, 6, 0, tzinfo=UTC)  # 08:00 in Paris


@pytest.mark.parametrize(
    ("when", "zone", "label"),
    [
        (WINTER, "Europe/Paris", "Europe/Paris time (CET, UTC+01:00)"),
        (SUMMER, "Europe/Paris", "Europe/Paris time (CEST, UTC+02:00)"),
        (SUMMER, "Europe/Rome", "Europe/Rome time (CEST, UTC+02:00)"),
        (WINTER, "Europe/London", "Europe/London time (GMT, UTC+00:00)"),  # GMT is not UTC all year
        (SUMMER, "Europe/London", "Europe/London time (BST, UTC+01:00)"),
        (WINTER, "America/St_Johns", "America/St Johns time (NST, UTC-03:30)"),
        (WINTER, "Asia/Kathmandu", "Asia/Kathmandu time (UTC+05:45)"),  # no abbreviation of its own
        (WINTER, "America/Sao_Paulo", "America/Sao Paulo time (UTC-03:00)"),
    ],
)
def test_a_zone_is_named_with_the_abbreviation_and_offset_of_that_instant(
    when: datetime, zone: str, label: str
) -> None:
    assert zone_label(when, zone) == label


def test_the_last_hour_of_summer_time_and_the_first_of_winter_time_differ() -> None:
    # Paris, 25 October 2026: 03:00 CEST becomes 02:00 CET, at 01:00 UTC.
    switch = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    assert zone_label(switch - timedelta(minutes=1), "Europe/Paris") == "Europe/Paris time (CEST, UTC+02:00)"
    assert zone_label(switch, "Europe/Paris") == "Europe/Paris time (CET, UTC+01:00)"


def test_the_instant_may_carry_any_offset_the_label_is_the_venues() -> None:
    in_tokyo = WINTER.astimezone(timezone(timedelta(hours=9)))
    assert zone_label(in_tokyo, "Europe/Paris") == "Europe/Paris time (CET, UTC+01:00)"
    naive = SUMMER.replace(tzinfo=None)  # read as UTC
    assert zone_label(naive, "Europe/Paris") == "Europe/Paris time (CEST, UTC+02:00)"


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC", None, "", "Mars/Olympus_Mons", "Paris"])
def test_utc_a_missing_or_an_unknown_zone_say_utc(zone: str | None) -> None:
    # The pages show the stored instant (UTC) when they know no zone to convert it to.
    assert zone_label(WINTER, zone) == zone_label(SUMMER, zone) == "UTC"
    assert zone_label(None, zone) == "UTC"


def test_without_a_known_zone_an_instant_with_its_own_offset_says_it() -> None:
    assert zone_label(WINTER.astimezone(timezone(timedelta(hours=2))), None) == "UTC+02:00"


def test_without_an_instant_the_zone_is_named_alone() -> None:
    assert zone_label(None, "Europe/Paris") == "Europe/Paris time"


@pytest.mark.parametrize(
    ("offset", "text"),
    [(timedelta(0), "UTC+00:00"), (timedelta(hours=-3, minutes=-30), "UTC-03:30"), (timedelta(hours=14), "UTC+14:00")],
)
def test_offsets_read_as_people_write_them(offset: timedelta, text: str) -> None:
    assert utc_offset(offset) == text
