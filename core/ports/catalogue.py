"""Ports: trainings and the catalogue search."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from core.model import Training, User
from events.envelope import Event

if TYPE_CHECKING:  # core.catalogue_index imports this module's TrainingQuery
    from core.catalogue_index import CatalogueMatches


class Trainings(Protocol):
    def add(self, training: Training, announcing: Event | None = None) -> None:
        """Store a new training."""

    def get(self, training_id: str) -> Training | None:
        """The training with this id, if any."""

    def replace(self, training: Training, expected_version: int, announcing: Event | None = None) -> bool:
        """Store ``training`` if the stored one still has ``expected_version``."""

    def search(self, query: TrainingQuery) -> tuple[list[Training], int]:
        """A page of published trainings matching ``query``, and the total."""

    def by_expert(self, expert_id: str, limit: int, offset: int) -> tuple[list[Training], int]:
        """An expert's trainings, newest first, and the total."""

    def set_seats_left(self, training_id: str, seats_left: int) -> None:
        """Refresh the searchable count of free seats (a projection of the seat counter)."""

    def ended_before(self, cutoff: datetime, limit: int) -> list[Training]:
        """Published trainings that ended before ``cutoff``, oldest first."""

    def due_for_reminder(self, start: datetime, end: datetime, limit: int) -> list[Training]:
        """Published trainings starting in ``[start, end)`` whose trainees were not reminded of that start."""

    def mark_reminded(self, training_id: str, starts_at: datetime) -> None:
        """Remember the reminder for the training starting at ``starts_at``."""

    def set_sponsor(self, training_id: str, sponsor_id: str, shown: bool) -> None:
        """Add (or remove) a sponsor whose demo the expert agreed to show."""

    def set_expert_verified(self, expert_id: str, verified: bool) -> int:
        """Give (or take away) the verified badge on every training of the expert; how many changed."""


class Catalogue(Protocol):
    """The catalogue search served from memory (the API's), kept fresh from the trainings' store."""

    def matching(self, query: TrainingQuery) -> CatalogueMatches | None:
        """Every published training matching ``query`` in its order; None when it cannot answer now
        (not loaded yet, or its feed is down): then ask ``Trainings.search``."""

    def experts(self, expert_ids: Iterable[str]) -> dict[str, User]:
        """The experts with these ids that it holds (ask ``Users.many`` for the others)."""

    def holds(self, found: CatalogueMatches, experts_version: int, date_from: datetime | None) -> bool:
        """Whether ``found``, shown with the experts at ``experts_version``, is still the answer to its
        query asked with ``date_from`` (None: a query whose answer does not depend on it)."""

    def touched(self) -> None:
        """This process may have written: the next search first catches up with what it wrote."""

    def current(self, training_id: str) -> Training | None:
        """The published training as held now, without waiting for anything; None when it is not
        held, the feed is not current, or this process wrote since its last catch-up (ask
        ``Trainings.get``). Read only: the caller gets a copy of the held object's fields."""

    @property
    def experts_version(self) -> int:
        """Changes whenever an expert it holds changes (a rendering of a page with experts is stale then)."""


@dataclass(frozen=True)
class TrainingQuery:
    """Catalogue search: every filter optional; text is matched word by word."""

    text_words: tuple[str, ...] = ()
    specialty: str | None = None
    technique: str | None = None
    city: str | None = None
    country: str | None = None
    language: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    price_min: int | None = None
    price_max: int | None = None
    currency: str | None = None
    free_seats_only: bool = False
    sponsor_id: str | None = None
    verified_only: bool = False
    min_rating: float | None = None
    sort: str = "date"  # date, -date, price, -price, rating (best first)
    limit: int = 20
    offset: int = 0
