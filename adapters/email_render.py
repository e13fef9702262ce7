"""Notifications put into words with Jinja2 templates: a plain-text and an HTML part per e-mail.

Templates live in ``adapters/email_templates``: ``{kind}.txt`` and ``{kind}.html`` (for example
``booking.confirmed.html``), else ``default.txt`` and ``default.html``; all extend ``base.*``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.ports import RenderedEmail

TEMPLATES_DIR = Path(__file__).parent / "email_templates"

# Keys core may leave out: the templates test them, so they need a value (StrictUndefined
# would raise on the test itself); every other key must be there.
_OPTIONAL: dict[str, Any] = {
    "action": None, "training": None, "codes": None, "has_invitation": False, "has_cancellation": False,
    "unsubscribe_url": None, "category_label": "",
}  # fmt: skip
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")
_PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t]*\r?\n")


class JinjaEmailRenderer:
    """Implements ``EmailRenderer`` with the Jinja2 templates of a directory."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        self._env = Environment(
            loader=FileSystemLoader(str(templates_dir or TEMPLATES_DIR)),
            undefined=StrictUndefined,
            # Only HTML needs escaping; escaping the text part would show "&amp;" to readers.
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["paragraphs"] = paragraphs
        self._env.filters["http_url"] = http_url

    def render(self, kind: str, context: Mapping[str, Any]) -> RenderedEmail:
        """Render ``kind``'s templates (or the default ones); the subject is ``context["title"]``.

        Raises ``jinja2.UndefinedError`` when the context lacks a key a template uses.
        """
        values = {**_OPTIONAL, **context}
        text = self._env.select_template([f"{kind}.txt", "default.txt"]).render(values)
        html = self._env.select_template([f"{kind}.html", "default.html"]).render(values)
        # Block tags and empty optional sections leave runs of blank lines in the text part.
        text = _BLANK_LINES.sub("\n\n", text).strip() + "\n"
        subject = " ".join(str(context["title"]).split())
        return RenderedEmail(subject=subject, text=text, html=html)


def paragraphs(body: str) -> list[str]:
    """The paragraphs of ``body``: blocks of text separated by a blank line."""
    return [part.strip() for part in _PARAGRAPH_BREAK.split(body.strip()) if part.strip()]


def http_url(url: str) -> str:
    """``url`` if it is an http(s) link; refuses anything a mail client could run (``javascript:``)."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ValueError(f"not an http(s) link: {url!r}")
    return url
