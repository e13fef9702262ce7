"""The directory of verified experts: who teaches what, where, in which language, how well rated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.matching import about
from core.model import Training, User
from core.services.catalogue import upcoming_trainings
from core.services.deps import Deps
from core.services.goals import verified_experts
from core.text import words


@dataclass(frozen=True)
class ExpertListing:
    """A verified expert with their upcoming published trainings, soonest first."""

    expert: User
    upcoming: list[Training]


def directory(deps: Deps, filters: dict[str, Any]) -> tuple[list[ExpertListing], int]:
    """Verified experts matching every filter given, best rated first, and how many match.

    ``specialty``: the expert's or one of their upcoming trainings'; ``technique``: one of their
    upcoming trainings teaches it; ``country`` and ``language``: the expert's own, or one of their
    upcoming trainings'; ``q``: every word in their name, title, institution, specialty or bio.
    """
    by_expert: dict[str, list[Training]] = {}
    for training in upcoming_trainings(deps):
        by_expert.setdefault(training.expert_id, []).append(training)
    listings = [ExpertListing(e, by_expert.get(e.id, [])) for e in verified_experts(deps)]
    kept = [x for x in listings if _matches(x, filters)]
    kept.sort(key=lambda x: (-(x.expert.rating_average or 0), -len(x.upcoming), x.expert.name, x.expert.id))
    offset, limit = filters.get("offset", 0), filters.get("limit", 20)
    return kept[offset : offset + limit], len(kept)


def _matches(listing: ExpertListing, filters: dict[str, Any]) -> bool:
    expert, upcoming = listing.expert, listing.upcoming
    specialty, technique = filters.get("specialty"), filters.get("technique")
    if specialty and not about(specialty, expert.specialty, *(t.specialty for t in upcoming)):
        return False
    if technique and not any(about(technique, t.technique, t.title) for t in upcoming):
        return False
    country = filters.get("country")
    if country and country != expert.country and all(t.venue.country != country for t in upcoming):
        return False
    language = filters.get("language")
    if language and language not in expert.languages and all(language not in t.languages for t in upcoming):
        return False
    wanted = set(words(filters.get("q")))
    return not wanted or wanted <= set(
        words(expert.name, expert.title, expert.institution, expert.specialty, expert.bio)
    )
