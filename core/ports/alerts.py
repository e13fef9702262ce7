"""Ports: saved searches and the trainings that matched them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from core.alerts import Alert, AlertMatch


class Alerts(Protocol):
    def add(self, alert: Alert) -> None:
        """Store a new alert."""

    def of_user(self, user_id: str) -> list[Alert]:
        """A person's alerts, oldest first."""

    def delete(self, alert_id: str, user_id: str) -> bool:
        """Remove one of this person's alerts; False if they have no such alert."""

    def filed_under(self, keys: Iterable[str]) -> list[Alert]:
        """Every alert filed under one of these keys (``Alert.key``)."""


class AlertMatches(Protocol):
    def add(self, matches: list[AlertMatch]) -> None:
        """Store the matches not stored before (one per alert and training); the others stay as they are."""

    def unsent_daily(self, matched_before: datetime, limit: int) -> list[AlertMatch]:
        """Daily alerts' matches no digest told yet, matched before ``matched_before``, oldest first."""

    def mark_sent(self, match_ids: list[str], day: str) -> None:
        """These matches were told in the digest of ``day``."""
