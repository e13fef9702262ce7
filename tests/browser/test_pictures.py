"""An expert, in Chromium: uploads a portrait and a training photo through the forms, and sees them
loaded on the catalogue's card, the training's page and their own page."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.support import Stack
from tests.support.images import picture


def _loaded_width(image: Locator) -> int:
    """The width the browser decoded the image at (0 if it did not load)."""
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()
    page = image.page
    page.wait_for_function("i => i.complete", arg=image.element_handle())
    return int(image.evaluate("i => i.naturalWidth"))


def test_an_expert_uploads_a_portrait_and_a_photo_and_sees_them_everywhere(stack: Stack, page: Page) -> None:
    api, base = stack.api, stack.api.base_url
    expert = api.expert("Dr Marie Curie")
    training = api.published_training(expert, title="Radiology, hands-on")
    sign_in(page, base, expert["email"])

    page.get_by_role("link", name="Credentials").click()
    page.get_by_role("link", name="Add my portrait").click()
    page.get_by_label("Your portrait").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a picture"}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#portrait-error")).to_contain_text("Not an image")  # beside the field
    page.get_by_label("Your portrait").set_input_files(
        {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": picture("JPEG", (900, 1200), orientation=6)}
    )
    page.get_by_label("Description (optional)").fill("Dr Curie in the lab")
    page.get_by_role("button", name="Upload").click()
    portrait = page.get_by_role("img", name="Dr Curie in the lab")
    assert _loaded_width(portrait) == 512  # turned upright by its EXIF: the long side is now the width

    page.get_by_role("link", name="My trainings").click()
    page.get_by_role("link", name="Radiology, hands-on").click()
    page.get_by_label("Add a photo").set_input_files(
        {"name": "room.png", "mimeType": "image/png", "buffer": picture("PNG", (2400, 1800))}
    )
    page.get_by_label("What it shows").fill("The reading room with its four screens")
    page.get_by_role("button", name="Add the photo").click()
    expect(page.get_by_role("heading", name="Photos (1 of 8)")).to_be_visible()
    screenshot(page, "expert-training-photos")

    page.goto(f"{base}/")
    card = page.locator(".card", has_text="Radiology, hands-on")
    thumb = card.get_by_role("img", name="The reading room with its four screens")
    assert _loaded_width(thumb) == 480  # the small rendition on the card
    screenshot(page, "catalogue-with-photo")

    page.goto(f"{base}/trainings/{training['id']}")
    gallery = page.get_by_role("img", name="The reading room with its four screens")
    assert _loaded_width(gallery) > 0  # whichever rendition its srcset picked for this window
    assert "/media/" in gallery.evaluate("i => i.currentSrc")
    assert _loaded_width(page.get_by_role("img", name="Dr Curie in the lab")) == 128  # beside the expert's name

    page.goto(f"{base}/experts/{expert['id']}")
    assert _loaded_width(page.get_by_role("img", name="Dr Curie in the lab")) == 512
    thumb = page.get_by_role("img", name="The reading room with its four screens")
    assert _loaded_width(thumb) == 480
    screenshot(page, "expert-page-with-portrait")
