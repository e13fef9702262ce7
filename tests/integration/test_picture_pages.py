"""The expert's picture forms on the web (plain multipart forms, no JavaScript) and the pages showing them."""

from __future__ import annotations

import re

import pytest

from tests.support import Stack, page_text
from tests.support.images import opened, picture

pytestmark = pytest.mark.workers()


def _imgs(html: str) -> list[dict[str, str]]:
    """Every <img> of a page, by attribute."""
    return [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<img\b[^>]*>", html)]


def test_an_expert_uploads_a_portrait_and_photos_through_the_forms(stack: Stack) -> None:
    expert = stack.api.expert("Dr Grace Hopper")
    training = stack.api.published_training(expert)
    web, csrf = stack.api.web_session(expert["email"])
    base = stack.api.base_url

    page = web.get(f"{base}/me/portrait")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    sent = web.post(f"{base}/me/portrait", data={"csrf": csrf, "alt": "Dr Hopper at the console"},
                    files={"portrait": ("me.jpg", picture("JPEG", (1200, 1600)))})  # fmt: skip
    assert sent.status_code == 200 and sent.url.endswith("/me/portrait")  # after the redirect
    shown = [i for i in _imgs(sent.text) if i.get("alt") == "Dr Hopper at the console"]
    assert shown and shown[0]["width"] == "384" and shown[0]["height"] == "512"
    assert opened(web.get(base + shown[0]["src"]).content).size == (384, 512)

    no_alt = web.post(f"{base}/me/trainings/{training['id']}/photos", data={"csrf": csrf, "alt": ""},
                      files={"photo": ("lab.jpg", picture("JPEG", (800, 600)))})  # fmt: skip
    assert no_alt.status_code == 422 and 'id="alt-error"' in no_alt.text
    refused = web.post(f"{base}/me/trainings/{training['id']}/photos", data={"csrf": csrf, "alt": "Notes"},
                       files={"photo": ("notes.txt", b"just some notes")})  # fmt: skip
    assert refused.status_code == 422
    assert 'id="photo-error"' in refused.text and "Not an image" in page_text(refused.text)
    added = web.post(f"{base}/me/trainings/{training['id']}/photos", data={"csrf": csrf, "alt": "The wet lab"},
                     files={"photo": ("lab.webp", picture("WEBP", (2000, 1500)))})  # fmt: skip
    assert added.status_code == 200 and "The wet lab" in added.text  # back on the expert's training page

    card = [i for i in _imgs(web.get(f"{base}/").text) if i.get("alt") == "The wet lab"]
    assert card and (card[0]["width"], card[0]["height"]) == ("480", "360")  # the small one, on the card
    detail = [i for i in _imgs(web.get(f"{base}/trainings/{training['id']}").text) if i.get("alt") == "The wet lab"]
    assert detail and (detail[0]["width"], detail[0]["height"]) == ("1600", "1200") and "srcset" in detail[0]
    own_page = web.get(f"{base}/experts/{expert['id']}").text
    assert any(i.get("alt") == "Dr Hopper at the console" for i in _imgs(own_page))

    # In French, the page and a refusal beside its field (the core's words, from the catalogue).
    french = web.get(f"{base}/me/portrait", headers={"Accept-Language": "fr"})
    assert "Mon portrait" in page_text(french.text) and "Retirer mon portrait" in page_text(french.text)
    refused = web.post(f"{base}/me/portrait", data={"csrf": csrf}, headers={"Accept-Language": "fr"},
                       files={"portrait": ("notes.txt", b"just some notes")})  # fmt: skip
    assert refused.status_code == 422 and "Ce n’est pas une image" in page_text(refused.text)

    photo_id = stack.api.call("GET", f"/api/v1/trainings/{training['id']}").json()["photos"][0]["id"]
    removed = web.post(f"{base}/me/trainings/{training['id']}/photos/{photo_id}",
                       data={"csrf": csrf, "action": "remove"})  # fmt: skip
    assert removed.status_code == 200 and "No photo yet." in page_text(removed.text)
    assert stack.db.fs.files.count_documents({}) == 2  # the portrait's two images only


def test_an_oversized_upload_gets_a_page_naming_the_limit(stack: Stack) -> None:
    expert = stack.api.expert()
    web, csrf = stack.api.web_session(expert["email"])
    answer = web.post(f"{stack.api.base_url}/me/portrait", data={"csrf": csrf},
                      files={"portrait": ("big.jpg", b"\xff\xd8" + b"\0" * (7 * 1024 * 1024))})  # fmt: skip
    assert answer.status_code == 413 and answer.headers["Content-Type"].startswith("text/html")
    assert "at most 5 MB" in page_text(answer.text)
    trainee = stack.api.user("trainee")
    web, csrf = stack.api.web_session(trainee["email"])
    assert web.get(f"{stack.api.base_url}/me/portrait").status_code == 403
