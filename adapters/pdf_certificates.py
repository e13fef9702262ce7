"""Certificates of attendance as PDF, drawn with reportlab in DejaVu Serif (every European name),
in the holder's language (its words in the catalogue, its dates and numbers as Babel writes them)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from babel.dates import format_date
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from adapters import l10n
from core.certificates import Certificate

_FONTS = Path(__file__).parent / "fonts"
_REGULAR, _BOLD = "DejaVuSerif", "DejaVuSerif-Bold"
_INK = Color(0.12, 0.16, 0.28)
_ACCENT = Color(0.09, 0.42, 0.45)


def _register_fonts() -> None:
    """Embed the fonts once per process (reportlab keeps a global registry)."""
    if _REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_REGULAR, str(_FONTS / "DejaVuSerif.ttf")))
        pdfmetrics.registerFont(TTFont(_BOLD, str(_FONTS / "DejaVuSerif-Bold.ttf")))


def long_date(day: date, locale: str) -> str:
    """``15 January 2027``, ``15 janvier 2027``."""
    return format_date(day, "long", locale=l10n.formats_of(locale))


class ReportlabCertificates:
    """One landscape A4 page: who attended what, where and when, with the code and a QR code to verify."""

    def render(self, certificate: Certificate, verify_url: str, marketplace: str, locale: str | None = None) -> bytes:
        """The certificate as PDF bytes, in ``locale``'s words (None: the default language)."""
        _register_fonts()
        words = l10n.wording(locale)
        _ = words.gettext
        buffer = io.BytesIO()
        width, height = landscape(A4)
        pdf = Canvas(buffer, pagesize=(width, height), pageCompression=1, invariant=1)
        pdf.setTitle(_("Certificate of attendance: %(name)s, %(title)s")
                     % {"name": certificate.trainee_name, "title": certificate.training_title})  # fmt: skip
        pdf.setAuthor(marketplace)
        pdf.setSubject(_("Verification code %(code)s") % {"code": certificate.code})

        pdf.setStrokeColor(_ACCENT)
        pdf.setLineWidth(3)
        pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        pdf.setLineWidth(0.8)
        pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)

        centre = width / 2
        pdf.setFillColor(_ACCENT)
        pdf.setFont(_REGULAR, 12)
        pdf.drawCentredString(centre, height - 35 * mm, marketplace.upper())
        pdf.setFillColor(_INK)
        pdf.setFont(_BOLD, 30)
        pdf.drawCentredString(centre, height - 52 * mm, _("Certificate of attendance"))
        pdf.setFont(_REGULAR, 13)
        pdf.drawCentredString(centre, height - 66 * mm, _("This certifies that"))
        pdf.setFont(_BOLD, 24)
        pdf.drawCentredString(centre, height - 80 * mm, certificate.trainee_name)
        pdf.setFont(_REGULAR, 13)
        pdf.drawCentredString(centre, height - 92 * mm, _("attended the hands-on training"))
        y = height - 103 * mm
        pdf.setFont(_BOLD, 17)
        for line in simpleSplit(certificate.training_title, _BOLD, 17, width - 60 * mm)[:3]:
            pdf.drawCentredString(centre, y, line)
            y -= 8 * mm

        expert = ", ".join(p for p in (certificate.expert_name, certificate.expert_title) if p)
        place = ", ".join(p for p in (certificate.institution, certificate.city, certificate.country) if p)
        hours = words.number(certificate.hours)
        credits = words.number(certificate.cme_credits) if certificate.cme_credits is not None else _("none")
        day = long_date(date.fromisoformat(certificate.day), words.locale)
        when = _("%(day)s, %(starts)s to %(ends)s") % {
            "day": day, "starts": certificate.starts_local, "ends": certificate.ends_local,
        }  # fmt: skip
        lines = [
            (_("Technique"), certificate.technique or "-"),
            (_("Expert"), expert),
            (_("Institution"), place),
            (_("Date"), when),
            (_("Hours"), words.ngettext("%(hours)s hour", "%(hours)s hours", 1 if certificate.hours == 1 else 2)
             % {"hours": hours}),
            (_("CME credits"), credits),
        ]  # fmt: skip
        y -= 7 * mm
        for label, value in lines:
            pdf.setFont(_BOLD, 11)
            pdf.drawRightString(centre - 4 * mm, y, label)
            pdf.setFont(_REGULAR, 11)
            for line in simpleSplit(value, _REGULAR, 11, width / 2 - 30 * mm)[:2]:
                pdf.drawString(centre + 4 * mm, y, line)
                y -= 5.5 * mm
            y -= 1.5 * mm

        pdf.setFont(_BOLD, 12)
        pdf.drawString(25 * mm, 30 * mm, _("Verification code: %(code)s") % {"code": certificate.code})
        pdf.setFont(_REGULAR, 10)
        pdf.drawString(25 * mm, 24 * mm, _("Check it at %(url)s") % {"url": verify_url})
        issued = long_date(certificate.issued_at.date(), words.locale)
        pdf.drawString(25 * mm, 19 * mm, _("Issued on %(date)s") % {"date": issued})

        qr = QrCodeWidget(verify_url)
        x0, y0, x1, y1 = qr.getBounds()
        size = 32 * mm
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(qr)
        renderPDF.draw(drawing, pdf, width - 25 * mm - size, 18 * mm)

        pdf.showPage()
        pdf.save()
        return buffer.getvalue()
