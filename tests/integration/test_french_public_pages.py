"""The public and trainee pages in French for a French browser: the catalogue, a training, a held
booking and its live status, my bookings, signing in, registering and the notification preferences.

Fetched over HTTP from the real API process with ``Accept-Language: fr``. Each page must read in
French (its own words, the core's words it shows, its form errors) with money and dates worded
the French way ("472,50 €", "lundi 7 décembre 2026"); an English reader still gets English.
"""

from __future__ import annotations

import re

import pytest
import requests

from core.unsubscribe import token_for
from tests.support import Stack, csrf_of, day_ahead, wait_for
from tests.support.reading import page_text

pytestmark = pytest.mark.workers("capacity")  # the seat holds, for the booking page

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
DAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
SHORT_MONTHS = r"janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\."
FRENCH_DAY = re.compile(rf"\b({DAYS}) \d{{1,2}} ({MONTHS}) \d{{4}}\b")


def _french(browser: requests.Session, url: str, status: int = 200) -> str:
    page = browser.get(url, timeout=30)
    assert page.status_code == status, page.text
    assert '<html lang="fr">' in page.text
    return page_text(page.text)


def test_a_french_reader_finds_and_reads_a_training_in_french(stack: Stack) -> None:
    api = stack.api
    starts_at, ends_at = day_ahead(50)
    training = api.published_training(
        api.expert("Dr Claire Martin"), title="Journée TAVI à Paris", price=45_000, starts_at=starts_at, ends_at=ends_at
    )
    visitor = requests.Session()
    visitor.headers.update(FRENCH)

    catalogue = _french(visitor, api.base_url + "/")
    assert "Trouver une formation pratique" in catalogue and "1 formation" in catalogue
    assert "Les plus proches" in catalogue  # a sort label, from schemas/web.py
    assert "Expert vérifié" in catalogue and "7 crédits FMC" in catalogue and "450,00 €" in catalogue
    assert FRENCH_DAY.search(catalogue), catalogue
    # A filter's mistake is told beside its field, in French too.
    wrong = _french(visitor, api.base_url + "/?price_max=beaucoup&currency=eur", status=400)
    assert "Veuillez corriger les champs signalés ci-dessous." in wrong and "Un montant entier, p. ex. 500." in wrong

    page = _french(visitor, api.base_url + f"/trainings/{training['id']}")
    assert "Journée TAVI à Paris" in page and "Réserver une place" in page and "Programme de la journée" in page
    assert "Connectez-vous en tant que participant pour réserver." in page
    assert "450,00 €" in page and FRENCH_DAY.search(page), page
    assert "Remboursement intégral du prix si vous annulez au moins 30 jours avant le début de la formation" in page
    assert "Pas encore d’avis" in page and "Aucune question n’a encore reçu de réponse." in page
    # The same page for an English reader stays English.
    english = page_text(requests.get(api.base_url + f"/trainings/{training['id']}", timeout=30).text)
    assert "Book a seat" in english and "Full refund of the price if you cancel at least 30 days before" in english


def test_a_french_trainee_signs_in_sees_a_held_booking_and_her_bookings_in_french(stack: Stack) -> None:
    api = stack.api
    trainee = api.user("trainee", "Camille Durand")
    training = api.published_training(api.expert(), title="Journée carotide", price=45_000)
    browser = requests.Session()
    browser.headers.update(FRENCH)

    sign_in = _french(browser, api.base_url + "/login")
    assert "Mot de passe" in sign_in and "Se connecter" in sign_in
    refused = browser.post(
        api.base_url + "/login",
        data={"csrf": csrf_of(browser.get(api.base_url + "/login", timeout=30).text), "email": trainee["email"],
              "password": "not the password"},
        timeout=30,
    )  # fmt: skip
    assert refused.status_code == 401 and "E-mail ou mot de passe incorrect." in page_text(refused.text)
    signed = browser.post(
        api.base_url + "/login",
        data={"csrf": csrf_of(refused.text), "email": trainee["email"], "password": "correct horse battery"},
        timeout=30,
    )
    assert signed.status_code == 200 and "Se déconnecter" in page_text(signed.text)

    booking_id = stack.book(trainee, training)
    status_url = api.base_url + f"/bookings/{booking_id}/status"
    # The page's own live view says when the API has seen the hold (as booking.js waits for it).
    status = wait_for(lambda: (s := browser.get(status_url, timeout=30).json())["status"] == "held" and s, what="hold")
    page = _french(browser, api.base_url + f"/bookings/{booking_id}")
    assert "Votre réservation" in page and "Place réservée : payez pour la confirmer" in page
    assert "Payer 472,50 €" in page and "dont 22,50 € de frais de service, non remboursables" in page
    held_until = rf"Votre place est réservée jusqu’au \d{{1,2}} ({MONTHS}) \d{{4}},? \d\d:\d\d, heure de"
    assert re.search(held_until, page), page
    assert "Conditions d’annulation" in page and "Annuler ma réservation" in page
    # The API's words stay the English the API documents, whatever the client's language.
    sold = api.call("GET", f"/api/v1/bookings/{booking_id}", trainee["token"], headers=FRENCH).json()
    assert sold["refund_terms"]["summary"].startswith("Full refund of the price if you cancel at least 30 days")
    # booking.js takes its words from the page: in French, with the placeholders it fills in.
    raw = browser.get(api.base_url + f"/bookings/{booking_id}", timeout=30).text
    assert 'data-msg-declined="Paiement refusé\u00a0: {reason} Vous pouvez essayer une autre carte."' in raw
    # ... and its live status, asked for by the page, comes in the page's language.
    assert status["label"] == "Place réservée\u00a0: payez pour la confirmer"
    english = requests.Session()
    english.cookies.update(browser.cookies)
    in_english = english.get(status_url, headers={"Accept-Language": "en"}, timeout=30).json()
    assert in_english["label"] == "Seat held: pay to confirm it"

    mine = _french(browser, api.base_url + "/me/bookings")
    assert "Mes réservations" in mine and "Journée carotide" in mine and "472,50 €" in mine
    assert re.search(rf"\b\d{{1,2}} ({SHORT_MONTHS}) \d{{4}}\b", mine), mine
    assert "Place réservée : payez pour la confirmer" in mine and "Annuler" in mine


def test_registering_and_the_notification_preferences_read_in_french(stack: Stack) -> None:
    api = stack.api
    visitor = requests.Session()
    visitor.headers.update(FRENCH)
    form = _french(visitor, api.base_url + "/register")
    assert "Créer un compte" in form and "Un praticien qui souhaite se former" in form and "Créer mon compte" in form
    refused = visitor.post(
        api.base_url + "/register",
        data={"csrf": csrf_of(visitor.get(api.base_url + "/register", timeout=30).text), "name": "Louise"},
        timeout=30,
    )
    told = page_text(refused.text)
    assert refused.status_code == 422 and "Veuillez corriger les champs signalés ci-dessous." in told
    assert "Champ obligatoire." in told  # marshmallow's own words, beside the e-mail and password fields

    trainee = api.user("trainee")
    browser, _ = api.web_session(trainee["email"])
    browser.headers.update(FRENCH)
    preferences = _french(browser, api.base_url + "/me/notification-preferences")
    assert "Préférences de notification" in preferences and "Enregistrer mes choix" in preferences
    assert "Un rappel la veille d’une formation" in preferences  # a category of core/services/delivery.py
    assert "Dans mes messages" in preferences and "Par e-mail" in preferences
    # The one-click unsubscribe page an e-mail links to (no session: the browser's language).
    link = api.base_url + "/unsubscribe/" + token_for(stack.deps.policy.link_key, trainee["id"], "reminders")
    asked = _french(visitor, link)
    assert "Se désabonner" in asked and "« Un rappel la veille d’une formation »" in asked
    done = visitor.post(link, timeout=30)
    assert done.status_code == 200 and "C’est fait : " in page_text(done.text), page_text(done.text)
    assert (
        'aria-label="Par e-mail\u00a0: Un rappel la veille d’une formation"'
        in browser.get(api.base_url + "/me/notification-preferences", timeout=30).text
    )


def test_every_other_page_of_a_trainee_reads_in_french(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Dr Hugo Bernard")
    trainee = api.user("trainee")
    browser, _ = api.web_session(trainee["email"])
    browser.headers.update(FRENCH)
    pages = {
        "/experts": ["Trouver un expert", "1 expert", "Expert vérifié"],
        f"/experts/{expert['id']}": ["Formations à venir", "Aucune session prévue pour l’instant."],
        "/verify?code=abc": ["Vérifier une attestation de présence", "Ce n’est pas un code d’attestation"],
        "/me/goals": ["Mes objectifs de formation", "Interne", "Enregistrer mes objectifs"],
        "/me/recommendations": ["Formations et experts pour vous", "définir mes objectifs de formation"],
        "/me/alerts": ["Mes alertes", "Aucune alerte pour l’instant.", "Dans un récapitulatif quotidien"],
        "/me/inbox": ["(0 non lus)", "Choisir ce que je reçois, et comment"],
        "/me/portfolio": ["Mon portfolio", "Crédits FMC : 0", "Aucune formation suivie pour l’instant."],
        "/me/certificates": ["Mes attestations", "Aucune attestation pour l’instant."],
        "/me/teach": ["Enseigner ici", "Inscription à l’Ordre / droit d’exercice", "Demander à enseigner"],
    }
    for path, words in pages.items():
        text = _french(browser, api.base_url + path)
        missing = [w for w in words if w not in text]
        assert not missing, f"{path}: {missing} not in {text}"
    # A bad goal is told in French beside its field (schemas/web.py's N_ markers).
    page = browser.get(api.base_url + "/me/goals", timeout=30)
    refused = browser.post(
        api.base_url + "/me/goals",
        data={"csrf": csrf_of(page.text), "budget": "beaucoup", "currency": "eur"},
        timeout=30,
    )
    told = page_text(refused.text)
    assert refused.status_code == 422 and "Un montant entier, p. ex. 1500." in told
    nothing = browser.post(api.base_url + "/me/goals", data={"csrf": csrf_of(page.text), "currency": "eur"}, timeout=30)
    assert "Indiquez au moins une technique ou une spécialité." in page_text(nothing.text)  # schemas/mentoring.py's
    # And a question too short for the expert, on the question form (schemas/questions.py's N_ markers).
    training = api.published_training(expert)
    asked = browser.post(
        api.base_url + f"/trainings/{training['id']}/questions", data={"csrf": csrf_of(page.text), "text": "Court"},
        timeout=30,
    )  # fmt: skip
    told = page_text(asked.text)
    assert (
        asked.status_code == 422
        and "Poser une question à l’expert de" in told
        and "Entre 10 et 2 000 caractères." in told
    )


def test_the_reasons_a_training_fits_read_in_french(stack: Stack) -> None:
    api = stack.api
    tavi = api.published_training(
        api.expert(), title="TAVI pour chefs de clinique", technique="TAVI", levels=["fellow"]
    )
    trainee = api.user("trainee")
    browser, csrf = api.web_session(trainee["email"])
    browser.headers.update(FRENCH)
    goals = {"csrf": csrf, "techniques": "TAVR", "level": "fellow", "languages": "fr", "countries": "FR",
             "budget": "1500", "currency": "eur"}  # fmt: skip
    assert browser.post(api.base_url + "/me/goals", data=goals, timeout=30).status_code == 200

    def fits() -> str | None:
        text = _french(browser, api.base_url + "/me/recommendations")
        return text if tavi["title"] in text else None

    text = wait_for(fits, timeout=10, what="the TAVI session recommended")
    for reason in ("TAVR fait partie de vos objectifs", "Enseignée en français", "Lieu : France, où vous souhaitez",
                   "Conçue pour les chefs de clinique comme vous", "Dans votre budget de 1 500,00 €"):  # fmt: skip
        assert reason in text, f"{reason!r} not in {text}"
    # The API gives the same reasons in the English it documents.
    reasons = api.call("GET", "/api/v1/me/recommendations", trainee["token"], headers=FRENCH).json()["trainings"]
    assert "Within your budget of 1500.00 EUR" in reasons[0]["reasons"]
