"""Fake of the ``Trainings`` port: optimistic versions, projections the expert cannot overwrite, the search."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.model import Training, TrainingStatus
from core.ports import TrainingQuery
from core.text import fold, words
from events.envelope import Event
from tests.fakes.messaging import FakePendingEvents

# Written by the capacity worker and the reviews, never by ``replace``.
_PROJECTED = ("rating_average", "rating_count", "seats_left")


def _matches(t: Training, q: TrainingQuery) -> bool:
    """The filters of ``adapters.mongo_catalogue._search_query``, on one training."""
    checks = [
        t.status is TrainingStatus.PUBLISHED,
        not q.free_seats_only or (t.seats_left or 0) > 0,
        not q.language or q.language in t.languages,
        not q.city or fold(t.venue.city or "") == fold(q.city),
        not q.country or (t.venue.country or "").upper() == q.country.upper(),
        not q.technique or fold(t.technique or "") == fold(q.technique),
        not q.specialty or fold(t.specialty or "") == fold(q.specialty),
        not q.sponsor_id or q.sponsor_id in t.sponsor_ids,
        set(q.text_words) <= set(words(t.title, t.technique, t.specialty, t.description)),
        q.date_from is None or (t.starts_at is not None and t.starts_at >= q.date_from),
        q.date_to is None or (t.starts_at is not None and t.starts_at <= q.date_to),
        q.price_min is None or (t.price is not None and t.price >= q.price_min),
        q.price_max is None or (t.price is not None and t.price <= q.price_max),
        not q.currency or t.currency == q.currency,
        not q.verified_only or t.expert_verified,
        q.min_rating is None or (t.rating_average is not None and t.rating_average >= q.min_rating),
    ]
    return all(checks)


def _sorted(found: list[Training], sort: str) -> list[Training]:
    """The orders of ``_ORDERS``, id last; a missing value sorts first ascending (as in MongoDB)."""
    found = sorted(found, key=lambda t: t.id)
    if sort in ("date", "-date"):
        return sorted(found, key=lambda t: (t.starts_at is not None, t.starts_at or 0), reverse=sort == "-date")
    if sort in ("price", "-price"):
        found = sorted(found, key=lambda t: (t.price is not None, t.price or 0), reverse=sort == "-price")
        return sorted(found, key=lambda t: t.currency or "")
    # rating: best first, then the more reviewed; unrated last.
    return sorted(found, key=lambda t: (t.rating_average is None, -(t.rating_average or 0), -t.rating_count))


@dataclass
class FakeTrainings:
    """Trainings by id; ``reminded_for`` kept beside, as the document keeps it."""

    pending: FakePendingEvents = field(default_factory=FakePendingEvents)
    rows: dict[str, Training] = field(default_factory=dict)
    reminded_for: dict[str, datetime] = field(default_factory=dict)

    def add(self, training: Training, announcing: Event | None = None) -> None:
        """Store a new one; its series is its own unless it joined one; all seats free."""
        if training.id in self.rows:
            raise ValueError(f"duplicate training id {training.id}")  # DuplicateKeyError in MongoDB
        stored = copy.deepcopy(training)
        stored.series_id = training.series_id or training.id
        if training.capacity is not None:
            stored.seats_left = training.capacity
        self.rows[training.id] = stored
        self.pending.keep("trainings", training.id, announcing)

    def get(self, training_id: str) -> Training | None:
        """A copy."""
        return copy.deepcopy(self.rows.get(training_id))

    def replace(self, training: Training, expected_version: int, announcing: Event | None = None) -> bool:
        """If the stored version is ``expected_version``; the projections stay as stored."""
        stored = self.rows.get(training.id)
        if stored is None or stored.version != expected_version:
            return False
        new = copy.deepcopy(training)
        new.series_id = training.series_id or training.id
        for name in _PROJECTED:
            setattr(new, name, getattr(stored, name))
        self.rows[training.id] = new
        self.pending.keep("trainings", training.id, announcing)
        return True

    def search(self, query: TrainingQuery) -> tuple[list[Training], int]:
        """One page of the published trainings matching, and the total."""
        found = _sorted([t for t in self.rows.values() if _matches(t, query)], query.sort)
        page = found[query.offset : query.offset + query.limit]
        return [copy.deepcopy(t) for t in page], len(found)

    def by_expert(self, expert_id: str, limit: int, offset: int) -> tuple[list[Training], int]:
        """Newest first."""
        mine = sorted((t for t in self.rows.values() if t.expert_id == expert_id), key=lambda t: t.created_at)
        mine.reverse()
        return [copy.deepcopy(t) for t in mine[offset : offset + limit]], len(mine)

    def set_seats_left(self, training_id: str, seats_left: int) -> None:
        """Never negative."""
        if training_id in self.rows:
            self.rows[training_id].seats_left = max(0, seats_left)

    def _published(self) -> list[Training]:
        found = [t for t in self.rows.values() if t.status is TrainingStatus.PUBLISHED and t.starts_at]
        return sorted(found, key=lambda t: (t.starts_at, t.id))

    def ended_before(self, cutoff: datetime, limit: int) -> list[Training]:
        """Published, ended before ``cutoff``, oldest start first."""
        ended = [t for t in self._published() if t.ends_at and t.ends_at < cutoff]
        return [copy.deepcopy(t) for t in ended[:limit]]

    def due_for_reminder(self, start: datetime, end: datetime, limit: int) -> list[Training]:
        """Published, starting in ``[start, end)``, not reminded of that start."""
        due = [t for t in self._published()
               if start <= t.starts_at < end and self.reminded_for.get(t.id) != t.starts_at]  # type: ignore[operator]  # fmt: skip
        return [copy.deepcopy(t) for t in due[:limit]]

    def mark_reminded(self, training_id: str, starts_at: datetime) -> None:
        """Remember the start reminded of."""
        self.reminded_for[training_id] = starts_at

    def set_sponsor(self, training_id: str, sponsor_id: str, shown: bool) -> None:
        """``$addToSet`` or ``$pull``."""
        training = self.rows.get(training_id)
        if training is None:
            return
        if shown and sponsor_id not in training.sponsor_ids:
            training.sponsor_ids.append(sponsor_id)
        elif not shown and sponsor_id in training.sponsor_ids:
            training.sponsor_ids.remove(sponsor_id)

    def set_expert_verified(self, expert_id: str, verified: bool) -> int:
        """How many of the expert's trainings changed."""
        changed = [t for t in self.rows.values() if t.expert_id == expert_id and t.expert_verified != verified]
        for t in changed:
            t.expert_verified = verified
        return len(changed)

    def set_rating(self, series_id: str, figures: dict[str, Any]) -> None:
        """What ``FakeReviews.refresh_ratings`` writes on every session of a series."""
        for t in self.rows.values():
            if t.series_id == series_id:
                t.rating_average, t.rating_count = figures["rating_average"], figures["rating_count"]
