"""An expert's, a sponsor's and an admin's pages read in French for a French browser.

Fetched over HTTP from the real API process with ``Accept-Language: fr``: each page's own words
are French (not only the navigation of the base template), its states are worded (``publiée``,
``en attente de paiement``), and its money and dates are written the French way (``1 200,00 €``,
``lundi 7 décembre 2026``). The expected dates are spelt here from a table of French month and
day names, not by the Babel code the pages use.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.support import TRAINING, Stack, csrf_of, day_ahead, page_text

pytestmark = pytest.mark.workers()

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")  # fmt: skip
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _long(day: date) -> str:
    """``7 décembre 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _full(day: date) -> str:
    """``lundi 7 décembre 2026``."""
    return f"{DAYS[day.weekday()]} {_long(day)}"


def _french(session: requests.Session, url: str) -> str:
    page = session.get(url, headers=FRENCH, timeout=30)
    assert page.status_code == 200, (url, page.status_code, page.text[:500])
    assert '<html lang="fr">' in page.text, url
    return page_text(page.text)


def test_an_expert_reads_their_trainings_wizard_and_roll_call_in_french(stack: Stack) -> None:
    api = stack.api
    starts_at, ends_at = day_ahead(40)
    expert = api.expert("Dr Lefèvre")
    training = api.published_training(expert, price=120_000, starts_at=starts_at, ends_at=ends_at)
    day = datetime.fromisoformat(starts_at).astimezone(ZoneInfo("Europe/Paris")).date()
    browser, _csrf = api.web_session(expert["email"])
    base = f"{api.base_url}/me/trainings"

    mine = _french(browser, base)
    assert "Mes formations" in mine and "Nouvelle formation" in mine and "publiée" in mine
    assert "Statut" in mine and "Demandes" in mine
    assert f"{day.day} {MONTHS[day.month - 1][:3]}" in mine  # the short date: "7 déc. 2026"

    page = _french(browser, f"{base}/{training['id']}")
    assert "Demandes à approuver (0) Aucune demande en attente." in page and "Liste d'attente (0) Personne." in page
    assert "Participants (ayant payé) (0)" in page
    assert "Annuler la formation" in page and "Chaque participant est intégralement remboursé" in page
    assert _full(day) in page and "présences" in page

    step = _french(browser, f"{base}/{training['id']}/edit/4")
    assert "Étape 4 sur 5 : Places et prix" in step and "Prix par place" in step and "Devise" in step
    assert "Cette formation est publiée ; les modifications sont enregistrées" in step
    review = _french(browser, f"{base}/{training['id']}/edit/5")
    assert "Vérifier et publier" in review and "Lieu" in review and "1 200,00 €" in review
    assert f"{_full(day)}, 08:00–17:00 heure de Europe/Paris" in review

    # The schema's refusals read in French beside their field: a programme row by its number, a venue's field.
    edit = f"{base}/{training['id']}/edit"
    csrf = csrf_of(browser.get(f"{edit}/2", headers=FRENCH, timeout=30).text)
    row = {"csrf": csrf, "programme-0-start": "9h", "programme-0-end": "10:00", "programme-0-title": "Accueil"}
    refused = browser.post(f"{edit}/2", data=row, headers=FRENCH, timeout=30)
    assert refused.status_code == 422 and "Veuillez corriger les champs signalés ci-dessous." in page_text(refused.text)
    assert 'id="programme-error">étape 1\xa0: Une heure de la journée, HH:MM.' in refused.text
    venue = browser.post(f"{edit}/3", data={"csrf": csrf, "institution": "H"}, headers=FRENCH, timeout=30)
    assert venue.status_code == 422 and 'id="institution-error">Entre 2 et 200 caractères.' in venue.text

    # A draft's review lists what stops its publication, the programme's steps worded from their facts.
    early = [{"start": "07:00", "end": "09:00", "title": "Accueil"}]
    body = {**TRAINING, "starts_at": starts_at, "ends_at": ends_at, "programme": early}
    draft = api.call("POST", "/api/v1/trainings", expert["token"], json=body)
    assert draft.status_code == 201, draft.text
    blocked = _french(browser, f"{base}/{draft.json()['id']}/edit/5")
    assert "Avant de publier : Programme : L'étape 1 (07:00-09:00) sort de la journée (08:00-17:00)." in blocked

    roll = _french(browser, f"{base}/{training['id']}/attendance")
    assert "Présences" in roll and "Aucun participant confirmé." in roll
    assert f"Le relevé des présences ouvre le jour même ({_long(day)})." in roll

    # The same pages still read in English for an English browser.
    english = page_text(browser.get(base, headers={"Accept-Language": "en"}, timeout=30).text)
    assert "My trainings" in english and "published" in english and "Mes formations" not in english


def test_a_sponsor_reads_their_sponsored_seats_in_french(stack: Stack) -> None:
    api = stack.api
    training = api.published_training(api.expert(), price=45_000, capacity=4)
    sponsor = api.user("sponsor", "Jeanne Martin")
    bought = api.call("POST", f"/api/v1/trainings/{training['id']}/sponsorships", sponsor["token"], json={"seats": 2})
    assert bought.status_code == 202, bought.text
    browser, _csrf = api.web_session(sponsor["email"])

    page = _french(browser, f"{api.base_url}/sponsorships/{bought.json()['id']}")
    assert "Places sponsorisées" in page and "En attente de paiement" in page
    assert "Montant 900,00 €" in page and "Payer 900,00 €" in page and "Payer par carte" in page
    raw = browser.get(f"{api.base_url}/sponsorships/{bought.json()['id']}", headers=FRENCH, timeout=30).text
    assert 'data-msg-declined="Paiement refusé\xa0: {reason}' in raw  # the script's words, in French too
    status = browser.get(f"{api.base_url}/sponsorships/{bought.json()['id']}/status", headers=FRENCH, timeout=30)
    assert status.json()["label"] == "En attente de paiement"  # the live view keeps the page's language

    mine = _french(browser, f"{api.base_url}/me/sponsorships")
    assert "Mes places sponsorisées" in mine and "0 sur 2" in mine and "Mes démonstrations technologiques" in mine
    assert "Utilisés" in mine and "Disponibles" in mine


def test_an_admin_reads_the_experts_to_verify_and_the_operations_desk_in_french(stack: Stack) -> None:
    api = stack.api
    api.expert("Dr Vérifiée")
    newcomer = api.user("expert", "Dr Nouvelle")
    licence = {"kind": "medical_license", "number": "RPPS-1", "issuer": "Ordre des médecins", "country": "FR"}
    assert api.call("POST", "/api/v1/me/credentials", newcomer["token"], json={"credentials": [licence]}).ok
    admin, _csrf = api.web_session(api.admin()["email"])

    experts = _french(admin, f"{api.base_url}/admin/experts")
    assert "Experts en attente de vérification (1)" in experts and "Vérifier Dr Nouvelle" in experts
    assert "autorisation d'exercice RPPS-1, Ordre des médecins (FR)" in experts, experts
    assert "Experts vérifiés (1)" in experts and "Retirer la vérification" in experts

    desk = _french(admin, f"{api.base_url}/admin/operations")
    assert "Lettres mortes" in desk and "Retard des consommateurs" in desk and "Rapprochement" in desk
    assert "Reversements" in desk

    lag = _french(admin, f"{api.base_url}/admin/operations/lag")
    assert "Retard des consommateurs" in lag and "capacity : 0 enregistrement(s) en attente" in lag
    letters = _french(admin, f"{api.base_url}/admin/operations/dead-letters/capacity")
    assert "Lettres mortes de capacity (0)" in letters and "Aucune lettre morte : capacity a appliqué tout" in letters
    # Every test shares one Stripe: the period starts after the previous tests' objects (as the desk's test).
    time.sleep(1.1)
    since = datetime.now(UTC).replace(microsecond=0)
    compared = _french(admin, f"{api.base_url}/admin/operations/reconciliation?from={since:%Y-%m-%dT%H:%M:%S}")
    assert f"0 écart(s), du {_long(since.date())} {since:%H:%M:%S} au " in compared
    assert "Aucun : chaque paiement et chaque remboursement" in compared

    payouts = _french(admin, f"{api.base_url}/admin/operations/payouts?from=2026-03-01&to=2026-04-01")
    assert "Reversements aux experts" in payouts and "Télécharger le CSV" in payouts
    assert "Du 1 mars 2026 au 1 avril 2026, dernier jour exclu" in payouts
    assert "Aucun paiement ni remboursement sur cette période." in payouts
    backwards = f"{api.base_url}/admin/operations/payouts?from=2026-04-01&to=2026-03-01"
    bad = admin.get(backwards, headers=FRENCH, timeout=30)
    assert bad.status_code == 400 and "Veuillez corriger les champs signalés ci-dessous." in page_text(bad.text)
    assert "Doit être postérieur au début de la période." in page_text(bad.text)  # the schema's message, beside "to"


def test_a_question_and_a_demo_read_in_french_on_the_experts_page_and_the_admins_desk(stack: Stack) -> None:
    api = stack.api
    expert, anna = api.expert("Dr Lefèvre"), api.user("trainee", "Anna Karlsson")
    training = api.published_training(expert, title="TAVI en direct")
    asked = api.call("POST", f"/api/v1/trainings/{training['id']}/questions", anna["token"],
                     json={"text": "Faut-il apporter son propre tablier de plomb ?"})  # fmt: skip
    assert asked.status_code == 201, asked.text
    question = asked.json()
    reported = api.call("POST", f"/api/v1/questions/{question['id']}/report", expert["token"],
                        json={"reason": "Hors sujet pour cette formation."})  # fmt: skip
    assert reported.ok, reported.text
    sponsor = api.user("sponsor", "Jeanne Martin")
    assert api.call("PATCH", "/api/v1/me", sponsor["token"], json={"company": "MedDevice SA"}).status_code == 200
    listed = {"title": "Evolut FX au bloc", "device": "Evolut FX", "urls": ["https://example.org/evolut"]}
    demo = api.call("POST", "/api/v1/demos", sponsor["token"], json=listed)
    assert demo.status_code == 201, demo.text
    proposed = api.call("POST", f"/api/v1/demos/{demo.json()['id']}/trainings", sponsor["token"],
                        json={"training_id": training["id"]})  # fmt: skip
    assert proposed.status_code == 202, proposed.text
    day = _long(datetime.fromisoformat(question["created_at"]).astimezone(UTC).date())

    browser, _csrf = api.web_session(expert["email"])
    page = _french(browser, f"{api.base_url}/me/trainings/{training['id']}")
    assert f"Anna K. a demandé le {day}" in page and "Votre réponse (publique, définitive)" in page
    assert "Publier ma réponse" in page and "Questions en attente de votre réponse (1)" in page
    assert "Evolut FX au bloc (Evolut FX), par MedDevice SA" in page and "La présenter à ma formation" in page

    admin, _csrf = api.web_session(api.admin()["email"])
    desk = _french(admin, f"{api.base_url}/admin/questions")
    assert "Questions signalées (1)" in desk and f"Anna K. a demandé sur TAVI en direct {day}" in desk
    assert f"Signalé le {day}" in desk and "Hors sujet pour cette formation." in desk
    assert "Motif (lu par l'auteur)" in desk and "Masquer cette question" in desk
