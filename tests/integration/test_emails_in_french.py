"""A trainee who reads French gets the confirmation of their seat in French, by e-mail and in the inbox,
money and the venue's day the French way; one who reads English gets the same e-mail in English.

The whole stack: the profile's locale set through the API, the booking and its payment through the
API and Stripe, the words chosen by the notifications worker, the e-mail read from the SMTP sink.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from tests.support import TRAINING_STARTS, Stack, local_day, text_of, wait_for

FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")  # fmt: skip
FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _flat(text: str) -> str:
    """Whitespace collapsed, French no-break spaces read as spaces, so wrapped text can be searched for."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _confirmation(stack: Stack, trainee: dict[str, Any], subject: str) -> EmailMessage:
    mails = wait_for(lambda: [m for m in stack.mails_to(trainee["email"]) if _flat(m["Subject"]).startswith(subject)],
                     what=f"{subject!r} to {trainee['email']}")  # fmt: skip
    assert len(mails) == 1
    return mails[0]


def _book_and_pay(stack: Stack, trainee: dict[str, Any], training: dict[str, Any]) -> None:
    booking = stack.book(trainee, training)
    stack.wait_status(booking, "held")
    stack.pay(trainee, booking)
    stack.wait_status(booking, "confirmed")


def test_a_french_trainee_is_told_of_their_seat_in_french_and_an_english_one_in_english(stack: Stack) -> None:
    api = stack.api
    expert = api.expert()
    training = api.published_training(expert)  # 450.00 EUR, and the 5 % service fee: 472.50 EUR paid
    french, english = api.user("trainee", "Dr Amélie Durand"), api.user("trainee", "Dr Ada Lovelace")
    chose = api.call("PATCH", "/api/v1/me", french["token"], json={"locale": "fr"})
    assert chose.status_code == 200, chose.text
    for trainee in (french, english):
        _book_and_pay(stack, trainee, training)
    day = local_day(TRAINING_STARTS)
    title = training["title"]

    mail = _confirmation(stack, french, "Réservation confirmée")
    text = _flat(text_of(mail))
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert _flat(mail["Subject"]) == f"Réservation confirmée : {title}"
    assert text.startswith("Bonjour Dr Amélie Durand,")
    assert "Nous avons bien reçu votre paiement de 472,50 € : votre place est réservée." in text
    assert "Conditions d'annulation de votre place : Remboursement intégral du prix" in text
    assert f"{FR_DAYS[day.weekday()]} {day.day} {FR_MONTHS[day.month - 1]} {day.year}" in text  # the venue's day
    assert "08:00-17:00, heure de Europe/Paris (" in text and "Crédits FMC : 7" in text
    assert "Une invitation d'agenda est jointe" in text and "Ne plus recevoir d'e-mails de ce type" in text
    assert '<html lang="fr">' in str(html.get_content())
    assert not [w for w in ("Hello", "Your payment", "EUR", "Training details", "Why you got this") if w in text]
    inbox = api.call("GET", "/api/v1/me/notifications", french["token"]).json()["items"]
    told = {n["kind"]: n for n in inbox}
    assert _flat(told["booking.confirmed"]["title"]) == f"Réservation confirmée : {title}"
    assert _flat(told["booking.held"]["title"]) == f"Place retenue : {title}"

    mail = _confirmation(stack, english, "Booking confirmed")
    text = _flat(text_of(mail))
    assert mail["Subject"] == f"Booking confirmed: {title}" and text.startswith("Hello Dr Ada Lovelace,")
    assert "Your payment of €472.50 was received and your seat is confirmed." in text
    assert f"{day:%A}, {day.day} {day:%B %Y}" in text and "08:00-17:00, Europe/Paris time (" in text
    assert not [w for w in ("Bonjour", "Réservation", "472,50", "heure de") if w in text]
