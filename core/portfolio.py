"""A trainee's learning record: every training attended, the CME credits they add up to (in total,
per year and per specialty), the certificates that prove them and the experts' assessments.

A training counts once its certificate is issued (the training was held and the expert marked the
trainee present); an assessment given before that shows as an entry awaiting its certificate and
adds no credits yet, so the totals are always what the certificates prove.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from core.assessments import Assessment
from core.certificates import Certificate


@dataclass(frozen=True)
class PortfolioEntry:
    """One day of training: what, when, where, with whom, what it earned and what the expert said."""

    booking_id: str
    training_id: str
    title: str
    day: str | None  # ISO date at the venue; None when only the assessment is known so far
    specialty: str | None
    technique: str | None
    expert_name: str
    institution: str | None
    city: str | None
    country: str | None
    hours: float | None
    cme_credits: float | None
    certificate: Certificate | None
    assessment: Assessment | None


@dataclass(frozen=True)
class Portfolio:
    """The whole record, the latest day first."""

    entries: list[PortfolioEntry]
    credits_total: float
    credits_by_year: dict[str, float] = field(default_factory=dict)  # "2026" -> credits, latest year first
    credits_by_specialty: dict[str, float] = field(default_factory=dict)  # most credits first
    hours_total: float = 0.0


UNSPECIFIED = "unspecified"


def portfolio_of(certificates: list[Certificate], assessments: list[Assessment]) -> Portfolio:
    """The record these certificates and assessments make."""
    assessed = {a.booking_id: a for a in assessments}
    entries = [
        PortfolioEntry(
            booking_id=c.booking_id,
            training_id=c.training_id,
            title=c.training_title,
            day=c.day,
            specialty=c.specialty,
            technique=c.technique,
            expert_name=c.expert_name,
            institution=c.institution,
            city=c.city,
            country=c.country,
            hours=c.hours,
            cme_credits=c.cme_credits,
            certificate=c,
            assessment=assessed.pop(c.booking_id, None),
        )  # fmt: skip
        for c in certificates
    ]
    awaiting = [
        PortfolioEntry(
            booking_id=a.booking_id,
            training_id=a.training_id,
            title=a.training_title,
            day=None,
            specialty=None,
            technique=None,
            expert_name=a.expert_name,
            institution=None,
            city=None,
            country=None,
            hours=None,
            cme_credits=None,
            certificate=None,
            assessment=a,
        )  # fmt: skip
        for a in assessed.values()
    ]
    entries.sort(key=lambda e: e.day or "", reverse=True)
    by_year: dict[str, float] = defaultdict(float)
    by_specialty: dict[str, float] = defaultdict(float)
    for entry in entries:
        if entry.cme_credits and entry.day:
            by_year[entry.day[:4]] += entry.cme_credits
            by_specialty[(entry.specialty or UNSPECIFIED).lower()] += entry.cme_credits
    return Portfolio(
        entries=awaiting + entries,
        credits_total=round(sum(by_year.values()), 2),
        credits_by_year={y: round(v, 2) for y, v in sorted(by_year.items(), reverse=True)},
        credits_by_specialty={s: round(v, 2) for s, v in sorted(by_specialty.items(), key=lambda kv: (-kv[1], kv[0]))},
        hours_total=round(sum(e.hours or 0 for e in entries), 2),
    )
