"""An admin, in Chromium: finds a dead letter on the operations desk, reads its error and replays it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from api.operations import dead_letters
from tests.browser.conftest import screenshot, sign_in
from tests.support import Stack, wait_for


@pytest.mark.workers("capacity")
def test_an_admin_replays_a_dead_letter_from_the_operations_desk(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    expert, trainee = api.expert(), api.user("trainee")
    draft_id, request = stack.request_for_a_draft(expert, trainee, "b-browser")
    wait_for(lambda: dead_letters(stack.config, "capacity").letters, timeout=60, what="the dead letter")

    sign_in(page, base, api.admin()["email"])
    page.get_by_role("link", name="Operations").click()
    page.get_by_role("link", name="Dead letters of capacity").click()
    expect(page.get_by_role("cell", name="not yet")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^\d+:0$")).click()  # the one letter, on the draft's partition
    expect(page.get_by_text("unknown training").first).to_be_visible()
    expect(page.get_by_text(request.id).first).to_be_visible()
    screenshot(page, "admin-dead-letter")

    stack.complete_and_publish(expert, draft_id)
    page.get_by_role("button", name="Replay dead letter").click()
    expect(page.get_by_role("status")).to_have_text("1 dead letter(s) replayed.")
    expect(page.get_by_role("cell", name=re.compile(r"^replayed \d"))).to_be_visible()
    stack.wait_status("b-browser", "held")
