"""My portfolio: the learning record a trainee keeps for life, as JSON, CSV and a PDF for a licensing body."""

from __future__ import annotations

import csv
import io

from core.assessments import PRACTICE_WORDS
from core.model import User
from core.portfolio import Portfolio, portfolio_of
from core.services.accounts import require_trainee_history
from core.services.certificates import verify_url
from core.services.deps import Deps

CSV_COLUMNS = (
    "day", "training", "specialty", "technique", "expert", "institution", "city", "country", "hours",
    "cme_credits", "certificate_code", "verify_url", "competencies", "assessment", "next_step",
)  # fmt: skip


def my_portfolio(deps: Deps, trainee: User) -> Portfolio:
    """Every training I attended, my credits, certificates and assessments (trainee)."""
    require_trainee_history(trainee)
    return portfolio_of(deps.certificates.of_trainee(trainee.id), deps.assessments.of_trainee(trainee.id))


def portfolio_csv(deps: Deps, trainee: User) -> str:
    """One row per training, for a spreadsheet (RFC 4180 line ends, UTF-8)."""
    record = my_portfolio(deps, trainee)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in record.entries:
        said = e.assessment
        writer.writerow([
            e.day or "", e.title, e.specialty or "", e.technique or "", e.expert_name, e.institution or "",
            e.city or "", e.country or "", _number(e.hours), _number(e.cme_credits),
            e.certificate.code if e.certificate else "", verify_url(deps, e.certificate.code) if e.certificate else "",
            "; ".join(f"{c.name}: {PRACTICE_WORDS[c.level]}" for c in said.competencies) if said else "",
            said.comment if said else "", (said.next_step or "") if said else "",
        ])  # fmt: skip
    return out.getvalue()


def portfolio_pdf(deps: Deps, trainee: User) -> tuple[str, bytes]:
    """The record as a PDF to hand to a licensing body, in the trainee's language: the file name and its bytes."""
    record = my_portfolio(deps, trainee)
    links = {e.certificate.code: verify_url(deps, e.certificate.code) for e in record.entries if e.certificate}
    pdf = deps.portfolio_renderer.render(
        record, trainee.name, links, deps.policy.marketplace_name, deps.clock(), trainee.locale
    )
    return f"portfolio-{trainee.id}.pdf", pdf


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
