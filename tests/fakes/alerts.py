"""Fakes of the alerts ports."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from core.alerts import Alert, AlertMatch


@dataclass
class FakeAlerts:
    """Alerts by id."""

    rows: dict[str, Alert] = field(default_factory=dict)
    reads: int = 0  # how many candidate reads a publication made

    def add(self, alert: Alert) -> None:
        """Store it."""
        self.rows[alert.id] = copy.deepcopy(alert)

    def of_user(self, user_id: str) -> list[Alert]:
        """Oldest first."""
        return sorted(
            (copy.deepcopy(a) for a in self.rows.values() if a.user_id == user_id), key=lambda a: a.created_at
        )

    def delete(self, alert_id: str, user_id: str) -> bool:
        """Only the owner's."""
        if alert_id in self.rows and self.rows[alert_id].user_id == user_id:
            del self.rows[alert_id]
            return True
        return False

    def filed_under(self, keys: Iterable[str]) -> list[Alert]:
        """By key."""
        self.reads += 1
        wanted = set(keys)
        return [copy.deepcopy(a) for a in self.rows.values() if a.key in wanted]


@dataclass
class FakeAlertMatches:
    """Matches by alert:training."""

    rows: dict[str, AlertMatch] = field(default_factory=dict)

    def add(self, matches: list[AlertMatch]) -> None:
        """The first of each stays."""
        for match in matches:
            self.rows.setdefault(match.id, match)

    def unsent_daily(self, matched_before: datetime, limit: int) -> list[AlertMatch]:
        """Oldest first."""
        found = [m for m in self.rows.values() if m.delivery == "daily" and m.sent_on is None
                 and m.matched_at < matched_before]  # fmt: skip
        return sorted(found, key=lambda m: m.matched_at)[:limit]

    def mark_sent(self, match_ids: list[str], day: str) -> None:
        """Record the digest's day."""
        for match_id in match_ids:
            self.rows[match_id] = replace(self.rows[match_id], sent_on=day)
