"""Rate limits: how many attempts of one kind a key (an account, a client, a trainee) may make.

Fixed windows: the counter of ``key`` for the window holding ``now``. A burst straddling two
windows can reach twice the limit; that is the price of one counter per key and window, which
every API process shares through the ``RateLimits`` port.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.errors import RateLimited
from core.ports import RateLimits

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)?\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Limit:
    """At most ``count`` attempts per ``period_s`` seconds."""

    count: int
    period_s: int

    @classmethod
    def parse(cls, spec: str) -> Limit:
        """``"10/minute"``, ``"30/10 minutes"``, ``"100/hour"``; ``ValueError`` otherwise."""
        found = _SPEC.match(spec.lower())
        if not found or int(found.group(1)) < 1 or found.group(2) == "0":
            raise ValueError(f"not a rate limit: {spec!r} (write COUNT/PERIOD, e.g. 10/minute or 30/10 minutes)")
        return cls(int(found.group(1)), int(found.group(2) or 1) * _UNITS[found.group(3)])

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        """The start and end of the window that holds ``now``."""
        start = math.floor(now.timestamp() / self.period_s) * self.period_s
        begins = datetime.fromtimestamp(start, UTC)
        return begins, begins + timedelta(seconds=self.period_s)


def throttle(limits: RateLimits, key: str, limit: Limit, now: datetime, what: str) -> None:
    """Count one attempt; ``RateLimited`` once ``key`` went over ``limit`` in this window."""
    start, end = limit.window(now)
    if not limits.take(key, start, end, limit.count):
        raise _refusal(what, end, now)


def refuse_if_spent(limits: RateLimits, key: str, limit: Limit, now: datetime, what: str) -> None:
    """``RateLimited`` if ``key`` already used up ``limit`` in this window (counts nothing)."""
    start, end = limit.window(now)
    if limits.count(key, start) >= limit.count:
        raise _refusal(what, end, now)


def record(limits: RateLimits, key: str, limit: Limit, now: datetime) -> None:
    """Count one attempt under ``key`` (a failure, say) without deciding anything."""
    start, end = limit.window(now)
    limits.hit(key, start, end)


def _refusal(what: str, end: datetime, now: datetime) -> RateLimited:
    wait = max(1, math.ceil((end - now).total_seconds()))
    return RateLimited(f"Too many {what}; try again in {wait} seconds.", retry_after_s=wait)
