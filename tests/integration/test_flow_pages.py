"""The refusals of the pages that do what only ``curl`` did before: sponsors' demos, an expert's copy,
completion and payouts, everyone's profile. Fetched over HTTP from the real API process.

Each refusal is the API's: the wrong role gets the 403 page, a bad field a 422 naming it beside
the field, a form without its CSRF token a 400, and none of them writes anything.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support import Stack
from tests.support.reading import page_text

pytestmark = pytest.mark.workers()

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def test_each_role_is_kept_to_its_own_pages(stack: Stack) -> None:
    api, base = stack.api, stack.api.base_url
    trainee, sponsor, expert = api.user("trainee"), api.user("sponsor", "Acme Devices"), api.expert()
    training = api.published_training(expert)
    as_trainee, trainee_csrf = api.web_session(trainee["email"])
    as_sponsor, _ = api.web_session(sponsor["email"])

    for path in ("/me/demos", "/me/demos/new", "/me/payouts"):
        refused = as_trainee.get(base + path)
        assert refused.status_code == 403 and "Not allowed" in page_text(refused.text), path
    assert as_sponsor.get(base + "/me/payouts").status_code == 403  # an expert's page
    copied = as_trainee.post(f"{base}/me/trainings/{training['id']}/duplicate",
                             data={"csrf": trainee_csrf, "day": _days(30)})  # fmt: skip
    assert copied.status_code == 403
    made = as_trainee.post(f"{base}/me/demos/new", data={"csrf": trainee_csrf, "title": "Not a sponsor's"})
    assert made.status_code == 403 and stack.db.demos.count_documents({}) == 0

    # Another sponsor's demo is neither shown for editing nor proposed.
    demo = api.call("POST", "/api/v1/demos", sponsor["token"], json={"title": "Evolut FX"}).json()
    rival, rival_csrf = api.web_session(api.user("sponsor", "Rival Corp")["email"])
    assert rival.get(f"{base}/me/demos/{demo['id']}/edit").status_code == 403
    proposed = rival.post(f"{base}/me/demos/{demo['id']}", data={"csrf": rival_csrf, "training_id": training["id"]})
    assert proposed.status_code == 403 and stack.db.demos.find_one({"_id": demo["id"]})["trainings"] == []
    # Nor does an expert decide on someone else's training.
    other, other_csrf = api.web_session(api.expert("Dr Other")["email"])
    decided = other.post(f"{base}/me/trainings/{training['id']}/demos/{demo['id']}",
                         data={"csrf": other_csrf, "decision": "accept"})  # fmt: skip
    assert decided.status_code == 403
    for day in (_days(30), "not a day"):  # a bad day or a good one: another's training is not copied
        refused = other.post(f"{base}/me/trainings/{training['id']}/duplicate", data={"csrf": other_csrf, "day": day})
        assert refused.status_code == 403 and "Not allowed" in page_text(refused.text)
    assert other.post(f"{base}/me/trainings/{training['id']}/complete", data={"csrf": other_csrf}).status_code == 403


def test_a_demo_form_names_each_bad_field_and_saves_nothing(stack: Stack) -> None:
    api, base = stack.api, stack.api.base_url
    browser, csrf = api.web_session(api.user("sponsor", "Acme Devices")["email"])
    bad = browser.post(f"{base}/me/demos/new", data={"csrf": csrf, "title": "ab", "device": "Evolut FX",
                                                      "urls": "https://example.org/ifu\nnot a link"})  # fmt: skip
    assert bad.status_code == 422
    assert 'id="title-error"' in bad.text and 'id="urls-error"' in bad.text and 'id="device-error"' not in bad.text
    assert 'value="Evolut FX"' in bad.text  # what was typed stays
    assert stack.db.demos.count_documents({}) == 0

    made = browser.post(f"{base}/me/demos/new", data={"csrf": csrf, "title": "Evolut FX TAVI system"})
    assert made.status_code == 200 and "Evolut FX TAVI system" in page_text(made.text)
    demo_id = made.url.rsplit("/", 1)[-1]
    blank = browser.post(f"{base}/me/demos/{demo_id}/edit", data={"csrf": csrf, "title": " "})
    assert blank.status_code == 422 and 'id="title-error"' in blank.text
    assert stack.db.demos.find_one({"_id": demo_id})["title"] == "Evolut FX TAVI system"


def test_proposing_a_demo_says_what_is_wrong_with_the_training_chosen(stack: Stack) -> None:
    api, base = stack.api, stack.api.base_url
    sponsor, expert = api.user("sponsor", "Acme Devices"), api.expert()
    training = api.published_training(expert)
    draft = api.call("POST", "/api/v1/trainings", expert["token"], json={"title": "Not yet published"}).json()
    demo = api.call("POST", "/api/v1/demos", sponsor["token"], json={"title": "Evolut FX"}).json()
    browser, csrf = api.web_session(sponsor["email"])
    page = f"{base}/me/demos/{demo['id']}"

    none = browser.post(page, data={"csrf": csrf, "training_id": ""})
    assert none.status_code == 422 and 'id="training_id-error"' in none.text
    assert "Choose a training from the list." in page_text(none.text)
    unpublished = browser.post(page, data={"csrf": csrf, "training_id": draft["id"]})
    assert unpublished.status_code == 422 and 'id="training_id-error"' in unpublished.text  # a draft is unknown
    assert browser.post(page, data={"csrf": csrf, "training_id": training["id"]}).status_code == 200
    twice = browser.post(page, data={"csrf": csrf, "training_id": training["id"]})
    assert twice.status_code == 409 and "This demo was already proposed for this training." in page_text(twice.text)
    assert len(stack.db.demos.find_one({"_id": demo["id"]})["trainings"]) == 1


def test_copying_and_completing_a_training_are_refused_beside_their_forms(stack: Stack) -> None:
    api, base = stack.api, stack.api.base_url
    expert = api.expert()
    training = api.published_training(expert)
    browser, csrf = api.web_session(expert["email"])
    before = stack.db.trainings.count_documents({})

    no_day = browser.post(f"{base}/me/trainings/{training['id']}/duplicate", data={"csrf": csrf, "day": ""})
    assert no_day.status_code == 422 and 'id="day-error"' in no_day.text
    bad_time = browser.post(f"{base}/me/trainings/{training['id']}/duplicate",
                            data={"csrf": csrf, "day": _days(30), "start_time": "25:99"})  # fmt: skip
    assert bad_time.status_code == 422 and 'id="start_time-error"' in bad_time.text
    assert stack.db.trainings.count_documents({}) == before

    page = browser.get(f"{base}/me/trainings/{training['id']}")
    assert "Mark as held" not in page_text(page.text)  # its day has not come: the API would refuse
    early = browser.post(f"{base}/me/trainings/{training['id']}/complete", data={"csrf": csrf})
    assert early.status_code == 409 and 'id="complete-error"' in early.text
    assert "only after it ends" in page_text(early.text)
    assert stack.db.trainings.find_one({"_id": training["id"]})["status"] == "published"


def test_the_payouts_and_profile_forms_name_the_bad_field(stack: Stack) -> None:
    api, base = stack.api, stack.api.base_url
    expert = api.expert("Dr Payout")
    browser, csrf = api.web_session(expert["email"])
    today = datetime.now(UTC).date()
    backwards = browser.get(f"{base}/me/payouts", params={"from": today.isoformat(),
                                                           "to": (today - timedelta(days=3)).isoformat()})  # fmt: skip
    assert backwards.status_code == 422 and 'id="to-error"' in backwards.text
    garbled = browser.get(f"{base}/me/payouts", params={"from": "soon"})
    assert garbled.status_code == 422 and 'id="from-error"' in garbled.text
    fine = browser.get(f"{base}/me/payouts")
    assert fine.status_code == 200 and "No payment or refund in this period." in page_text(fine.text)

    bad = browser.post(f"{base}/me/profile", data={"csrf": csrf, "name": "", "country": "France",
                                                    "languages": "fr, english", "locale": "de"})  # fmt: skip
    assert bad.status_code == 422
    for field in ("name", "country", "languages", "locale"):
        assert f'id="{field}-error"' in bad.text, field
    assert stack.db.users.find_one({"_id": expert["id"]})["name"] == "Dr Payout"
    # A field of another role is not offered, and refused by name if sent anyway.
    assert 'name="company"' not in browser.get(f"{base}/me/profile").text
    trainee, trainee_csrf = api.web_session(api.user("trainee", "Ana")["email"])
    assert 'name="bio"' not in trainee.get(f"{base}/me/profile").text
    saved = trainee.post(f"{base}/me/profile", data={"csrf": trainee_csrf, "name": "Ana B", "bio": "Hi"})
    assert saved.status_code == 200 and "Your profile is saved." in page_text(saved.text)
    assert stack.db.users.find_one({"name": "Ana B"}).get("bio") is None  # not a trainee's field


def test_the_new_forms_refuse_a_post_without_the_csrf_token(stack: Stack) -> None:
    api, base = stack.api, stack.api.base_url
    expert, sponsor = api.expert(), api.user("sponsor", "Acme Devices")
    training = api.published_training(expert)
    as_sponsor, _ = api.web_session(sponsor["email"])
    as_expert, _ = api.web_session(expert["email"])
    demo = api.call("POST", "/api/v1/demos", sponsor["token"], json={"title": "Evolut FX"}).json()

    posts = [
        (as_sponsor, "/me/demos/new", {"title": "Forged demo"}),
        (as_sponsor, f"/me/demos/{demo['id']}/edit", {"title": "Forged title"}),
        (as_sponsor, f"/me/demos/{demo['id']}", {"training_id": training["id"]}),
        (as_sponsor, "/me/profile", {"name": "Forged name"}),
        (as_expert, f"/me/trainings/{training['id']}/duplicate", {"day": _days(40)}),
        (as_expert, f"/me/trainings/{training['id']}/complete", {}),
        (as_expert, f"/me/trainings/{training['id']}/demos/{demo['id']}", {"decision": "accept"}),
    ]
    for browser, path, data in posts:
        forged = browser.post(base + path, data=data)
        assert forged.status_code == 400 and "reload the page" in forged.text, path
        assert browser.post(base + path, data={**data, "csrf": "not-the-token"}).status_code == 400, path
    assert stack.db.demos.count_documents({}) == 1
    stored = stack.db.demos.find_one({"_id": demo["id"]})
    assert stored["title"] == "Evolut FX" and stored["trainings"] == []
    assert stack.db.users.find_one({"_id": sponsor["id"]})["name"] == "Acme Devices"
    assert stack.db.trainings.count_documents({}) == 1


def test_the_new_pages_speak_french_to_a_french_browser(stack: Stack) -> None:
    api, base = stack.api, stack.api.base_url
    sponsor, expert = api.user("sponsor", "Acme Devices"), api.expert()
    training = api.published_training(expert)
    demo = api.call("POST", "/api/v1/demos", sponsor["token"], json={"title": "Evolut FX"}).json()
    as_sponsor, _ = api.web_session(sponsor["email"])
    as_expert, _ = api.web_session(expert["email"])
    pages = [
        (as_sponsor, "/me/demos", "Mes démonstrations"),
        (as_sponsor, "/me/demos/new", "Nouvelle démonstration"),
        (as_sponsor, f"/me/demos/{demo['id']}", "Proposer la démonstration"),
        (as_sponsor, "/me/profile", "Mon profil"),
        (as_expert, "/me/payouts", "Mes reversements"),
        (as_expert, f"/me/trainings/{training['id']}", "Copier la formation"),
    ]
    for browser, path, words in pages:
        page = browser.get(base + path, headers=FRENCH)
        assert page.status_code == 200 and '<html lang="fr">' in page.text, path
        assert words in page_text(page.text), path


def _days(ahead: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=ahead)).isoformat()
