"""Notifications put into words with Jinja2 templates: a plain-text and an HTML part per e-mail.

Templates live in ``adapters/email_templates``: ``{kind}.txt`` and ``{kind}.html`` (for example
``booking.confirmed.html``), else ``default.txt`` and ``default.html``; all extend ``base.*``.
Their words are marked (``_()``, ``{% trans %}``) and said in the recipient's language: one Jinja
environment per language, with that language's catalogue (``adapters.l10n``) and its ``money``,
``local``, ``zone_label`` and ``number`` filters. The subject and body come worded already.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from adapters import l10n
from core.ports import RenderedEmail

TEMPLATES_DIR = Path(__file__).parent / "email_templates"

# Keys core may leave out: the templates test them, so they need a value (StrictUndefined
# would raise on the test itself); every other key must be there.
_OPTIONAL: dict[str, Any] = {
    "action": None, "training": None, "codes": None, "has_invitation": False, "has_cancellation": False,
    "unsubscribe_url": None, "category_label": "",
}  # fmt: skip
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")
_PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t]*\r?\n")


class JinjaEmailRenderer:
    """Implements ``EmailRenderer`` with the Jinja2 templates of a directory."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        self._dir = templates_dir or TEMPLATES_DIR
        self._envs: dict[str, Environment] = {}  # made on a language's first e-mail: its catalogue is read then

    def render(self, kind: str, context: Mapping[str, Any], locale: str | None = None) -> RenderedEmail:
        """Render ``kind``'s templates (or the default ones) in ``locale``'s words; the subject is
        ``context["title"]``.

        Raises ``jinja2.UndefinedError`` when the context lacks a key a template uses.
        """
        lang = l10n.supported(locale)
        if lang not in self._envs:
            self._envs[lang] = _environment(self._dir, lang)
        env = self._envs[lang]
        values = {**_OPTIONAL, **context}
        text = env.select_template([f"{kind}.txt", "default.txt"]).render(values)
        html = env.select_template([f"{kind}.html", "default.html"]).render(values)
        # Block tags and empty optional sections leave runs of blank lines in the text part.
        text = _BLANK_LINES.sub("\n\n", text).strip() + "\n"
        # One line, as a header must be; the no-break spaces of French typography stay.
        subject = _SPACES.sub(" ", str(context["title"])).strip()
        return RenderedEmail(subject=subject, text=text, html=html)


def _environment(templates_dir: Path, lang: str) -> Environment:
    """The templates as a reader of ``lang`` reads them: its catalogue, its money, dates and numbers."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        undefined=StrictUndefined,
        # Only HTML needs escaping; escaping the text part would show "&amp;" to readers.
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(l10n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    wording = l10n.wording(lang)
    env.globals["lang"] = lang
    env.filters["paragraphs"] = paragraphs
    env.filters["http_url"] = http_url
    env.filters["money"] = wording.money
    env.filters["local"] = wording.local
    env.filters["zone_label"] = wording.zone_label
    env.filters["number"] = wording.number
    return env


def paragraphs(body: str) -> list[str]:
    """The paragraphs of ``body``: blocks of text separated by a blank line."""
    return [part.strip() for part in _PARAGRAPH_BREAK.split(body.strip()) if part.strip()]


def http_url(url: str) -> str:
    """``url`` if it is an http(s) link; refuses anything a mail client could run (``javascript:``)."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ValueError(f"not an http(s) link: {url!r}")
    return url
