"""What trainees see first: the search over published trainings."""

from __future__ import annotations

from typing import Any

from core.model import Training
from core.ports import TrainingQuery
from core.services.deps import Deps
from core.text import words


def search(deps: Deps, filters: dict[str, Any]) -> tuple[list[Training], int]:
    """Published trainings matching every given filter; upcoming ones unless dated otherwise."""
    query = TrainingQuery(
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
    return deps.trainings.search(query)
