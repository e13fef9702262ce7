"""A trainee's portfolio as PDF (reportlab platypus, DejaVu Serif): a record to hand to a licensing body.

Page one states who it is for, when it was drawn up and the credits in total, per year and per
specialty; then one block per training with its day, place, expert, hours, credits, the
certificate's verification code and link, and the expert's assessment.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from adapters.pdf_certificates import _BOLD, _REGULAR, _register_fonts
from core.assessments import PRACTICE_WORDS
from core.names import country_name
from core.portfolio import Portfolio, PortfolioEntry

_INK = Color(0.12, 0.16, 0.28)
_ACCENT = Color(0.09, 0.42, 0.45)
_RULE = Color(0.8, 0.84, 0.88)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=_REGULAR, fontSize=9.5, leading=13, textColor=_INK)
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontName=_BOLD, fontSize=18, leading=22, textColor=_ACCENT),
        "h2": ParagraphStyle("h2", parent=base, fontName=_BOLD, fontSize=12, leading=16, spaceBefore=8),
        "h3": ParagraphStyle("h3", parent=base, fontName=_BOLD, fontSize=10.5, leading=14),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
    }


def _text(value: str) -> str:
    """Plain text for a Paragraph, which reads a little markup: what people typed stays as typed."""
    return escape(value).replace("\n", "<br/>")


def _day(iso: str | None) -> str:
    if not iso:
        return "Certificate pending"
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B %Y')}"


def _n(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class ReportlabPortfolio:
    """The portfolio on A4 pages, numbered."""

    def render(
        self, portfolio: Portfolio, trainee_name: str, verify_links: dict[str, str], marketplace: str, at: datetime
    ) -> bytes:
        """The PDF bytes."""
        _register_fonts()
        s = _styles()
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
            title=f"Training portfolio: {trainee_name}", author=marketplace, invariant=1,
        )  # fmt: skip
        story: list = [
            Paragraph("Training portfolio", s["title"]),
            Paragraph(f"<b>{_text(trainee_name)}</b>", s["h3"]),
            Paragraph(
                f"Drawn up on {at.day} {at.strftime('%B %Y')} by {_text(marketplace)}. Every attendance "
                "below is proven by a certificate whose code anyone can check at the address beside it.",
                s["base"],
            ),  # fmt: skip
            Spacer(1, 5 * mm),
            Paragraph("CME credits", s["h2"]),
            self._totals(portfolio, s),
            Paragraph("Trainings attended", s["h2"]),
        ]
        if not portfolio.entries:
            story.append(Paragraph("No training attended yet.", s["base"]))
        for entry in portfolio.entries:
            story.append(KeepTogether(self._entry(entry, verify_links, s)))
        doc.build(story, onFirstPage=self._footer, onLaterPages=self._footer)
        return buffer.getvalue()

    def _totals(self, portfolio: Portfolio, s: dict[str, ParagraphStyle]) -> Table:
        rows = [
            [Paragraph("<b>In total</b>", s["base"]), Paragraph(f"<b>{_n(portfolio.credits_total)}</b>", s["base"])]
        ]
        rows += [[Paragraph(f"In {year}", s["base"]), Paragraph(_n(v), s["base"])]
                 for year, v in portfolio.credits_by_year.items()]  # fmt: skip
        rows += [[Paragraph(_text(spec.capitalize()), s["base"]), Paragraph(_n(v), s["base"])]
                 for spec, v in portfolio.credits_by_specialty.items()]  # fmt: skip
        table = Table(rows, colWidths=[120 * mm, 40 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.3, _RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return table

    def _entry(self, e: PortfolioEntry, links: dict[str, str], s: dict[str, ParagraphStyle]) -> list:
        place = ", ".join(p for p in (e.institution, e.city, country_name(e.country) if e.country else None) if p)
        block = [
            Spacer(1, 3 * mm),
            Paragraph(f"{_text(_day(e.day))} · {_text(e.title)}", s["h3"]),
            Paragraph(_text(" · ".join(p for p in (e.specialty, e.technique) if p)) or "&nbsp;", s["base"]),
            Paragraph(_text(f"With {e.expert_name}" + (f", {place}" if place else "")), s["base"]),
        ]
        if e.certificate is not None:
            code = e.certificate.code
            block.append(Paragraph(
                f"{_n(e.hours)} hours · {_n(e.cme_credits) or 'no'} CME credits · certificate {_text(code)}, "
                f"checked at {_text(links.get(code, ''))}", s["small"]))  # fmt: skip
        said = e.assessment
        if said is not None:
            block.append(Paragraph(f"<b>The expert's assessment</b> (revision {said.revision})", s["base"]))
            block += [Paragraph(f"• {_text(c.name)}: {PRACTICE_WORDS[c.level]}", s["base"]) for c in said.competencies]
            block.append(Paragraph(_text(said.comment), s["base"]))
            if said.next_step:
                block.append(Paragraph(f"<i>Next step:</i> {_text(said.next_step)}", s["base"]))
        return block

    @staticmethod
    def _footer(canvas: object, doc: SimpleDocTemplate) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont(_REGULAR, 8)  # type: ignore[attr-defined]
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]
