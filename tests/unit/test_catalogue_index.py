"""The catalogue in memory answers exactly as the database's search: checked against a brute-force
reference over the whole catalogue, through changes, with a clock that moves."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.catalogue_index import CatalogueEntry, CatalogueIndex
from core.model import Training, TrainingStatus
from core.ports import TrainingQuery

NOW = datetime.now(UTC).replace(microsecond=0)
STARTS = [NOW + timedelta(days=d, hours=h) for d in (-1, 1, 2, 30) for h in (0, 3)]
WORDS = ["valve", "live", "robotic", "day"]


def _training(tid: str, **fields: Any) -> Training:
    values: dict[str, Any] = {"expert_id": "ann", "title": tid, "status": TrainingStatus.PUBLISHED,
                              "created_at": NOW, "updated_at": NOW, "starts_at": NOW + timedelta(days=5),
                              "price": 100, "currency": "eur", "seats_left": 3, **fields}  # fmt: skip
    return Training(id=tid, **values)


def _entry(tid: str, words: tuple[str, ...] = (), city: str | None = "paris", **fields: Any) -> CatalogueEntry:
    return CatalogueEntry(_training(tid, **fields), tuple(sorted(set(words))), "cardiology", "tavi", city, "FR")


# -- the brute-force reference: every filter of _search_query on every training, then MongoDB's sort


def _mongo(value: Any) -> tuple[int, Any]:
    return (0, 0) if value is None else (1, value)


def _reference(entries: list[CatalogueEntry], q: TrainingQuery) -> list[str]:
    def keep(e: CatalogueEntry) -> bool:
        t = e.training
        date_from = q.date_from.replace(microsecond=q.date_from.microsecond // 1000 * 1000) if q.date_from else None
        return all([
            not q.free_seats_only or (t.seats_left is not None and t.seats_left > 0),
            not q.language or q.language in t.languages,
            not q.city or e.city == q.city.lower(),
            not q.country or e.country == q.country.upper(),
            not q.specialty or e.specialty == q.specialty.lower(),
            not q.technique or e.technique == q.technique.lower(),
            not q.sponsor_id or q.sponsor_id in t.sponsor_ids,
            all(w in e.words for w in q.text_words),
            date_from is None or (t.starts_at is not None and t.starts_at >= date_from),
            q.date_to is None or (t.starts_at is not None and t.starts_at <= q.date_to),
            q.price_min is None or (t.price is not None and t.price >= q.price_min),
            q.price_max is None or (t.price is not None and t.price <= q.price_max),
            not q.currency or t.currency == q.currency,
            not q.verified_only or t.expert_verified is True,
            q.min_rating is None or (t.rating_average is not None and t.rating_average >= q.min_rating),
        ])  # fmt: skip

    found = sorted((e.training for e in entries if keep(e)), key=lambda t: t.id)
    # Stable sorts, the least significant key first.
    if q.sort in ("date", "-date"):
        found.sort(key=lambda t: _mongo(t.starts_at), reverse=q.sort == "-date")
    elif q.sort in ("price", "-price"):
        found.sort(key=lambda t: _mongo(t.price), reverse=q.sort == "-price")
        found.sort(key=lambda t: _mongo(t.currency))
    else:
        found.sort(key=lambda t: t.rating_count, reverse=True)
        found.sort(key=lambda t: _mongo(t.rating_average), reverse=True)
    return [t.id for t in found]


# -- random catalogues, changes and queries

ids = st.sampled_from([f"t{n}" for n in range(24)])
entries = st.builds(
    lambda tid, words, city, **f: CatalogueEntry(_training(tid, **f), tuple(sorted(words)), "cardiology", "tavi", city,
                                                 "FR" if city != "berlin" else "DE"),
    tid=ids,
    words=st.sets(st.sampled_from(WORDS)),
    city=st.sampled_from(["paris", "lyon", "berlin", None]),
    starts_at=st.sampled_from([*STARTS, None]),
    price=st.sampled_from([None, 0, 100, 200]),
    currency=st.sampled_from([None, "eur", "gbp"]),
    rating_average=st.sampled_from([None, 3.5, 4.0, 5.0]),
    rating_count=st.sampled_from([0, 1, 3]),
    seats_left=st.sampled_from([None, 0, 2]),
    expert_verified=st.booleans(),
    languages=st.lists(st.sampled_from(["en", "fr"]), unique=True),
    sponsor_ids=st.lists(st.sampled_from(["s1", "s2"]), unique=True),
)  # fmt: skip


def _sometimes(*values: Any) -> st.SearchStrategy[Any]:
    """Mostly no filter (else most answers would be empty), sometimes one of ``values``."""
    return st.one_of(st.just(None), st.just(None), st.just(None), st.sampled_from(values))


queries = st.builds(
    TrainingQuery,
    text_words=st.lists(st.sampled_from(WORDS), max_size=2, unique=True).map(tuple) | st.just(()),
    city=_sometimes("Paris", "BERLIN"),
    country=_sometimes("fr", "DE"),
    specialty=_sometimes("Cardiology", "urology"),
    language=_sometimes("en"),
    sponsor_id=_sometimes("s1"),
    date_to=_sometimes(STARTS[4]),
    price_min=_sometimes(0, 150),
    price_max=_sometimes(100),
    currency=_sometimes("eur"),
    free_seats_only=_sometimes(True).map(bool),
    verified_only=_sometimes(True).map(bool),
    min_rating=_sometimes(4.0),
    limit=st.integers(1, 5),
)
# What changes a sort key of a training already held (each must re-sort that order).
resorts = st.sampled_from(
    [("starts_at", s) for s in STARTS[::3]] + [("price", 50), ("price", None), ("currency", "gbp"),
     ("rating_average", 4.0), ("rating_average", None), ("rating_count", 7)]
)  # fmt: skip
steps = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), entries),
        st.tuples(st.just("remove"), st.integers(0, 99)),  # the n-th training held (modulo)
        st.tuples(st.just("seats"), st.integers(0, 99), st.sampled_from([0, 1])),
        st.tuples(st.just("resort"), st.integers(0, 99), resorts),
        st.tuples(st.just("search"), queries, st.sampled_from([None, "clock"]), st.integers(0, 90_000)),
        st.tuples(st.just("search"), queries, st.sampled_from([None, "clock"]), st.integers(0, 90_000)),
    ),
    min_size=5,
    max_size=50,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a loaded CI machine is slow
@given(st.lists(entries, min_size=4, max_size=30), steps, st.sampled_from([0.0, 1.0]))
def test_every_answer_is_the_brute_force_answer_through_changes_and_time(
    catalogue: list[CatalogueEntry], ops: list[tuple[Any, ...]], candidates_share: float
) -> None:
    # Both ways to a query's trainings: walking the precomputed order, or sorting the candidates by rank.
    index, held = CatalogueIndex(candidates_share), dict[str, CatalogueEntry]()
    for entry in catalogue:
        index.upsert(entry)
        held[entry.training.id] = entry
    clock = NOW - timedelta(days=1, seconds=5)
    for op in ops:
        if op[0] == "upsert":
            index.upsert(op[1])
            held[op[1].training.id] = op[1]
        elif op[0] in ("remove", "seats", "resort") and held:
            tid = sorted(held)[op[1] % len(held)]
            if op[0] == "remove":
                index.remove(tid)
                del held[tid]
                continue
            name, value = ("seats_left", op[2]) if op[0] == "seats" else op[2]
            held[tid] = dataclasses.replace(
                held[tid], training=dataclasses.replace(held[tid].training, **{name: value})
            )
            index.upsert(held[tid])
        elif op[0] == "search":
            query, dated, step_ms = op[1], op[2], op[3]
            if dated:  # the service's default: now, which moves on (past starts, in milliseconds)
                clock += timedelta(milliseconds=step_ms, microseconds=step_ms % 1000)
                query = dataclasses.replace(query, date_from=clock)
            for sort in ("date", "-date", "price", "-price", "rating"):  # every order, each time
                ordered = dataclasses.replace(query, sort=sort)
                _check_pages(index, ordered, _reference(list(held.values()), ordered))


def _check_pages(index: CatalogueIndex, query: TrainingQuery, expected: list[str]) -> None:
    """Same total, same order, and consecutive pages neither overlap nor skip."""
    seen: list[str] = []
    for offset in range(0, len(expected) + query.limit, query.limit):
        page, total = index.search(dataclasses.replace(query, offset=offset))
        assert total == len(expected)
        seen += [t.id for t in page]
    assert seen == expected


# -- the corners, one by one


def test_a_cached_answer_never_shows_a_training_that_has_started() -> None:
    index = CatalogueIndex()
    soon = NOW + timedelta(minutes=1)
    index.upsert(_entry("soon", starts_at=soon))
    index.upsert(_entry("later", starts_at=NOW + timedelta(days=1)))
    assert [t.id for t in index.search(TrainingQuery(date_from=NOW))[0]] == ["soon", "later"]
    assert [t.id for t in index.search(TrainingQuery(date_from=soon))[0]] == ["soon", "later"]  # starts now: still
    after = soon + timedelta(milliseconds=1)
    assert [t.id for t in index.search(TrainingQuery(date_from=after))[0]] == ["later"]
    assert [t.id for t in index.search(TrainingQuery(date_from=NOW))[0]] == ["soon", "later"]  # an earlier now


def test_a_training_moved_to_an_earlier_start_leaves_the_answer_once_it_has_started() -> None:
    index = CatalogueIndex()
    index.upsert(_entry("moved", starts_at=NOW + timedelta(days=3)))
    index.upsert(_entry("later", starts_at=NOW + timedelta(days=9)))
    assert index.search(TrainingQuery(date_from=NOW))[1] == 2
    moved = index.get("moved")
    assert moved is not None
    index.upsert(
        dataclasses.replace(moved, training=dataclasses.replace(moved.training, starts_at=NOW + timedelta(hours=1)))
    )
    assert index.search(TrainingQuery(date_from=NOW))[1] == 2
    assert [t.id for t in index.search(TrainingQuery(date_from=NOW + timedelta(hours=2)))[0]] == ["later"]


def test_times_compare_to_the_millisecond_as_the_database_stores_them() -> None:
    index = CatalogueIndex()
    index.upsert(_entry("noon", starts_at=NOW))
    within_the_millisecond = NOW + timedelta(microseconds=900)
    assert index.search(TrainingQuery(date_from=within_the_millisecond))[1] == 1
    assert index.search(TrainingQuery(date_from=NOW + timedelta(milliseconds=1)))[1] == 0


def test_a_seat_change_shows_at_once_and_sorts_nothing_again() -> None:
    index = CatalogueIndex()
    for n in range(5):
        index.upsert(_entry(f"t{n}", starts_at=NOW + timedelta(days=n), rating_average=float(n % 3)))
    assert index.search(TrainingQuery(free_seats_only=True))[1] == 5
    for sort in ("date", "rating"):
        index.search(TrainingQuery(sort=sort))
    orders = {sort: index._orders[sort] for sort in ("date", "rating")}
    full = index.get("t2")
    assert full is not None
    index.upsert(dataclasses.replace(full, training=dataclasses.replace(full.training, seats_left=0)))
    assert index.search(TrainingQuery(free_seats_only=True))[1] == 4
    assert [t.seats_left for t in index.search(TrainingQuery())[0]] == [3, 3, 0, 3, 3]
    assert all(index._orders[sort] is order for sort, order in orders.items())  # not re-sorted
    index.upsert(dataclasses.replace(full, training=dataclasses.replace(full.training, rating_average=4.5)))
    assert index.search(TrainingQuery(sort="rating"))[0][0].id == "t2"
    assert index._orders["date"] is orders["date"]  # a rating re-sorts only the rating order


def test_equality_filters_use_the_stored_folded_copies_and_leave_with_the_training() -> None:
    index = CatalogueIndex()
    index.upsert(_entry("a", words=("valve", "live"), city="paris", languages=["en"], sponsor_ids=["s1"]))
    index.upsert(_entry("b", words=("valve",), city="lyon", languages=["fr"]))
    assert [t.id for t in index.search(TrainingQuery(text_words=("valve", "live")))[0]] == ["a"]
    assert [t.id for t in index.search(TrainingQuery(city="PARIS", language="en", sponsor_id="s1"))[0]] == ["a"]
    assert index.search(TrainingQuery(city="Lyon", language="en"))[1] == 0
    moved = _entry("a", words=("valve",), city="lyon", languages=["en"])
    index.upsert(moved)
    assert [t.id for t in index.search(TrainingQuery(city="lyon"))[0]] == ["a", "b"]
    assert index.search(TrainingQuery(sponsor_id="s1"))[1] == 0
    index.remove("a")
    assert [t.id for t in index.search(TrainingQuery(city="lyon", text_words=("valve",)))[0]] == ["b"]
    assert index.search(TrainingQuery(language="en"))[1] == 0


def test_the_same_answer_is_reused_until_something_changes() -> None:
    index = CatalogueIndex()
    index.upsert(_entry("a"))
    first = index.matching(TrainingQuery(date_from=NOW))
    assert index.matching(TrainingQuery(date_from=NOW + timedelta(seconds=1), limit=5)).serial == first.serial
    index.upsert(_entry("b"))
    again = index.matching(TrainingQuery(date_from=NOW + timedelta(seconds=1)))
    assert again.serial != first.serial and again.total == 2


def test_an_answer_holds_until_something_changes_or_a_training_starts() -> None:
    index = CatalogueIndex()
    soon = NOW + timedelta(hours=1)
    index.upsert(_entry("soon", starts_at=soon))
    found = index.matching(TrainingQuery(date_from=NOW))
    assert index.holds(found, NOW + timedelta(minutes=30)) and index.holds(found, soon)
    assert not index.holds(found, soon + timedelta(milliseconds=1))  # it started: the answer is another
    index.upsert(_entry("other"))
    assert not index.holds(found, NOW)
