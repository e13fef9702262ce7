"""A holder who reads French gets an attestation de présence in French, drawn by the certificates
worker, and a French portfolio; the English holder of the same day gets them in English."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from tests.support import Stack, local_day, wait_for

FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")  # fmt: skip


def _text(pdf: bytes) -> str:
    """Every page's words, whitespace collapsed, French no-break spaces read as spaces."""
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(words.replace("\u00a0", " ").replace("\u202f", " ").split())


def _certificate(stack: Stack, trainee: dict[str, Any]) -> dict[str, Any]:
    mine = wait_for(lambda: stack.api.call("GET", "/api/v1/me/certificates", trainee["token"]).json()["items"] or None,
                    what=f"{trainee['email']}'s certificate")  # fmt: skip
    [certificate] = mine
    return dict(certificate)


def _pdf(stack: Stack, trainee: dict[str, Any], path: str) -> bytes:
    response = stack.api.call("GET", path, trainee["token"])
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf", response.text
    return response.content


def test_a_french_holder_s_certificate_and_portfolio_read_in_french(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Élise Martin")
    french, english = api.user("trainee", "Amélie Durand"), api.user("trainee", "Ada Lovelace")
    assert api.call("PATCH", "/api/v1/me", french["token"], json={"locale": "fr"}).status_code == 200
    training, _bookings = stack.held_training(expert, [french, english], cme_credits=7.5)
    day = local_day(training["starts_at"], training["timezone"])

    certificate = _certificate(stack, french)
    text = _text(_pdf(stack, french, certificate["pdf_url"]))
    for expected in (
        "Attestation de présence",
        "Nous attestons que",
        "Amélie Durand",
        "a suivi la formation pratique",
        "Établissement Hôpital Européen Georges-Pompidou",
        f"{day.day} {FR_MONTHS[day.month - 1]} {day.year}, de 08:00 à 17:00",
        "Durée 9 heures",
        "Crédits FMC 7,5",
        f"Code de vérification : {certificate['code']}",
        "Délivrée le",
    ):
        assert expected in text, f"{expected!r} not in {text!r}"
    assert not [w for w in ("Certificate of attendance", "This certifies", "hours", "CME credits") if w in text]

    english_text = _text(_pdf(stack, english, _certificate(stack, english)["pdf_url"]))
    assert "Certificate of attendance" in english_text and f"{day.day} {day:%B %Y}, 08:00 to 17:00" in english_text
    assert "Attestation" not in english_text

    portfolio = _text(_pdf(stack, french, "/api/v1/me/portfolio.pdf"))
    on_the_day = f"{day.day} {FR_MONTHS[day.month - 1]} {day.year}"
    for expected in ("Portfolio de formation", "Amélie Durand", "Crédits FMC", "Au total", "Formations suivies",
                     on_the_day, "Avec Élise Martin", "9 h · 7,5 crédits FMC"):  # fmt: skip
        assert expected in portfolio, f"{expected!r} not in {portfolio!r}"
    assert "Training portfolio" not in portfolio and "Training portfolio" in _text(
        _pdf(stack, english, "/api/v1/me/portfolio.pdf")
    )
