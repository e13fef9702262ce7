"""A trainee, in Chromium: searches, opens a training, books, pays with a test card, and sees
the booking confirmed without reloading; a French trainee does it all in French."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, fill_card, screenshot, sign_in
from tests.support import Stack


def test_a_trainee_searches_books_pays_and_sees_the_booking_confirmed(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    expert, trainee = api.expert("Dr Ada Browser"), api.user("trainee", "Grace Browser")
    training = api.published_training(expert, title="Browser-guided TAVI day", price=45000)
    api.published_training(expert, title="Another day entirely", price=10000)

    page.goto(base + "/")
    page.get_by_label("Words").fill("browser-guided")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 training", exact=True)).to_be_visible()
    page.get_by_role("link", name="Browser-guided TAVI day").click()
    expect(page.get_by_role("heading", name="Browser-guided TAVI day")).to_be_visible()
    expect(page.get_by_text("Dr Ada Browser")).to_be_visible()
    page.get_by_role("link", name="Sign in").last.click()

    page.get_by_label("E-mail").fill(trainee["email"])
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(f"/trainings/{training['id']}$"))
    page.get_by_role("button", name="Book a seat").click()

    expect(page.get_by_role("heading", name="Your booking")).to_be_visible()
    expect(page.locator("#status-label")).to_have_text("Seat held: pay to confirm it")
    expect(page.locator("#pay")).to_be_visible()
    fill_card(page, "4242424242424242")
    screenshot(page, "trainee-pays")
    page.get_by_role("button", name=re.compile(r"^Pay €472\.50$")).click()

    expect(page.locator("#status-label")).to_have_text("Confirmed", timeout=30_000)  # no reload
    expect(page.locator("#pay")).to_be_hidden()
    screenshot(page, "trainee-confirmed")
    booking_id = page.url.rsplit("/", 1)[1]
    assert stack.booking(booking_id)["status"] == "confirmed"

    page.get_by_role("link", name="My bookings").first.click()
    expect(page.get_by_role("cell", name="Confirmed")).to_be_visible()
    expect(page.get_by_text("€450.00 refunded")).to_be_visible()  # 30+ days before: the price, not the fee


def test_a_declined_card_is_shown_and_another_card_pays(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, price=45000)
    sign_in(page, base, trainee["email"])
    page.goto(f"{base}/trainings/{training['id']}")
    page.get_by_role("button", name="Book a seat").click()
    expect(page.locator("#pay")).to_be_visible()

    def pay_with(number: str) -> None:
        fill_card(page, number)
        page.get_by_role("button", name=re.compile("^Pay ")).click()

    pay_with("4000000000000341")  # attaches, then fails when charged
    expect(page.locator("#pay-error")).to_contain_text("Payment declined: Your card was declined.")
    expect(page.locator("#status-label")).to_have_text("Seat held: pay to confirm it")
    screenshot(page, "trainee-declined")
    page.reload()  # the card field of the fake Stripe.js is filled once per page
    pay_with("4242424242424242")
    expect(page.locator("#status-label")).to_have_text("Confirmed", timeout=30_000)


def test_a_card_that_asks_for_3d_secure_is_confirmed_by_the_cardholder(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, price=45000)
    sign_in(page, base, trainee["email"])
    page.goto(f"{base}/trainings/{training['id']}")
    page.get_by_role("button", name="Book a seat").click()
    expect(page.locator("#pay")).to_be_visible()
    fill_card(page, "4000002500003155")  # Stripe's "authentication required" card
    page.get_by_role("button", name=re.compile("^Pay ")).click()

    confirm = page.get_by_role("button", name="Complete authentication")  # the (fake) bank's dialog
    expect(confirm).to_be_visible(timeout=30_000)
    screenshot(page, "trainee-3d-secure")
    confirm.click()
    expect(page.locator("#status-label")).to_have_text("Confirmed", timeout=30_000)


def test_a_french_trainee_books_and_pays_in_french(stack: Stack, page: Page) -> None:
    """A browser asking for French reads the booking in French, the payment button and the live status too."""
    api, base = stack.api, stack.api.base_url
    expert, trainee = api.expert("Dr Claire Navigateur"), api.user("trainee", "Camille Navigateur")
    training = api.published_training(expert, title="Journée TAVI guidée", price=45000)
    page.context.set_extra_http_headers({"Accept-Language": "fr-FR,fr;q=0.9"})  # every request, fetch() too
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(trainee["email"])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{base}/trainings/{training['id']}")
    expect(page.get_by_text("450,00\u00a0€")).to_be_visible()
    page.get_by_role("button", name="Réserver une place").click()

    expect(page.get_by_role("heading", name="Votre réservation")).to_be_visible()
    expect(page.locator("#status-label")).to_have_text("Place réservée\u00a0: payez pour la confirmer")
    fill_card(page, "4242424242424242")
    pay = page.get_by_role("button", name=re.compile(r"^Payer 472,50\s€$"))
    expect(pay).to_be_visible()
    screenshot(page, "trainee-pays-in-french")
    pay.click()
    # booking.js's words and the live status come in French, without a reload.
    expect(page.locator("#status-label")).to_have_text("Confirmée", timeout=30_000)
    expect(page.locator("#pay")).to_be_hidden()
    page.get_by_role("link", name="Mes réservations").first.click()
    expect(page.get_by_role("cell", name="Confirmée")).to_be_visible()
    expect(page.get_by_text("450,00\u00a0€ remboursés")).to_be_visible()
