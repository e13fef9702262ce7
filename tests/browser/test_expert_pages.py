"""An expert, in Chromium: creates and publishes a training in five steps (a draft saved at
each), then approves a trainee who asked for a seat."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.support import Stack


def test_an_expert_creates_and_publishes_a_training_in_five_steps(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    expert = api.expert("Dr Wizard")
    sign_in(page, base, expert["email"])
    page.get_by_role("link", name="My trainings").click()
    page.get_by_role("link", name="New training").click()

    expect(page.get_by_role("heading", name="Step 1 of 5: Description")).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()  # no title: refused, beside the field
    expect(page.locator("#title-error")).to_be_visible()
    page.get_by_label("Title").fill("Endoscopic mitral repair, hands-on")
    page.get_by_label("Specialty").fill("cardiac surgery")
    page.get_by_label("Technique").fill("endoscopic mitral repair")
    page.get_by_label("Languages").fill("en, fr")
    page.get_by_label("What trainees will learn").fill("Port placement, valve analysis and repair on the day's cases.")
    page.get_by_label("Fellows").check()
    page.get_by_label("Specialists").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Step 2 of 5: Programme")).to_be_visible()
    draft_id = re.search(r"/me/trainings/([^/]+)/edit/2", page.url).group(1)
    assert stack.db.trainings.find_one({"_id": draft_id})["status"] == "draft"  # saved between steps
    for i, (start, end, title) in enumerate([("08:00", "09:00", "Briefing"), ("09:00", "12:30", "Live case"),
                                             ("13:30", "17:00", "Wet lab")]):  # fmt: skip
        page.get_by_label(f"Step {i + 1} start").fill(start)
        page.get_by_label(f"Step {i + 1} end").fill(end)
        page.get_by_label(f"Step {i + 1} title").fill(title)
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Step 3 of 5: Date and venue")).to_be_visible()
    day = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    page.get_by_label("Day").fill(day)
    page.get_by_label("Starts at").fill("08:00")
    page.get_by_label("Ends at").fill("17:30")
    page.get_by_label("Time zone").fill("Europe/Paris")
    page.get_by_label("Hospital or institution").fill("Hôpital Bichat")
    page.get_by_label("Address").fill("46 rue Henri Huchard")
    page.get_by_label("Postal code").fill("75018")
    page.get_by_label("City").fill("Paris")
    page.get_by_label("Country").fill("fr")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Step 4 of 5: Seats and price")).to_be_visible()
    page.get_by_label("Seats").fill("4")
    page.get_by_label("Price per seat").fill("1200.00")
    page.get_by_label("Currency").select_option("eur")
    page.get_by_label("CME credits").fill("7")
    page.get_by_label("Follow-up open for (days after the day)").fill("60")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Step 5 of 5: Review and publish")).to_be_visible()
    expect(page.get_by_text("3 step(s)")).to_be_visible()
    screenshot(page, "expert-review")
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_role("heading", name="Endoscopic mitral repair, hands-on")).to_be_visible()
    stored = stack.db.trainings.find_one({"_id": draft_id})
    assert stored["status"] == "published" and stored["price"] == 120000 and stored["capacity"] == 4
    assert stored["levels"] == ["fellow", "specialist"] and stored["follow_up_days"] == 60
    assert stored["venue"]["country"] == "FR" and [s["title"] for s in stored["programme"]] == [
        "Briefing", "Live case", "Wet lab",
    ]  # fmt: skip
    page.goto(base + "/")
    expect(page.get_by_role("link", name="Endoscopic mitral repair, hands-on")).to_be_visible()


def test_an_expert_approves_a_pending_trainee(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    expert, trainee = api.expert("Dr Approver"), api.user("trainee", "Tom Pending")
    training = api.published_training(expert, requires_approval=True)
    booking = stack.book(trainee, training)
    stack.wait_status(booking, "pending_approval")

    sign_in(page, base, expert["email"])
    page.get_by_role("link", name="My trainings").click()
    expect(page.get_by_text("Waiting for you")).to_be_visible()
    page.get_by_role("link", name=training["title"]).click()
    expect(page.get_by_role("heading", name="Requests to approve (1)")).to_be_visible()
    expect(page.get_by_text("Tom Pending", exact=True)).to_be_visible()
    screenshot(page, "expert-approves")
    page.get_by_role("button", name="Approve Tom Pending").click()

    stack.wait_status(booking, "held")
    page.reload()
    expect(page.get_by_role("heading", name="Requests to approve (0)")).to_be_visible()
    expect(page.get_by_role("heading", name="Seats held, waiting for payment (1)")).to_be_visible()
