"""The e-mail templates: every kind renders, escapes HTML, and refuses an incomplete context."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import pytest

from adapters.email_render import JinjaEmailRenderer
from core.ports import RenderedEmail

KINDS = ["booking.confirmed", "training.reminder", "vouchers.issued", "training.updated", "default"]
FIRST = (
    "Your seat is confirmed. You will spend the day next to the expert, scrubbed in, from the first case to the last."
)
SECOND = "Bring your own loupes if you have them."
VOID = {"br", "meta", "img", "hr", "input", "link", "col", "area", "base", "wbr", "source"}


def context(**overrides: Any) -> dict[str, Any]:
    """A complete context, as core builds it."""
    values: dict[str, Any] = {
        "kind": "booking.confirmed",
        "title": "Your booking is confirmed",
        "recipient_name": "Dr Ada Lovelace",
        "body": f"{FIRST}\n\n{SECOND}",
        "action": {"url": "https://marketplace.example.org/bookings/b-1", "label": "See your booking"},
        "training": {
            "title": "TAVI, step by step",
            "day_label": "Tuesday 13 January 2026",
            "starts": "08:00",
            "ends": "17:30",
            "timezone": "Europe/Paris time (CET, UTC+01:00)",  # core.venue_time.zone_label
            "institution": "Hôpital Européen Georges-Pompidou",
            "address": "20 rue Leblanc",
            "postal_code": "75015",
            "city": "Paris",
            "country": "FR",
            "programme": [
                {"start": "08:00", "end": "09:30", "title": "Case review", "description": "CT scans and access."},
                {"start": "09:30", "end": "17:30", "title": "Live cases"},
            ],
            "cme_credits": 7.5,
            "expert_name": "Prof. Marie Curie",
            "url": "https://marketplace.example.org/trainings/t-1",
        },
        "codes": ["SPONSOR-AB12", "SPONSOR-CD34"],
        "has_invitation": True,
        "preferences_url": "https://marketplace.example.org/me/notifications",
        "marketplace_name": "InSitu Marketplace",
    }
    values.update(overrides)
    return values


@pytest.fixture(scope="module")
def renderer() -> JinjaEmailRenderer:
    """The renderer on the shipped templates."""
    return JinjaEmailRenderer()


def flat(text: str) -> str:
    """Whitespace collapsed, so wrapped text can be searched for."""
    return " ".join(text.split())


class TagChecker(HTMLParser):
    """Records the open-tag stack; fails on a close tag that does not match."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.html_attrs: dict[str, str | None] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.html_attrs = dict(attrs)
        self._in_title = tag == "title"
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def check_html(html: str) -> TagChecker:
    """Parse ``html``; every tag must be closed in order."""
    checker = TagChecker()
    checker.feed(html)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    return checker


def assert_details(text: str) -> None:
    """The training's date, time, venue and credits are in ``text``."""
    flat_text = flat(text)
    for expected in [
        "details",
        "Tuesday 13 January 2026",
        "08:00-17:30, Europe/Paris time (CET, UTC+01:00)",
        "Hôpital Européen Georges-Pompidou",
        "20 rue Leblanc, 75015 Paris, FR",
        "Prof. Marie Curie",
        "CME credits: 7.5",
        "https://marketplace.example.org/trainings/t-1",
    ]:
        assert expected in flat_text, expected


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_body_details_codes_action_and_footer(renderer: JinjaEmailRenderer, kind: str) -> None:
    out = renderer.render(kind, context(kind=kind))
    assert isinstance(out, RenderedEmail)
    assert out.subject == "Your booking is confirmed"
    assert "Hello Dr Ada Lovelace," in out.text
    assert FIRST in flat(out.text) and SECOND in out.text
    # Two paragraphs stay two paragraphs.
    assert re.search(r"last\.\n\nBring", out.text)
    assert_details(out.text)
    for code in ("SPONSOR-AB12", "SPONSOR-CD34"):
        assert code in out.text and code in out.html
    assert "See your booking: https://marketplace.example.org/bookings/b-1" in out.text
    assert (
        "Why you got this / change which e-mails you receive: https://marketplace.example.org/me/notifications"
        in out.text
    )
    assert out.text.rstrip().splitlines()[-2] == "InSitu Marketplace"
    assert not re.search(r"</?[a-z][a-z0-9]*[\s>/]|&[a-z]+;", out.text), "HTML in the text part"
    assert "\n\n\n" not in out.text
    for line in out.text.splitlines():
        assert len(line) <= 78 or "https://" in line, line


@pytest.mark.parametrize("kind", KINDS)
def test_html_is_well_formed_and_accessible(renderer: JinjaEmailRenderer, kind: str) -> None:
    html = renderer.render(kind, context(kind=kind)).html
    checker = check_html(html)
    assert checker.html_attrs.get("lang") == "en"
    assert checker.title == "Your booking is confirmed"
    assert "max-width:600px" in html
    assert "<style" not in html and "<link" not in html and "<img" not in html and "<script" not in html
    assert '<p style="margin:0 0 16px 0;">Bring your own loupes if you have them.</p>' in html
    assert html.count("<p") >= 3  # greeting + the two body paragraphs, at least
    # The call to action is a link inside a coloured table cell (the "bulletproof" button).
    assert re.search(
        r'<td[^>]*bgcolor="#1d4ed8"[^>]*>\s*<a href="https://marketplace\.example\.org/bookings/b-1"', html
    )
    assert 'href="https://marketplace.example.org/me/notifications"' in html
    for expected in [
        "Tuesday 13 January 2026",
        "08:00&ndash;17:30",
        "Europe/Paris",
        "Prof. Marie Curie",
        "75015 Paris",
    ]:
        assert expected in html, expected


def test_booking_confirmed_has_the_programme_and_the_invitation_note(renderer: JinjaEmailRenderer) -> None:
    out = renderer.render("booking.confirmed", context())
    assert "08:00-09:30  Case review" in out.text and "09:30-17:30  Live cases" in out.text
    assert "CT scans and access." in out.text
    assert "Programme of the day" in out.html and "CT scans and access." in out.html
    assert "A calendar invitation is attached" in out.text and "A calendar invitation is attached" in out.html
    without = renderer.render("booking.confirmed", context(has_invitation=False))
    assert "calendar invitation" not in without.text and "calendar invitation" not in without.html


def test_reminder_says_when_to_arrive_where_and_the_programme(renderer: JinjaEmailRenderer) -> None:
    out = renderer.render("training.reminder", context(title="Tomorrow: TAVI, step by step"))
    text = flat(out.text)
    assert "the day starts at 08:00 (Europe/Paris time (CET, UTC+01:00)) at Hôpital Européen Georges-Pompidou" in text
    assert "arrive" in text
    assert "08:00-09:30 Case review" in text
    assert "Programme of the day" in out.html and "<strong>08:00</strong>" in out.html


def test_vouchers_are_listed_in_monospace(renderer: JinjaEmailRenderer) -> None:
    out = renderer.render("vouchers.issued", context(training=None, has_invitation=False))
    assert "Your codes:" in out.text
    assert re.search(r"^\s+SPONSOR-AB12$", out.text, re.MULTILINE)
    codes = re.findall(r"<code style=\"([^\"]*)\">([^<]*)</code>", out.html)
    assert [code for _, code in codes] == ["SPONSOR-AB12", "SPONSOR-CD34"]
    assert all("monospace" in style for style, _ in codes)
    assert "Training details" not in out.text


def test_update_highlights_the_new_details(renderer: JinjaEmailRenderer) -> None:
    out = renderer.render("training.updated", context(body="The expert moved the day to a new date."))
    assert "The expert moved the day to a new date." in out.text
    assert "The updated details" in out.text and "The updated details" in out.html
    assert "border-left:4px solid" in out.html
    assert_details(out.text)


def test_unknown_kind_falls_back_to_the_default(renderer: JinjaEmailRenderer) -> None:
    out = renderer.render("no.such.kind", context(kind="no.such.kind"))
    assert out == renderer.render("default", context(kind="no.such.kind"))
    assert "Programme of the day" not in out.text  # the default shows no programme...
    assert_details(out.text)  # ...but the details block


def test_optional_keys_may_be_left_out(renderer: JinjaEmailRenderer) -> None:
    ctx = context()
    for key in ("action", "training", "codes", "has_invitation"):
        del ctx[key]
    out = renderer.render("booking.confirmed", ctx)
    assert FIRST in flat(out.text)
    assert "Training details" not in out.text and "Training details" not in out.html
    assert "bgcolor" not in out.html and "<code" not in out.html
    check_html(out.html)


@pytest.mark.parametrize("key", ["title", "recipient_name", "body", "preferences_url", "marketplace_name"])
def test_a_missing_required_key_raises(renderer: JinjaEmailRenderer, key: str) -> None:
    ctx = context()
    del ctx[key]
    with pytest.raises(jinja2.UndefinedError):
        renderer.render("booking.confirmed", ctx)


def test_a_missing_key_of_the_training_raises(renderer: JinjaEmailRenderer) -> None:
    ctx = context()
    del ctx["training"]["day_label"]
    with pytest.raises(jinja2.UndefinedError):
        renderer.render("default", ctx)


def test_html_escapes_what_people_typed(renderer: JinjaEmailRenderer) -> None:
    evil = "<script>alert(1)</script>"
    training = {
        **context()["training"],
        "title": evil,
        "programme": [{"start": "08:00", "end": "09:00", "title": evil}],
    }
    ctx = context(title=f"Hello {evil}", recipient_name=evil, body=f"{evil}\n\n{evil}", training=training)
    for kind in KINDS:
        out = renderer.render(kind, ctx)
        assert "<script" not in out.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out.html
        assert "<title>Hello &lt;script&gt;" in out.html
        check_html(out.html)
        # The text part is not HTML: nothing to escape there.
        assert evil in out.text and "&lt;" not in out.text


def test_subject_is_the_title_on_one_line(renderer: JinjaEmailRenderer) -> None:
    out = renderer.render("default", context(title="Your booking\r\nis confirmed\n"))
    assert out.subject == "Your booking is confirmed"


def test_only_http_links(renderer: JinjaEmailRenderer) -> None:
    with pytest.raises(ValueError):
        renderer.render("default", context(action={"url": "javascript:alert(1)", "label": "Click"}))


def test_templates_dir_can_be_another_directory(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("T {% block content %}{% endblock %}\n")
    (tmp_path / "base.html").write_text("<p>{% block content %}{% endblock %}</p>\n")
    (tmp_path / "default.txt").write_text('{% extends "base.txt" %}{% block content %}{{ body }}{% endblock %}')
    (tmp_path / "default.html").write_text('{% extends "base.html" %}{% block content %}{{ body }}{% endblock %}')
    out = JinjaEmailRenderer(tmp_path).render("x", {"title": "S", "body": "a & b"})
    assert out == RenderedEmail(subject="S", text="T a & b\n", html="<p>a &amp; b</p>")
