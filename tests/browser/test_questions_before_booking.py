"""Questions before booking, in Chromium: a trainee asks on the training's page, the expert answers on
their page of the training, and anyone then reads both on the public page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.support import Stack

pytestmark = pytest.mark.workers()  # pages only: the notices are tested in tests/integration

QUESTION = "Do we scrub in for the live cases, or watch from the gallery?"
ANSWER = "You scrub in for two of the four cases."


def test_a_trainee_asks_the_expert_answers_and_everyone_reads_it(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    expert, trainee = api.expert("Dr Answers"), api.user("trainee", "Ines Asker")
    training = api.published_training(expert, title="Live TAVI cases")
    url = f"{base}/trainings/{training['id']}"

    sign_in(page, base, trainee["email"])
    page.goto(url)
    questions = page.locator("#questions")
    expect(questions.get_by_text("No questions answered yet.")).to_be_visible()
    questions.get_by_label("Ask the expert before you book").fill(QUESTION)
    questions.get_by_role("button", name="Send my question").click()
    expect(page.get_by_role("heading", name="My questions waiting for the expert's answer")).to_be_visible()
    expect(page.locator("#questions").get_by_text(QUESTION)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, expert["email"])
    page.goto(url)
    page.get_by_role("link", name="answer on your page of this training").click()
    expect(page.get_by_role("heading", name="Questions waiting for your answer (1)")).to_be_visible()
    page.get_by_label("Your answer (public, once)").fill(ANSWER)
    page.get_by_role("button", name="Post my answer").click()
    expect(page.get_by_role("heading", name="Questions waiting for your answer (0)")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page.goto(url)  # signed out: what anyone reads
    answered = page.locator("#questions")
    expect(answered.get_by_text(QUESTION)).to_be_visible()
    expect(answered.get_by_text(ANSWER)).to_be_visible()
    expect(answered.get_by_text("Ines A.")).to_be_visible()
    screenshot(page, "question-answered-publicly")
