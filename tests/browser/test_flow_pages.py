"""In Chromium, the flows that only ``curl`` could do before: a sponsor's demos proposed and the expert's
answers; an expert's copy to a new date, a past training marked held and the payouts of a period;
the admin's payouts CSV and reconciliation; one's profile (in French) and notification preferences."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.support import Stack, wait_for


def test_a_sponsor_proposes_demos_and_sees_the_experts_answers(stack: Stack, page: Page, browser: Browser) -> None:
    api, base = stack.api, stack.api.base_url
    expert, sponsor = api.expert("Dr Valve"), api.user("sponsor", "CardioTech")
    training = api.published_training(expert, title="TAVI in the cath lab")

    sign_in(page, base, sponsor["email"])
    page.get_by_role("link", name="My demos").click()
    page.get_by_role("link", name="New demo").click()
    page.get_by_label("Title").fill("Ev")  # too short: refused beside the field, the rest kept
    page.get_by_label("Device").fill("Evolut FX")
    page.get_by_role("button", name="Save the demo").click()
    expect(page.locator("#title-error")).to_be_visible()
    expect(page.get_by_label("Device")).to_have_value("Evolut FX")
    page.get_by_label("Title").fill("Self-expanding TAVI valve")
    page.get_by_label("Specialties").fill("Cardiology, cardiac surgery")
    page.get_by_label("Links").fill("https://example.org/evolut-ifu")
    page.get_by_role("button", name="Save the demo").click()
    expect(page.get_by_role("heading", name="Self-expanding TAVI valve")).to_be_visible()

    page.get_by_role("link", name="Edit the demo").click()
    page.get_by_label("Title").fill("Evolut FX self-expanding TAVI valve")
    page.get_by_label("Description").fill("Load, crimp and deploy the valve on a simulator.")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_role("heading", name="Evolut FX self-expanding TAVI valve")).to_be_visible()
    stored = stack.db.demos.find_one({"title": "Evolut FX self-expanding TAVI valve"})
    assert stored["specialties"] == ["cardiology", "cardiac surgery"] and stored["device"] == "Evolut FX"
    assert stored["description"] == "Load, crimp and deploy the valve on a simulator."
    _propose(page, training["id"])
    expect(page.get_by_role("status")).to_contain_text("Proposed")
    expect(page.locator("#proposals")).to_contain_text("Requested: waiting for the expert's answer")

    page.get_by_role("link", name="My demos").click()  # a second demo, proposed for the same training
    page.get_by_role("link", name="New demo").click()
    page.get_by_label("Title").fill("Embolic protection filter")
    page.get_by_role("button", name="Save the demo").click()
    _propose(page, training["id"])

    mine = browser.new_context().new_page()
    sign_in(mine, base, expert["email"])
    mine.goto(f"{base}/me/trainings/{training['id']}")
    proposals = mine.locator("#demos .request")
    expect(proposals).to_have_count(2)
    proposals.filter(has_text="Evolut FX").get_by_role("button", name="Show it at my training").click()
    mine.locator("#demos .request").filter(has_text="Embolic protection").get_by_role("button", name="Decline").click()
    expect(mine.locator("#demos")).to_contain_text("None waiting for your decision.")
    expect(mine.locator("#demos-shown")).to_contain_text("Evolut FX self-expanding TAVI valve")
    expect(mine.locator("#demos-shown")).not_to_contain_text("Embolic protection")
    screenshot(mine, "expert-demos-decided")
    mine.context.close()

    page.get_by_role("link", name="My demos").click()
    evolut = page.locator("section.card", has_text="Evolut FX self-expanding TAVI valve")
    expect(evolut).to_contain_text("TAVI in the cath lab")
    expect(evolut).to_contain_text("Accepted: shown at the training")
    expect(page.locator("section.card", has_text="Embolic protection filter")).to_contain_text("Declined by the expert")
    screenshot(page, "sponsor-demos")
    page.goto(f"{base}/trainings/{training['id']}")  # the public page shows the accepted one only
    expect(page.get_by_text("Evolut FX self-expanding TAVI valve")).to_be_visible()
    expect(page.get_by_text("Embolic protection filter")).to_have_count(0)


def _propose(page: Page, training_id: str) -> None:
    """Choose the training in the demo page's list (the catalogue lists it once it has read it) and propose."""

    def listed() -> bool:
        if page.locator(f'#training_id option[value="{training_id}"]').count():
            return True
        page.reload()
        return False

    wait_for(listed, what="the training among the choices")
    page.get_by_label("Training", exact=True).select_option(training_id)
    page.get_by_role("button", name="Propose the demo").click()


def test_an_expert_copies_a_training_to_a_new_date_and_marks_a_past_one_held(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    expert = api.expert("Dr Copy")
    upcoming = api.published_training(expert, title="Carotid stenting, hands-on")
    past = api.published_training(expert, title="Mitral clip, the day before")
    ended = datetime.now(UTC) - timedelta(hours=2)  # over, but not yet closed by the sweep after the day
    stack.db.trainings.update_one({"_id": past["id"]}, {"$set": {"starts_at": ended - timedelta(hours=8),
                                                                 "ends_at": ended}})  # fmt: skip

    sign_in(page, base, expert["email"])
    page.get_by_role("link", name="My trainings").click()
    page.get_by_role("link", name="Carotid stenting, hands-on").click()
    expect(page.get_by_role("button", name="Mark as held")).to_have_count(0)  # its day is to come
    page.get_by_role("button", name="Copy the training").click()  # no day: refused beside the field
    expect(page.locator("#day-error")).to_be_visible()
    new_day = (datetime.now(UTC) + timedelta(days=200)).date()
    page.get_by_label("New day").fill(new_day.isoformat())
    expect(page.get_by_label("Starts at (venue's time)")).to_have_value("08:00")  # the original's hours
    page.get_by_role("button", name="Copy the training").click()
    expect(page.get_by_role("heading", name="Step 5 of 5: Review and publish")).to_be_visible()
    copy_id = re.search(r"/me/trainings/([^/]+)/edit/5", page.url).group(1)
    copy = stack.db.trainings.find_one({"_id": copy_id})
    assert copy["status"] == "draft" and copy["title"] == "Carotid stenting, hands-on"
    original = stack.db.trainings.find_one({"_id": upcoming["id"]})
    assert copy["ends_at"] - copy["starts_at"] == original["ends_at"] - original["starts_at"]  # same length
    assert copy["starts_at"].date() == new_day
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Carotid stenting, hands-on")).to_be_visible()
    assert stack.db.trainings.find_one({"_id": copy_id})["status"] == "published"

    page.goto(f"{base}/me/trainings/{past['id']}")
    page.get_by_role("button", name="Mark as held").click()
    expect(page.locator(".meta")).to_contain_text(re.compile("completed", re.I))
    expect(page.get_by_role("button", name="Mark as held")).to_have_count(0)  # done once
    assert stack.db.trainings.find_one({"_id": past["id"]})["status"] == "completed"
    screenshot(page, "expert-training-held")


def test_the_expert_sees_a_periods_payouts_and_the_admin_downloads_them(
    stack: Stack, page: Page, browser: Browser
) -> None:
    api, base = stack.api, stack.api.base_url
    # Every test shares one Stripe, which dates objects to the second: the reconciled period starts a
    # second after the previous test's last object (as test_operations_desk's reconciliation).
    time.sleep(1.1)
    start = datetime.now(UTC).replace(microsecond=0)
    expert, trainee = api.expert("Dr Ledger"), api.user("trainee", "Paid Trainee")
    training = api.published_training(expert, title="Aortic valve, paid", price=45000)
    booking = stack.book(trainee, training)
    stack.pay(trainee, booking)
    stack.wait_status(booking, "confirmed")
    wait_for(lambda: stack.db.ledger.find_one({"training_id": training["id"]}), what="the ledger's charge")

    sign_in(page, base, expert["email"])
    page.get_by_role("link", name="My payouts").click()  # this month by default: the payment is in it
    expect(page.locator("#per-training")).to_contain_text("Aortic valve, paid")
    expect(page.locator("#totals")).to_contain_text("EUR")
    owed = page.locator("#totals tbody tr").first.locator("td").last.inner_text()
    assert owed.startswith("€") and owed != "€0.00"
    today = datetime.now(UTC).date()
    page.get_by_label("First day (UTC)").fill((today - timedelta(days=60)).isoformat())
    page.get_by_label("Day after the last (UTC)").fill((today - timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#per-training")).to_contain_text("No payment or refund in this period.")
    page.get_by_label("First day (UTC)").fill(today.isoformat())
    page.get_by_label("Day after the last (UTC)").fill((today + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#per-training")).to_contain_text("Aortic valve, paid")
    screenshot(page, "expert-payouts")

    desk = browser.new_context(accept_downloads=True).new_page()
    sign_in(desk, base, api.admin()["email"])
    desk.get_by_role("link", name="Operations").click()
    desk.get_by_role("link", name="Payouts", exact=True).click()
    desk.get_by_label("First day (UTC)").fill(today.isoformat())
    desk.get_by_label("Day after the last (UTC)").fill((today + timedelta(days=1)).isoformat())
    desk.get_by_role("button", name="Show").click()
    expect(desk.get_by_role("cell", name=re.compile("Dr Ledger"))).to_be_visible()
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Download the CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert [r["expert_name"] for r in rows] == ["Dr Ledger"] and rows[0]["currency"] == "EUR"
    assert download.value.suggested_filename == f"payouts-{today}-{today + timedelta(days=1)}.csv"
    assert rows[0]["owed_to_expert"].replace(".", "") == owed.strip("€").replace(",", "").replace(".", "")

    desk.get_by_role("link", name="Operations").first.click()
    desk.get_by_role("link", name="Reconciliation").click()
    desk.get_by_label("From (UTC)").fill(start.strftime("%Y-%m-%dT%H:%M:%S"))
    desk.get_by_role("button", name="Compare the ledger with Stripe").click()
    expect(desk.get_by_role("heading", name=re.compile(r"^0 difference\(s\)"))).to_be_visible()
    expect(desk.get_by_text("None: every charge and refund Stripe made is in the ledger")).to_be_visible()
    screenshot(desk, "admin-reconciliation")
    desk.context.close()


def test_someone_edits_their_profile_and_reads_the_site_in_french(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    expert = api.expert("Dr Profile")
    sign_in(page, base, expert["email"])
    page.get_by_role("link", name="Profile").click()
    page.get_by_label("Country").fill("France")  # refused beside the field, nothing saved
    page.get_by_role("button", name="Save my profile").click()
    expect(page.locator("#country-error")).to_be_visible()
    assert stack.db.users.find_one({"_id": expert["id"]}).get("country") is None

    page.get_by_label("Name").fill("Prof. Claire Dubois")
    page.get_by_label("Title").fill("Professor of cardiac surgery")
    page.get_by_label("Country").fill("fr")
    page.get_by_label("Languages you speak").fill("fr, en")
    page.get_by_label("About you").fill("Twenty years of mitral repair.")
    page.get_by_label("Language of the site, e-mails and certificates").select_option("fr")
    page.get_by_role("button", name="Save my profile").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Votre profil est enregistré.")
    expect(page.get_by_role("link", name="Mes formations")).to_be_visible()  # the whole site, not only this page
    stored = stack.db.users.find_one({"_id": expert["id"]})
    assert (stored["name"], stored["country"], stored["languages"], stored["locale"]) == (
        "Prof. Claire Dubois", "FR", ["fr", "en"], "fr")  # fmt: skip
    screenshot(page, "profile-in-french")
    page.get_by_label("Langue du site, des e-mails et des attestations").select_option("en")
    page.get_by_role("button", name="Enregistrer mon profil").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()


def test_someone_changes_their_notification_preferences(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    sponsor = api.user("sponsor", "Prefs Corp")
    sign_in(page, base, sponsor["email"])
    page.get_by_role("link", name="Notifications").click()
    reminders = page.get_by_label("By e-mail: A reminder the day before a training")
    expect(reminders).to_be_checked()
    reminders.uncheck()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    page.goto(f"{base}/me/notification-preferences")  # read back, not the form's answer
    expect(page.get_by_label("By e-mail: A reminder the day before a training")).not_to_be_checked()
    expect(page.get_by_label("In the inbox: A reminder the day before a training")).to_be_checked()
    stored = stack.db.notification_preferences.find_one({"_id": sponsor["id"]})
    assert stored["email"]["reminders"] is False and stored["inbox"]["reminders"] is True
