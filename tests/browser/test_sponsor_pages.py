"""A sponsor, in Chromium: buys sponsored seats on a training and pays by card; a trainee then
books with one of the vouchers, and the sponsor sees it redeemed."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import fill_card, screenshot, sign_in
from tests.support import Stack


def test_a_sponsor_buys_seats_and_a_trainee_redeems_a_voucher(stack: Stack, page: Page, browser: Browser) -> None:
    api, base = stack.api, stack.api.base_url
    expert, sponsor, trainee = api.expert(), api.user("sponsor", "MedDevice Corp"), api.user("trainee", "Ana Voucher")
    training = api.published_training(expert, price=45000, capacity=4)

    sign_in(page, base, sponsor["email"])
    page.goto(f"{base}/trainings/{training['id']}")
    page.get_by_label("Seats to sponsor").fill("2")
    page.get_by_role("button", name="Sponsor seats").click()
    expect(page.get_by_role("heading", name="Sponsored seats")).to_be_visible()
    expect(page.locator("#pay")).to_be_visible()
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay €900.00").click()
    expect(page.locator("#status-label")).to_have_text("Paid: vouchers issued", timeout=30_000)
    page.reload()
    codes = page.locator("code.voucher").all_inner_texts()
    assert len(codes) == 2
    screenshot(page, "sponsor-vouchers")

    trainee_page = browser.new_context().new_page()
    sign_in(trainee_page, base, trainee["email"])
    trainee_page.goto(f"{base}/trainings/{training['id']}")
    trainee_page.get_by_label("Sponsor's voucher (optional)").fill(codes[0].lower())
    trainee_page.get_by_role("button", name="Book a seat").click()
    expect(trainee_page.locator("#status-label")).to_have_text("Confirmed", timeout=30_000)  # nothing to pay
    trainee_page.reload()
    expect(trainee_page.get_by_text("MedDevice Corp")).to_be_visible()  # who paid for the seat
    screenshot(trainee_page, "trainee-voucher-confirmed")
    trainee_page.context.close()

    page.get_by_role("link", name="My sponsored seats", exact=True).click()
    expect(page.get_by_role("cell", name="1 of 2")).to_be_visible()
