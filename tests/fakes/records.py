"""Fakes of the records ports: certificates, their PDF renderer, reviews."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from core.certificates import Certificate
from core.errors import Conflict
from core.portfolio import Portfolio
from core.reviews import EDIT_WINDOW, Rating, Review
from events.envelope import Event
from tests.fakes.accounts import FakeUsers
from tests.fakes.catalogue import FakeTrainings
from tests.fakes.messaging import FakePendingEvents


@dataclass
class FakeCertificates:
    """One certificate per id (derived from the booking's), the PDF beside it."""

    rows: dict[str, Certificate] = field(default_factory=dict)
    pdfs: dict[str, bytes] = field(default_factory=dict)

    def add_once(self, certificate: Certificate) -> Certificate:
        """Insert unless present; the stored one (a replay keeps the first code)."""
        return self.rows.setdefault(certificate.id, certificate)

    def get(self, certificate_id: str) -> Certificate | None:
        """By id."""
        return self.rows.get(certificate_id)

    def by_code(self, code: str) -> Certificate | None:
        """By canonical code."""
        return next((c for c in self.rows.values() if c.code == code), None)

    def of_trainee(self, trainee_id: str) -> list[Certificate]:
        """The latest day first."""
        return sorted((c for c in self.rows.values() if c.trainee_id == trainee_id), key=lambda c: c.day, reverse=True)

    def set_pdf(self, certificate_id: str, pdf: bytes) -> None:
        """Keep the PDF."""
        self.pdfs[certificate_id] = pdf

    def pdf(self, certificate_id: str) -> bytes | None:
        """The PDF, if rendered."""
        return self.pdfs.get(certificate_id)


@dataclass
class FakeCertificateRenderer:
    """A 'PDF' that names the code and the verification link; counts its renders."""

    renders: int = 0

    def render(self, certificate: Certificate, verify_url: str, marketplace: str, locale: str | None = None) -> bytes:
        """Bytes a test can read."""
        self.renders += 1
        return f"%PDF-fake {certificate.code} {verify_url} {marketplace}".encode()


@dataclass
class FakePortfolioRenderer:
    """A 'PDF' listing each entry's title and credits and the total, for a test to read."""

    def render(
        self,
        portfolio: Portfolio,
        trainee_name: str,
        verify_links: dict[str, str],
        marketplace: str,
        at: datetime,
        locale: str | None = None,
    ) -> bytes:
        """Bytes a test can read."""
        lines = [f"%PDF-fake {trainee_name} total {portfolio.credits_total:g}"]
        lines += [f"{e.title} {e.cme_credits or 0:g}" for e in portfolio.entries]
        return "\n".join(lines).encode()


@dataclass
class FakeReviews:
    """Reviews unique by (trainee, training); ratings written onto the trainings and the expert."""

    pending: FakePendingEvents = field(default_factory=FakePendingEvents)
    trainings: FakeTrainings = field(default_factory=FakeTrainings)
    users: FakeUsers = field(default_factory=FakeUsers)
    rows: dict[str, Review] = field(default_factory=dict)

    def add(self, review: Review, announcing: Event | None = None) -> None:
        """``Conflict`` if the trainee reviewed this training before (the unique index)."""
        if self.by_trainee(review.trainee_id, review.training_id) is not None:
            raise Conflict("You have reviewed this training already; edit your review instead.")
        self.rows[review.id] = copy.deepcopy(review)
        self.pending.keep("reviews", review.id, announcing)

    def get(self, review_id: str) -> Review | None:
        """By id."""
        return copy.deepcopy(self.rows.get(review_id))

    def by_trainee(self, trainee_id: str, training_id: str) -> Review | None:
        """This trainee's review of this training."""
        found = (r for r in self.rows.values() if (r.trainee_id, r.training_id) == (trainee_id, training_id))
        return copy.deepcopy(next(found, None))

    def edit(self, review_id: str, rating: int, text: str, at: datetime, announcing: Event | None = None) -> bool:
        """While the edit window is open (guarded here too)."""
        review = self.rows.get(review_id)
        if review is None or review.created_at <= at - EDIT_WINDOW:
            return False
        review.rating, review.text, review.updated_at = rating, text, at
        self.pending.keep("reviews", review_id, announcing)
        return True

    def answer(self, review_id: str, text: str, at: datetime, announcing: Event | None = None) -> bool:
        """Once."""
        review = self.rows.get(review_id)
        if review is None or review.answer is not None:
            return False
        review.answer, review.answered_at = text, at
        self.pending.keep("reviews", review_id, announcing)
        return True

    def of_series(self, series_id: str, limit: int, offset: int) -> tuple[list[Review], int]:
        """Newest first."""
        found = sorted((r for r in self.rows.values() if r.series_id == series_id), key=lambda r: r.created_at)
        found.reverse()
        return copy.deepcopy(found[offset : offset + limit]), len(found)

    def of_trainee(self, trainee_id: str) -> list[Review]:
        """Every review of the trainee."""
        return [copy.deepcopy(r) for r in self.rows.values() if r.trainee_id == trainee_id]

    def refresh_ratings(self, series_id: str, expert_id: str) -> None:
        """The series' average on its sessions, the expert's on the expert (if the account exists)."""
        expert = self.users.rows.get(expert_id)
        if expert is None:
            return
        of_series = Rating.of([r.rating for r in self.rows.values() if r.series_id == series_id])
        of_expert = Rating.of([r.rating for r in self.rows.values() if r.expert_id == expert_id])
        self.trainings.set_rating(series_id, {"rating_average": of_series.average, "rating_count": of_series.count})
        expert.rating_average, expert.rating_count = of_expert.average, of_expert.count
