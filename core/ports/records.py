"""Ports: what a held training leaves behind, certificates of attendance and reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.certificates import Certificate
from core.portfolio import Portfolio
from core.reviews import Review
from events.envelope import Event


class Certificates(Protocol):
    def add_once(self, certificate: Certificate) -> Certificate:
        """Store the certificate unless its booking has one; the stored one either way."""

    def get(self, certificate_id: str) -> Certificate | None:
        """The certificate with this id."""

    def by_code(self, code: str) -> Certificate | None:
        """The certificate with this verification code (canonical form)."""

    def of_trainee(self, trainee_id: str) -> list[Certificate]:
        """A trainee's certificates, newest training first."""

    def set_pdf(self, certificate_id: str, pdf: bytes) -> None:
        """Keep the rendered PDF of a certificate."""

    def pdf(self, certificate_id: str) -> bytes | None:
        """The rendered PDF, if it was rendered."""


class CertificateRenderer(Protocol):
    def render(self, certificate: Certificate, verify_url: str, marketplace: str, locale: str | None = None) -> bytes:
        """The certificate as a PDF, with its code and where to verify it, in ``locale``'s words (its holder's)."""


class PortfolioRenderer(Protocol):
    def render(
        self,
        portfolio: Portfolio,
        trainee_name: str,
        verify_links: dict[str, str],
        marketplace: str,
        at: datetime,
        locale: str | None = None,
    ) -> bytes:
        """The learning record as a PDF: each training, its credits and certificate code, the assessments,
        in ``locale``'s words (its trainee's)."""


class Reviews(Protocol):
    def add(self, review: Review, announcing: Event | None = None) -> None:
        """Store a new review; ``Conflict`` if this trainee reviewed this training already."""

    def get(self, review_id: str) -> Review | None:
        """The review with this id."""

    def by_trainee(self, trainee_id: str, training_id: str) -> Review | None:
        """This trainee's review of this training, if any."""

    def edit(self, review_id: str, rating: int, text: str, at: datetime, announcing: Event | None = None) -> bool:
        """Change a review's rating and text if it is still editable at ``at``."""

    def answer(self, review_id: str, text: str, at: datetime, announcing: Event | None = None) -> bool:
        """Set the expert's answer, once; False if it was answered already."""

    def of_series(self, series_id: str, limit: int, offset: int) -> tuple[list[Review], int]:
        """The reviews of every session of a programme, newest first, and the total."""

    def of_trainee(self, trainee_id: str) -> list[Review]:
        """Every review a trainee wrote."""

    def refresh_ratings(self, series_id: str, expert_id: str) -> None:
        """Recompute the average rating and count of a series' sessions and of the expert from the reviews."""
