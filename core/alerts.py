"""Saved searches: a person names the catalogue's filters once and hears of each new training that
matches, at once or in a daily digest.

A training matches an alert exactly when the catalogue's search with those filters would list it
(the same folding of words, places and specialties). Each alert is filed under its most selective
filter (``key``), so a publication reads only the alerts that could match it: those filed under one
of the training's own keys, and those with no selective filter at all (``BROAD``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.model import Training
from core.text import fold, words

DELIVERIES = ("instant", "daily")
BROAD = "*"
MAX_ALERTS_PER_USER = 50
# The filters an alert keeps, as the catalogue's search names them.
FILTERS = ("q", "specialty", "technique", "city", "country", "language", "price_max", "currency", "free_seats")


@dataclass
class Alert:
    """One person's saved search."""

    id: str
    user_id: str
    filters: dict[str, Any]
    delivery: str  # instant or daily
    created_at: datetime
    name: str = ""
    key: str = BROAD


@dataclass(frozen=True)
class AlertMatch:
    """A training that matched an alert: told once, at once or in the next digest."""

    alert_id: str
    user_id: str
    training_id: str
    delivery: str
    matched_at: datetime
    title: str = ""
    sent_on: str | None = None  # the day of the digest that told it (daily alerts)

    @property
    def id(self) -> str:
        """One per alert and training."""
        return f"{self.alert_id}:{self.training_id}"


def key_of(filters: dict[str, Any]) -> str:
    """The most selective filter of an alert, the one it is filed under."""
    if filters.get("technique"):
        return f"technique:{fold(filters['technique'])}"
    if filters.get("specialty"):
        return f"specialty:{fold(filters['specialty'])}"
    if filters.get("city"):
        return f"city:{fold(filters['city'])}"
    said = words(filters.get("q"))
    if said:
        return f"word:{said[0]}"
    if filters.get("country"):
        return f"country:{filters['country'].upper()}"
    if filters.get("language"):
        return f"language:{filters['language']}"
    return BROAD


def keys_of(training: Training) -> list[str]:
    """Every key an alert that matches this training may be filed under."""
    keys = [BROAD]
    if training.technique:
        keys.append(f"technique:{fold(training.technique)}")
    if training.specialty:
        keys.append(f"specialty:{fold(training.specialty)}")
    if training.venue.city:
        keys.append(f"city:{fold(training.venue.city)}")
    if training.venue.country:
        keys.append(f"country:{training.venue.country.upper()}")
    keys += [f"language:{lang}" for lang in training.languages]
    keys += [f"word:{w}" for w in _words(training)]
    return keys


def matches(filters: dict[str, Any], training: Training, seats_left: int | None) -> bool:
    """Whether the catalogue's search with these filters lists this training."""
    checks = (
        ("specialty", lambda v: fold(v) == fold(training.specialty or "")),
        ("technique", lambda v: fold(v) == fold(training.technique or "")),
        ("city", lambda v: fold(v) == fold(training.venue.city or "")),
        ("country", lambda v: v.upper() == (training.venue.country or "").upper()),
        ("language", lambda v: v in training.languages),
        ("q", lambda v: set(words(v)) <= set(_words(training))),
    )
    for name, check in checks:
        if filters.get(name) and not check(filters[name]):
            return False
    if filters.get("price_max") is not None:
        if (training.currency or "").lower() != str(filters.get("currency", "")).lower():
            return False
        if training.price is None or training.price > filters["price_max"]:
            return False
    return not (filters.get("free_seats") and not seats_left)


def _words(training: Training) -> list[str]:
    return words(training.title, training.technique, training.specialty, training.description)
