"""What trainees see first: the search over published trainings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from core.catalogue_index import CatalogueMatches
from core.model import Training, User
from core.ports import TrainingQuery
from core.services.deps import Deps
from core.text import words


@dataclass(frozen=True)
class CataloguePage:
    """One page of a search, with the experts of its trainings."""

    items: list[Training]
    total: int
    experts: dict[str, User]
    # Names this page while nothing it shows changes (from the catalogue in memory; None when
    # read from the store): a rendering of it may be kept under this key.
    key: tuple[int, int, int, int] | None = None
    matches: CatalogueMatches | None = None  # every training matching, the page cut from them
    experts_version: int = 0
    dated_by_now: bool = True  # date_from was now (the default): the answer holds until a training starts


def query_of(deps: Deps, filters: dict[str, Any]) -> TrainingQuery:
    """The query a search's filters ask for; upcoming trainings unless dated otherwise."""
    return TrainingQuery(
        text_words=tuple(words(filters.get("q"))),
        specialty=filters.get("specialty"),
        technique=filters.get("technique"),
        city=filters.get("city"),
        country=filters.get("country"),
        language=filters.get("language"),
        # A catalogue shows what can still be booked, unless the caller asks for a range.
        date_from=filters.get("date_from") or deps.clock(),
        date_to=filters.get("date_to"),
        price_min=filters.get("price_min"),
        price_max=filters.get("price_max"),
        currency=filters.get("currency"),
        free_seats_only=bool(filters.get("free_seats")),
        sponsor_id=filters.get("sponsor"),
        verified_only=bool(filters.get("verified_only")),
        min_rating=filters.get("min_rating"),
        sort=filters.get("sort", "date"),
        limit=filters.get("limit", 20),
        offset=filters.get("offset", 0),
    )


def search(deps: Deps, filters: dict[str, Any]) -> tuple[list[Training], int]:
    """Published trainings matching every given filter; upcoming ones unless dated otherwise."""
    query = query_of(deps, filters)
    found = deps.catalogue.matching(query) if deps.catalogue is not None else None
    if found is None:
        return deps.trainings.search(query)
    return found.page(query.offset, query.limit), found.total


def search_page(deps: Deps, filters: dict[str, Any]) -> CataloguePage:
    """A page of the search with its trainings' experts: from memory where the process holds the
    catalogue (no database read), else from the stores."""
    query = query_of(deps, filters)
    found = deps.catalogue.matching(query) if deps.catalogue is not None else None
    if found is None or deps.catalogue is None:
        items, total = deps.trainings.search(query)
        return CataloguePage(items, total, deps.users.many([t.expert_id for t in items]))
    items = found.page(query.offset, query.limit)
    wanted = {t.expert_id for t in items}
    experts = deps.catalogue.experts(wanted)
    missing = wanted - experts.keys()
    if missing:  # an expert it does not hold (not an expert any more?): as the store says, uncached
        return CataloguePage(items, found.total, {**experts, **deps.users.many(sorted(missing))})
    version = deps.catalogue.experts_version
    key = (found.serial, query.offset, query.limit, version)
    return CataloguePage(items, found.total, experts, key, found, version, not filters.get("date_from"))


UPCOMING_PAGE = 500


def upcoming_trainings(deps: Deps) -> list[Training]:
    """Every published training that has not started, soonest first: from memory where the
    process holds the catalogue, else read from the store a page at a time."""
    query = TrainingQuery(date_from=deps.clock(), limit=UPCOMING_PAGE)
    found = deps.catalogue.matching(query) if deps.catalogue is not None else None
    if found is not None:
        return found.page(0, found.total)
    trainings: list[Training] = []
    while True:
        items, total = deps.trainings.search(replace(query, offset=len(trainings)))
        trainings += items
        if not items or len(trainings) >= total:
            return trainings
