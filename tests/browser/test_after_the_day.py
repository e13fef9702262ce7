"""After the day, in Chromium: the expert assesses a present trainee from the roll call; the trainee reads
it in the portfolio and writes in the follow-up thread; a saved search is made and deleted."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.support import Stack


def test_the_expert_assesses_and_the_trainee_reads_it_and_follows_up(
    stack: Stack, page: Page, browser: Browser
) -> None:
    api, base = stack.api, stack.api.base_url
    expert, trainee = api.expert("Prof. Élise Martin"), api.user("trainee", "Anna Karlsson")
    training, bookings = stack.held_training(expert, [trainee], cme_credits=7)

    sign_in(page, base, expert["email"])
    page.goto(f"{base}/me/trainings/{training['id']}/attendance")
    page.get_by_role("link", name="Assess: Anna Karlsson").click()
    page.get_by_label("Competency 1", exact=True).fill("Femoral access")
    page.get_by_label("How far 1", exact=True).select_option("performed_supervised")
    page.get_by_label("Your comment on the day").fill("Steady hands; say each step aloud.")
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_role("status")).to_contain_text("Anna Karlsson is told.")

    mine = browser.new_context().new_page()
    sign_in(mine, base, trainee["email"])
    mine.get_by_role("link", name="Portfolio").click()
    expect(mine.get_by_role("heading", name="CME credits: 7")).to_be_visible(timeout=30_000)
    expect(mine.get_by_text("Femoral access: Performed under supervision")).to_be_visible()
    screenshot(mine, "trainee-portfolio")
    mine.goto(f"{base}/bookings/{bookings[trainee['id']]}")
    mine.get_by_role("link", name="Follow-up with your expert").click()
    mine.get_by_label("Your message").fill("My next patient has a bicuspid valve: can I send you the CT?")
    mine.get_by_role("button", name="Send").click()
    expect(mine.locator("#latest")).to_contain_text("bicuspid valve")

    page.goto(f"{base}/me/trainings/{training['id']}/attendance")
    page.get_by_role("link", name="Follow-up: Anna Karlsson").click()
    expect(page.get_by_role("heading", name="Follow-up with Anna Karlsson")).to_be_visible()
    expect(page.get_by_text("bicuspid valve")).to_be_visible()


def test_a_trainee_saves_a_search_and_deletes_it(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    trainee = api.user("trainee", "Ben Ode")
    sign_in(page, base, trainee["email"])
    page.get_by_role("link", name="Alerts").click()
    page.get_by_label("Name").fill("TAVI in Lyon")
    page.get_by_label("Technique").fill("TAVI")
    page.get_by_label("City").fill("Lyon")
    page.get_by_label("Tell me").select_option("daily")
    page.get_by_role("button", name="Save the alert").click()
    card = page.locator("li.card", has_text="TAVI in Lyon")
    expect(card).to_contain_text("technique: TAVI")
    expect(card).to_contain_text("One digest a day")
    card.get_by_role("button", name="Delete TAVI in Lyon").click()
    expect(page.get_by_text("No alert yet.")).to_be_visible()


def test_a_trainee_applies_to_teach_and_waits_for_the_check(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    trainee = api.user("trainee", "Dr Sam Taylor")
    sign_in(page, base, trainee["email"])
    page.get_by_role("link", name="Teach here").click()
    page.get_by_label("Institution").fill("Hospices Civils de Lyon")
    page.get_by_label("Specialty").fill("interventional cardiology")
    page.get_by_label("Number").fill("FR-778899")
    page.get_by_label("Issued by").fill("Ordre des médecins")
    page.get_by_label("Country").fill("FR")
    page.get_by_role("button", name="Apply to teach").click()
    expect(page.get_by_role("heading", name="My credentials")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("pending")
    expect(page.get_by_role("link", name="My trainings")).to_be_visible()  # the expert's pages now
