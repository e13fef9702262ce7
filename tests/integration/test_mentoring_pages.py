"""The mentoring pages over HTTP: my learning goals, what fits them, the experts' directory and an expert's page."""

from __future__ import annotations

import pytest

from tests.support import Stack, csrf_of, page_text, wait_for

pytestmark = pytest.mark.workers()


def test_a_trainee_sets_goals_on_the_web_and_sees_what_fits(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Dr Claire Martin")
    tavi = api.published_training(expert, title="TAVI for fellows", technique="TAVI", levels=["fellow"])
    anna = api.user("trainee", "Anna Karlsson")
    web, csrf = api.web_session(anna["email"])
    base = api.base_url

    empty = web.get(f"{base}/me/recommendations")
    assert empty.status_code == 200 and "set my learning goals" in page_text(empty.text)

    form = {"csrf": csrf, "techniques": "TAVR", "specialties": "", "level": "fellow", "languages": "fr, EN",
            "countries": "fr", "budget": "lots", "currency": "eur"}  # fmt: skip
    refused = web.post(f"{base}/me/goals", data=form)
    assert refused.status_code == 422
    assert 'id="budget-error">A whole amount, e.g. 1500.</p>' in refused.text and 'aria-invalid="true"' in refused.text
    assert api.call("GET", "/api/v1/me/goals", anna["token"]).json()["updated_at"] is None  # nothing saved
    saved = web.post(f"{base}/me/goals", data={**form, "budget": "1500", "csrf": csrf_of(refused.text)})
    assert saved.status_code == 200 and "Saved." in page_text(saved.text)
    assert 'value="fr, en"' in saved.text and 'value="FR"' in saved.text and 'value="1500"' in saved.text
    stored = api.call("GET", "/api/v1/me/goals", anna["token"]).json()
    assert stored["languages"] == ["fr", "en"] and stored["budget"] == {"amount": 150_000, "currency": "eur"}

    def fits() -> str | None:
        text = page_text(web.get(f"{base}/me/recommendations").text)
        return text if "TAVI for fellows" in text else None

    text = wait_for(fits, timeout=10, what="the TAVI session recommended")
    for reason in ("TAVR is one of your goals", "Taught in French", "Meant for fellows like you",
                   "Within your budget of €1,500.00", "Teaches TAVI, in line with your goals"):  # fmt: skip
        assert reason in text
    assert f'href="/trainings/{tavi["id"]}"' in web.get(f"{base}/me/recommendations").text


def test_the_experts_directory_and_an_experts_page(stack: Stack) -> None:
    api = stack.api
    expert = api.expert("Dr Claire Martin")
    api.call("PATCH", "/api/v1/me", expert["token"], json={
        "specialty": "interventional cardiology", "institution": "Hôpital Européen", "country": "FR",
        "languages": ["fr", "en"], "bio": "<script>alert('x')</script> Twenty years of TAVI.",
    })  # fmt: skip
    tavi = api.published_training(expert, title="TAVI for fellows", technique="TAVI")
    pending = api.user("expert", "Dr Pending")
    base = api.base_url

    listed = wait_for(lambda: (p := api.http.get(f"{base}/experts?technique=tavi")) and "TAVI for fellows" in p.text
                      and p, timeout=10, what="the expert listed with the session")  # fmt: skip
    text = page_text(listed.text)
    assert "Dr Claire Martin" in text and "1 expert" in text and "France" in text and "Dr Pending" not in text
    nothing = page_text(api.http.get(f"{base}/experts?technique=prostatectomy").text)
    assert "0 experts" in nothing and "No expert matches" in nothing
    refused = api.http.get(f"{base}/experts?country=France")
    assert refused.status_code == 400 and 'id="country-error"' in refused.text

    page = api.http.get(f"{base}/experts/{expert['id']}")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Verified expert" in text and "Interventional cardiology" in text and "French, English" in text
    assert f'href="/trainings/{tavi["id"]}"' in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text  # the bio is shown as typed, escaped
    assert api.http.get(f"{base}/experts/{pending['id']}").status_code == 404  # not verified: no public page
    training_page = api.http.get(f"{base}/trainings/{tavi['id']}").text
    assert f'href="/experts/{expert["id"]}"' in training_page
