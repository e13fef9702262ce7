"""The catalogue in memory: the published trainings, searched exactly as the database searches them.

``CatalogueIndex`` answers a ``TrainingQuery`` with the semantics of
``adapters.mongo_catalogue.MongoTrainings.search`` (the reference): the same filters on the
stored folded copies (``CatalogueEntry``), the same orders with the id as the last tie-break,
and MongoDB's ordering of missing values (lowest: first ascending, last descending). Whoever
feeds it (``upsert``/``remove``) keeps it fresh; it touches no infrastructure.

Speed comes from three things: the five orders are kept sorted and re-sorted only when a
member or a sort key changes (free seats change no order); equality filters start from
inverted indexes (sets of ids by specialty, technique, city, country, language, sponsor,
word); and the matches of a query are kept in a small cache, keyed by the query without its
page and without ``date_from``, valid while the version is the same and ``date_from`` stays
within the same gap between two starts (the default ``date_from`` is *now*: an answer
computed a second ago is still exact if no training started in between).
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.model import Training
from core.ports import TrainingQuery
from core.text import fold

SORTS = ("date", "-date", "price", "-price", "rating")
_CACHED_QUERIES = 512


@dataclass(frozen=True)
class CatalogueEntry:
    """A published training and the folded copies its search matches on (as stored beside it)."""

    training: Training
    words: tuple[str, ...] = ()  # distinct
    specialty: str | None = None
    technique: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class CatalogueMatches:
    """Every training matching a query, in its order; ``serial`` names this answer (unique per index).

    It is the answer at ``version`` of the index, for any ``date_from`` in ``(after, until]``:
    no training starts in between (both None: computed without a ``date_from``).
    """

    trainings: tuple[Training, ...]
    serial: int
    version: int = 0
    after: datetime | None = None
    until: datetime | None = None

    def within(self, date_from: datetime | None) -> bool:
        """Whether this is also the answer for ``date_from`` (to the millisecond, as stored)."""
        date_from = to_millisecond(date_from)
        if date_from is None:
            return True
        if self.after is not None and date_from <= self.after:
            return False
        return self.until is None or date_from <= self.until

    @property
    def total(self) -> int:
        """How many match."""
        return len(self.trainings)

    def page(self, offset: int, limit: int) -> list[Training]:
        """One page of them."""
        return list(self.trainings[offset : offset + limit])


def mongo_key(value: Any) -> tuple[int, Any]:
    """A sort key that orders values as MongoDB does across types: null, numbers, strings, booleans, dates."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (8, value)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, datetime):
        return (9, value)
    return (5, repr(value))


class _Descending:
    """Inverts the order of a key (for the descending parts of a sort)."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.key < self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.key == other.key


def _sort_key(sort: str) -> Callable[[Training], tuple[Any, ...]]:
    """The key of one of ``adapters.mongo_catalogue._ORDERS``, the id last."""
    if sort == "date":
        return lambda t: (mongo_key(t.starts_at), t.id)
    if sort == "-date":
        return lambda t: (_Descending(mongo_key(t.starts_at)), t.id)
    if sort == "price":
        return lambda t: (mongo_key(t.currency), mongo_key(t.price), t.id)
    if sort == "-price":
        return lambda t: (mongo_key(t.currency), _Descending(mongo_key(t.price)), t.id)
    if sort == "rating":
        return lambda t: (_Descending((mongo_key(t.rating_average), mongo_key(t.rating_count))), t.id)
    raise ValueError(f"unknown sort {sort!r}")


# What each order reads from a training: a change elsewhere leaves the order as it is.
_SORT_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("starts_at",),
    "-date": ("starts_at",),
    "price": ("currency", "price"),
    "-price": ("currency", "price"),
    "rating": ("rating_average", "rating_count"),
}


def to_millisecond(moment: datetime | None) -> datetime | None:
    """A time as MongoDB stores and compares it: to the millisecond, truncated."""
    if moment is None:
        return None
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _passes_ranges(t: Training, query: TrainingQuery) -> bool:
    """The filters no inverted index serves: dates, prices, currency, badge, rating, free seats."""
    date_from, date_to = to_millisecond(query.date_from), to_millisecond(query.date_to)
    if date_from is not None or date_to is not None:
        if not isinstance(t.starts_at, datetime):
            return False
        if date_from is not None and t.starts_at < date_from:
            return False
        if date_to is not None and t.starts_at > date_to:
            return False
    if query.price_min is not None or query.price_max is not None:
        if not _number(t.price):
            return False
        if query.price_min is not None and t.price < query.price_min:  # type: ignore[operator]
            return False
        if query.price_max is not None and t.price > query.price_max:  # type: ignore[operator]
            return False
    if query.currency and t.currency != query.currency:
        return False
    if query.verified_only and t.expert_verified is not True:
        return False
    if query.min_rating is not None and not (_number(t.rating_average) and t.rating_average >= query.min_rating):  # type: ignore[operator]
        return False
    return not (query.free_seats_only and not (_number(t.seats_left) and t.seats_left > 0))  # type: ignore[operator]


class CatalogueIndex:
    """The published trainings, searchable in memory; safe to share between threads."""

    def __init__(self, candidates_share: float = 1 / 8) -> None:
        # Below this share of the catalogue, the candidates of the inverted indexes are sorted by
        # their rank; above it, the precomputed order is walked.
        self._candidates_share = candidates_share
        self._lock = threading.RLock()
        self._entries: dict[str, CatalogueEntry] = {}
        self._sets: dict[tuple[str, str], set[str]] = {}
        self._orders: dict[str, list[str]] = {}
        self._ranks: dict[str, dict[str, int]] = {}
        self._stale: set[str] = set(SORTS)
        self._starts: list[datetime] = []  # every member's start, sorted (for the cache's date gaps)
        self._starts_stale = True
        self._cache: OrderedDict[tuple[TrainingQuery, bool], CatalogueMatches] = OrderedDict()
        self._version = 0
        self._serials = itertools.count(1)

    @property
    def version(self) -> int:
        """Bumped by every change: an answer computed at another version is not reused."""
        return self._version

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, training_id: object) -> bool:
        return training_id in self._entries

    def upsert(self, entry: CatalogueEntry) -> None:
        """Add a published training, or replace what the index holds of it."""
        with self._lock:
            old = self._entries.get(entry.training.id)
            if old is not None:
                self._unlink(old)
                for sort, fields in _SORT_FIELDS.items():
                    if any(getattr(old.training, f) != getattr(entry.training, f) for f in fields):
                        self._stale.add(sort)
                if old.training.starts_at != entry.training.starts_at:
                    self._starts_stale = True
            else:
                self._stale.update(SORTS)
                self._starts_stale = True
            self._entries[entry.training.id] = entry
            self._link(entry)
            self._version += 1

    def remove(self, training_id: str) -> None:
        """A training that is no longer published (or no longer exists) leaves the catalogue."""
        with self._lock:
            old = self._entries.pop(training_id, None)
            if old is None:
                return
            self._unlink(old)
            self._stale.update(SORTS)
            self._starts_stale = True
            self._version += 1

    def replace_all(self, entries: Iterable[CatalogueEntry]) -> None:
        """Hold exactly these trainings (a reload)."""
        with self._lock:
            self._entries = {}
            self._sets = {}
            for entry in entries:
                self._entries[entry.training.id] = entry
                self._link(entry)
            self._stale.update(SORTS)
            self._starts_stale = True
            self._version += 1

    def get(self, training_id: str) -> CatalogueEntry | None:
        """What the index holds of one training."""
        return self._entries.get(training_id)

    def search(self, query: TrainingQuery) -> tuple[list[Training], int]:
        """One page of the trainings matching ``query``, and the total (the trainings are shared: read only)."""
        found = self.matching(query)
        return found.page(query.offset, query.limit), found.total

    def matching(self, query: TrainingQuery) -> CatalogueMatches:
        """Every training matching ``query`` (its page ignored), in its order; from the cache when still exact."""
        date_from = to_millisecond(query.date_from)
        key = (dataclasses.replace(query, date_from=None, offset=0, limit=0), date_from is not None)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and self.holds(cached, date_from):
                self._cache.move_to_end(key)
                return cached
            after, until = self._gap(date_from) if date_from is not None else (None, None)
            found = CatalogueMatches(tuple(self._compute(query)), next(self._serials), self._version, after, until)
            self._cache[key] = found
            self._cache.move_to_end(key)
            while len(self._cache) > _CACHED_QUERIES:
                self._cache.popitem(last=False)
            return found

    def holds(self, found: CatalogueMatches, date_from: datetime | None) -> bool:
        """Whether ``found`` is still the answer to its query, asked with ``date_from`` (nothing changed
        since, and no training started in between)."""
        return found.version == self._version and found.within(date_from)

    def _gap(self, date_from: datetime) -> tuple[datetime | None, datetime | None]:
        """The last start before ``date_from`` and the first at or after it: the answer holds between."""
        starts = self._member_starts()
        i = bisect.bisect_left(starts, date_from)
        return (starts[i - 1] if i > 0 else None), (starts[i] if i < len(starts) else None)

    def _member_starts(self) -> list[datetime]:
        if self._starts_stale:
            self._starts = sorted(e.training.starts_at for e in self._entries.values()
                                  if isinstance(e.training.starts_at, datetime))  # fmt: skip
            self._starts_stale = False
        return self._starts

    def _compute(self, query: TrainingQuery) -> list[Training]:
        order = self._order(query.sort)
        candidates = self._candidates(query)
        if candidates is None:
            ids: Iterable[str] = order
        elif len(candidates) < self._candidates_share * len(order):
            rank = self._ranks[query.sort]
            ids = sorted(candidates, key=rank.__getitem__)
        else:
            ids = (i for i in order if i in candidates)
        entries = self._entries
        return [entries[i].training for i in ids if _passes_ranges(entries[i].training, query)]

    def _candidates(self, query: TrainingQuery) -> set[str] | None:
        """The ids passing every equality filter, from the inverted indexes; None when no such filter."""
        wanted: list[tuple[str, str]] = []
        if query.language:
            wanted.append(("language", query.language))
        if query.city:
            wanted.append(("city", fold(query.city)))
        if query.country:
            wanted.append(("country", query.country.upper()))
        if query.technique:
            wanted.append(("technique", fold(query.technique)))
        if query.specialty:
            wanted.append(("specialty", fold(query.specialty)))
        if query.sponsor_id:
            wanted.append(("sponsor", query.sponsor_id))
        wanted += [("word", w) for w in query.text_words]
        if not wanted:
            return None
        sets = sorted((self._sets.get(k, set()) for k in wanted), key=len)
        return sets[0].intersection(*sets[1:])

    def _order(self, sort: str) -> list[str]:
        if sort not in _SORT_FIELDS:
            raise ValueError(f"unknown sort {sort!r}")
        if sort in self._stale:
            key = _sort_key(sort)
            order = [t.id for t in sorted((e.training for e in self._entries.values()), key=key)]
            self._orders[sort] = order
            self._ranks[sort] = {tid: n for n, tid in enumerate(order)}
            self._stale.discard(sort)
        return self._orders[sort]

    def _keys(self, entry: CatalogueEntry) -> list[tuple[str, str]]:
        t = entry.training
        keys = [("word", w) for w in entry.words]
        keys += [("language", lang) for lang in (t.languages or ()) if isinstance(lang, str)]
        keys += [("sponsor", s) for s in (t.sponsor_ids or ()) if isinstance(s, str)]
        for name in ("specialty", "technique", "city", "country"):
            value = getattr(entry, name)
            if value is not None:
                keys.append((name, value))
        return keys

    def _link(self, entry: CatalogueEntry) -> None:
        for key in self._keys(entry):
            self._sets.setdefault(key, set()).add(entry.training.id)

    def _unlink(self, entry: CatalogueEntry) -> None:
        for key in self._keys(entry):
            members = self._sets.get(key)
            if members is not None:
                members.discard(entry.training.id)
                if not members:
                    del self._sets[key]
