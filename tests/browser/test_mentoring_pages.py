"""A trainee, in the browser: sets learning goals, reads what fits and why, and finds the expert."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.support import Stack

pytestmark = pytest.mark.workers()


def test_a_trainee_sets_goals_and_follows_a_recommendation_to_the_expert(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    expert = api.expert("Dr Claire Martin")
    api.call("PATCH", "/api/v1/me", expert["token"], json={"specialty": "interventional cardiology", "country": "FR"})
    training = api.published_training(expert, title="TAVI for fellows", technique="TAVI", levels=["fellow"])
    trainee = api.user("trainee", "Anna Karlsson")

    sign_in(page, base, trainee["email"])
    page.get_by_role("link", name="For me").click()
    page.get_by_role("link", name="set my learning goals").click()
    page.get_by_label("Techniques").fill("TAVI")
    page.get_by_label("Where I am").select_option("fellow")
    page.get_by_label("Languages I can follow a day in").fill("fr")
    page.get_by_label("Budget for one session").fill("150")  # below the price: no budget reason
    page.get_by_role("button", name="Save my goals").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    page.get_by_role("link", name="See what fits your goals").click()
    card = page.locator("li.card", has_text="TAVI for fellows")
    expect(card).to_contain_text("TAVI is one of your goals")
    expect(card).to_contain_text("Meant for fellows like you")
    expect(card).not_to_contain_text("Within your budget")
    screenshot(page, "trainee-recommendations")

    card.get_by_role("link", name="Dr Claire Martin").click()
    expect(page.get_by_role("heading", name="Dr Claire Martin")).to_be_visible()
    expect(page.get_by_role("link", name="TAVI for fellows")).to_have_attribute("href", f"/trainings/{training['id']}")
    page.get_by_role("link", name="Experts", exact=True).click()
    page.get_by_label("Technique").fill("tavi")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("p.count")).to_have_text("1 expert")
