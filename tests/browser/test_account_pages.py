"""A person in Chromium takes their account back: forgets the password and resets it from the e-mailed
link, then on the account page changes it, sees where they are signed in and ends the other session."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, screenshot, sign_in
from tests.support import Stack

pytestmark = pytest.mark.workers("notifications")

NEW_PASSWORD = "a brand new passphrase"


def test_a_forgotten_password_is_reset_from_the_e_mailed_link(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    person = api.user("trainee", "Rosa Forgetful")
    page.goto(f"{base}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill(person["email"])
    page.get_by_role("button", name="E-mail me a link").click()
    expect(page.locator("#reset-sent")).to_contain_text("within an hour")

    token = stack.link_in_mail(person["email"], "Reset your password", "reset-password")
    page.goto(f"{base}/reset-password/{token}")
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Set my new password").click()
    expect(page.locator("#password-error")).to_be_visible()  # beside its field, the link still good
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my new password").click()
    expect(page.locator("#reset-done")).to_be_visible()
    screenshot(page, "password-reset-done")
    assert api.call("GET", "/api/v1/me", person["token"]).status_code == 401  # every session signed out

    page.goto(f"{base}/reset-password/{token}")
    page.get_by_label("New password").fill("yet another passphrase")
    page.get_by_role("button", name="Set my new password").click()
    expect(page.locator("#token-error")).to_contain_text("already used")
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("E-mail").fill(person["email"])
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Account")).to_be_visible()


def test_the_account_page_changes_the_password_and_ends_another_session(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    person = api.user("trainee", "Omar Careful")  # signed in once through the API: the "other" session
    sign_in(page, base, person["email"])
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()
    expect(page.locator("#address-status")).to_contain_text("not confirmed yet")
    rows = page.locator("#sessions tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#sessions")).to_contain_text("(this one)")
    screenshot(page, "account-page")

    other = page.locator("#sessions tbody tr", has_not_text="(this one)")
    other.get_by_role("button", name=re.compile("^End")).click()
    expect(page.locator("#account-notice")).to_have_text("That session is signed out.")
    expect(rows).to_have_count(1)
    assert api.call("GET", "/api/v1/me", person["token"]).status_code == 401

    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    expect(page.locator("#current_password-error")).to_be_visible()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    expect(page.locator("#account-notice")).to_contain_text("Your password is changed")
    expect(rows).to_have_count(1)  # this browser stays signed in

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download everything we hold about me")).click()
    assert download.value.suggested_filename == "my-data.json"

    page.get_by_role("link", name="Close my account").click()
    expect(page.get_by_role("heading", name="What is kept, and why")).to_be_visible()
    page.get_by_label("Your password, to confirm").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Close my account for good").click()
    expect(page.locator("#account-closed")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
