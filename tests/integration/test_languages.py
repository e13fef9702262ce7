"""The pages speak the reader's language: the profile's choice, else the switcher's, else the browser's.

Fetched over HTTP from the real API process, as a browser would. Dates, times and money are
worded by Babel for the language ("1 200,00 €" in French), the venue's clock named beside them.
"""

from __future__ import annotations

import re

import pytest
import requests

from tests.support import Stack, csrf_of, day_ahead
from tests.support.reading import page_text

pytestmark = pytest.mark.workers()

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([a-z]+)"', html)
    assert found, "no lang on <html>"
    return found.group(1)


def test_a_french_browser_gets_french_pages_and_an_english_one_english(stack: Stack) -> None:
    french = requests.get(stack.api.base_url + "/", headers=FRENCH, timeout=30)
    assert french.status_code == 200
    assert _lang(french.text) == "fr" and "Se connecter" in page_text(french.text)
    english = requests.get(stack.api.base_url + "/", headers={"Accept-Language": "en-GB,en;q=0.8"}, timeout=30)
    assert _lang(english.text) == "en" and "Sign in" in page_text(english.text)
    # A language the site does not speak falls back to English.
    german = requests.get(stack.api.base_url + "/", headers={"Accept-Language": "de-DE"}, timeout=30)
    assert _lang(german.text) == "en"


def test_the_switcher_keeps_its_choice_for_the_visit_and_returns_to_the_page(stack: Stack) -> None:
    browser = requests.Session()
    page = browser.get(stack.api.base_url + "/experts", timeout=30)
    assert _lang(page.text) == "en"
    switched = browser.post(
        stack.api.base_url + "/language",
        data={"csrf": csrf_of(page.text), "locale": "fr", "next": "/experts"},
        allow_redirects=False,
        timeout=30,
    )
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/experts")
    assert _lang(browser.get(stack.api.base_url + "/", timeout=30).text) == "fr"
    # Only a path on this site is a place to return to.
    away = browser.post(
        stack.api.base_url + "/language",
        data={"csrf": csrf_of(page.text), "locale": "en", "next": "https://elsewhere.example/"},
        allow_redirects=False,
        timeout=30,
    )
    assert "elsewhere.example" not in away.headers["Location"]


def test_a_signed_in_persons_choice_is_kept_in_the_profile_and_wins_over_the_browser(stack: Stack) -> None:
    api = stack.api
    trainee = api.user("trainee")
    browser, csrf = api.web_session(trainee["email"])
    browser.post(api.base_url + "/language", data={"csrf": csrf, "locale": "fr", "next": "/"}, timeout=30)
    assert api.call("GET", "/api/v1/me", trainee["token"]).json()["locale"] == "fr"
    # Another browser, set to English, signed in as the same person: French, from the profile.
    elsewhere, _ = api.web_session(trainee["email"])
    assert _lang(elsewhere.get(api.base_url + "/", headers={"Accept-Language": "en"}, timeout=30).text) == "fr"
    # And the API takes the choice too, naming a language it does not speak as the problem.
    refused = api.call("PATCH", "/api/v1/me", trainee["token"], json={"locale": "de"})
    assert refused.status_code == 422 and refused.json()["errors"]["locale"] == ["One of: en, fr."]
    assert api.call("PATCH", "/api/v1/me", trainee["token"], json={"locale": "en"}).json()["locale"] == "en"
    assert _lang(elsewhere.get(api.base_url + "/", headers=FRENCH, timeout=30).text) == "en"


def test_money_and_dates_are_worded_for_the_language_with_the_venues_clock(stack: Stack) -> None:
    api = stack.api
    starts_at, ends_at = day_ahead(45)
    training = api.published_training(api.expert(), price=120_000, starts_at=starts_at, ends_at=ends_at)
    path = f"/trainings/{training['id']}"
    french = page_text(requests.get(api.base_url + path, headers=FRENCH, timeout=30).text)
    assert "1 200,00 €" in french  # Babel's French (the page's narrow and no-break spaces read as spaces)
    assert re.search(r"heure de Europe/Paris \(CES?T, UTC\+0[12]:00\)", french), french
    english = page_text(requests.get(api.base_url + path, headers={"Accept-Language": "en"}, timeout=30).text)
    assert "€1,200.00" in english and re.search(r"Europe/Paris time \(CES?T, UTC\+0[12]:00\)", english)
    assert "75015 Paris, France" in english and "75015 Paris, France" in french  # the venue's country named


def test_rupees_are_a_currency_of_the_catalogue(stack: Stack) -> None:
    api = stack.api
    starts_at, ends_at = day_ahead(60, zone="Asia/Kolkata")
    training = api.published_training(
        api.expert(), price=1_500_000, currency="inr", timezone="Asia/Kolkata", starts_at=starts_at, ends_at=ends_at
    )
    assert training["currency"] == "inr"
    english = page_text(requests.get(api.base_url + f"/trainings/{training['id']}", timeout=30).text)
    assert "₹15,000.00" in english and "Asia/Kolkata time (IST, UTC+05:30)" in english


def test_a_refusal_made_of_its_facts_reads_in_the_pages_language(stack: Stack) -> None:
    """The core's messages that name facts (an id, a state, a day) are worded again for the page."""
    missing = "00000000-0000-4000-8000-000000000000"
    french = requests.get(stack.api.base_url + f"/trainings/{missing}", headers=FRENCH, timeout=30)
    assert french.status_code == 404 and f"Aucune formation {missing}." in page_text(french.text)
    english = requests.get(stack.api.base_url + f"/trainings/{missing}", timeout=30)
    assert f"No training {missing}." in page_text(english.text)
    # The API keeps its English.
    api = stack.api.call("GET", f"/api/v1/trainings/{missing}", headers=FRENCH)
    assert api.status_code == 404 and api.json()["message"] == f"No training {missing}."
