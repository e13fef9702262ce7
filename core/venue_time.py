"""How the clock of a venue is named for people: the zone, and its summer or winter time at an instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.model import zone_of

# Names of the zone that is UTC all year round: its times need no more than "UTC".
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu"})


def zone_label(when: datetime | None, timezone: str | None) -> str:
    """The clock on which a venue's times are read, right for the instant ``when``.

    ``Europe/Paris time (CET, UTC+01:00)`` in winter and ``Europe/Paris time (CEST, UTC+02:00)``
    in summer. A zone without a lettered abbreviation gives its offset only
    (``Asia/Dubai time (UTC+04:00)``), and underscores read as spaces (``America/Sao Paulo``).
    Without an instant, the zone's name alone, since its offset depends on the date. For UTC, or
    a missing or unknown zone, pages show the instant as stored: ``UTC`` (or its own offset,
    ``UTC+02:00``, if it carries another one). A naive instant is read as UTC.
    """
    name, abbreviation, offset = zone_parts(when, timezone)
    if name is None:
        return offset or "UTC"
    if offset is None:
        return f"{name} time"
    if abbreviation is None:
        return f"{name} time ({offset})"
    return f"{name} time ({abbreviation}, {offset})"


def zone_parts(when: datetime | None, timezone: str | None) -> tuple[str | None, str | None, str | None]:
    """What a zone's label names: the zone (None for UTC or unknown), its abbreviation at ``when``
    (None where it has no lettered one) and its offset (None without an instant), for
    ``zone_label`` here and for the other languages' labels (``adapters.l10n``)."""
    zone = zone_of(timezone)
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if zone is None or zone.key in UTC_NAMES:
        offset = when.utcoffset() if when is not None and zone is None else None
        return None, None, utc_offset(offset) if offset else None
    name = zone.key.replace("_", " ")  # IANA names write spaces as underscores: America/Sao_Paulo
    if when is None:
        return name, None, None
    local = when.astimezone(zone)
    abbreviation = local.tzname() or ""
    # tzdata writes "+04" where a zone has no abbreviation of its own: the offset says it already.
    lettered = abbreviation if abbreviation and abbreviation[0] not in "+-" else None
    return name, lettered, utc_offset(local.utcoffset() or timedelta(0))


def utc_offset(offset: timedelta) -> str:
    """An offset from UTC as people write it: ``UTC+01:00``, ``UTC-03:30``, ``UTC+05:45``."""
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"
