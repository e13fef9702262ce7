"""A trainee's portfolio as PDF (reportlab platypus, DejaVu Serif): a record to hand to a licensing body.

Page one states who it is for, when it was drawn up and the credits in total, per year and per
specialty; then one block per training with its day, place, expert, hours, credits, the
certificate's verification code and link, and the expert's assessment; in the trainee's language.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from xml.sax.saxutils import escape

from babel import Locale
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from adapters import l10n
from adapters.pdf_certificates import _BOLD, _REGULAR, _register_fonts, long_date
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


def _country(code: str, words: l10n.Wording) -> str:
    """The country's name in the reader's language (Babel's), else the English one."""
    if words.locale == l10n.DEFAULT:
        return country_name(code)
    return Locale.parse(l10n.formats_of(words.locale)).territories.get(code.upper(), country_name(code))


class ReportlabPortfolio:
    """The portfolio on A4 pages, numbered."""

    def render(
        self,
        portfolio: Portfolio,
        trainee_name: str,
        verify_links: dict[str, str],
        marketplace: str,
        at: datetime,
        locale: str | None = None,
    ) -> bytes:
        """The PDF bytes, in ``locale``'s words (None: the default language)."""
        _register_fonts()
        words = l10n.wording(locale)
        _ = words.gettext
        s = _styles()
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
            title=_("Training portfolio: %(name)s") % {"name": trainee_name}, author=marketplace, invariant=1,
        )  # fmt: skip
        drawn_up = _(
            "Drawn up on %(date)s by %(marketplace)s. Every attendance below is proven by a certificate whose "
            "code anyone can check at the address beside it."
        ) % {"date": long_date(at.date(), words.locale), "marketplace": marketplace}
        story: list = [
            Paragraph(_text(_("Training portfolio")), s["title"]),
            Paragraph(f"<b>{_text(trainee_name)}</b>", s["h3"]),
            Paragraph(_text(drawn_up), s["base"]),
            Spacer(1, 5 * mm),
            Paragraph(_text(_("CME credits")), s["h2"]),
            self._totals(portfolio, s, words),
            Paragraph(_text(_("Trainings attended")), s["h2"]),
        ]
        if not portfolio.entries:
            story.append(Paragraph(_text(_("No training attended yet.")), s["base"]))
        for entry in portfolio.entries:
            story.append(KeepTogether(self._entry(entry, verify_links, s, words)))
        footer = _footer(_("Page %(page)s"))
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
        return buffer.getvalue()

    def _totals(self, portfolio: Portfolio, s: dict[str, ParagraphStyle], words: l10n.Wording) -> Table:
        n = _numbers(words)
        total = _text(words.gettext("In total"))
        rows = [[Paragraph(f"<b>{total}</b>", s["base"]), Paragraph(f"<b>{n(portfolio.credits_total)}</b>", s["base"])]]
        in_year = words.gettext("In %(year)s")
        rows += [[Paragraph(_text(in_year % {"year": year}), s["base"]), Paragraph(n(v), s["base"])]
                 for year, v in portfolio.credits_by_year.items()]  # fmt: skip
        rows += [[Paragraph(_text(spec.capitalize()), s["base"]), Paragraph(n(v), s["base"])]
                 for spec, v in portfolio.credits_by_specialty.items()]  # fmt: skip
        table = Table(rows, colWidths=[120 * mm, 40 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.3, _RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return table

    def _entry(
        self, e: PortfolioEntry, links: dict[str, str], s: dict[str, ParagraphStyle], words: l10n.Wording
    ) -> list:
        _, n = words.gettext, _numbers(words)
        country = _country(e.country, words) if e.country else None
        place = ", ".join(p for p in (e.institution, e.city, country) if p)
        day = long_date(date.fromisoformat(e.day), words.locale) if e.day else _("Certificate pending")
        with_whom = (_("With %(expert)s, %(place)s") if place else _("With %(expert)s")) % {
            "expert": e.expert_name, "place": place,
        }  # fmt: skip
        block = [
            Spacer(1, 3 * mm),
            Paragraph(f"{_text(day)} · {_text(e.title)}", s["h3"]),
            Paragraph(_text(" · ".join(p for p in (e.specialty, e.technique) if p)) or "&nbsp;", s["base"]),
            Paragraph(_text(with_whom), s["base"]),
        ]
        if e.certificate is not None:
            code = e.certificate.code
            credits = n(e.cme_credits) or _("no")
            said_of = _("%(hours)s hours · %(credits)s CME credits · certificate %(code)s, checked at %(url)s") % {
                "hours": n(e.hours), "credits": credits, "code": code, "url": links.get(code, ""),
            }  # fmt: skip
            block.append(Paragraph(_text(said_of), s["small"]))
        said = e.assessment
        if said is not None:
            heading = _text(_("The expert's assessment"))
            revision = _text(_("(revision %(revision)s)") % {"revision": said.revision})
            block.append(Paragraph(f"<b>{heading}</b> {revision}", s["base"]))
            block += [Paragraph(f"• {_text(c.name)}: {_text(_(PRACTICE_WORDS[c.level]))}", s["base"])
                      for c in said.competencies]  # fmt: skip
            block.append(Paragraph(_text(said.comment), s["base"]))
            if said.next_step:
                block.append(Paragraph(f"<i>{_text(_('Next step:'))}</i> {_text(said.next_step)}", s["base"]))
        return block


def _numbers(words: l10n.Wording) -> Callable[[float | None], str]:
    """Credits and hours as the reader writes them (``7,5``), nothing for none."""
    return lambda value: "" if value is None else words.number(value)


def _footer(page_words: str) -> Callable[[object, SimpleDocTemplate], None]:
    """Each page's number, in the reader's words (``page_words``: ``Page %(page)s``)."""

    def draw(canvas: object, doc: SimpleDocTemplate) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont(_REGULAR, 8)  # type: ignore[attr-defined]
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, page_words % {"page": doc.page})  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    return draw
