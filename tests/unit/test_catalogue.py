"""Every word a person reads is in the catalogue, translated: the pages, the e-mails, the certificates.

Two ways a word escapes translation, and a test for each: a template holds bare text that no
``_()`` marks (so extraction never sees it), or a marked message has no French in the ``.po``
(so French readers get English). The compiled catalogue is the one ``make install`` builds.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

from adapters import l10n

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = (ROOT / "api" / "templates", ROOT / "adapters" / "email_templates")
FRENCH = ROOT / "locales" / "fr" / "LC_MESSAGES" / "messages.po"

# Jinja's own syntax: comments, expressions and statements say nothing to a reader by themselves
# (what an expression prints is checked where its words come from); a trans block is marked.
_TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
_JINJA = re.compile(r"{#.*?#}|{{.*?}}|{%.*?%}", re.S)
_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word, not "·", "—", "%" or "x2"
# Attributes a person reads (or hears, from a screen reader).
_READ_ATTRIBUTES = frozenset({"alt", "title", "placeholder", "aria-label", "aria-description", "label"})
# Text that is the same in every language: the product's marks, units and codes.
_UNTRANSLATED = frozenset({"CVC", "PDF", "CSV", "CME", "UTC", "API", "JSON", "iCal", "TAVI", "MM", "YY"})


def _blank(match: re.Match[str]) -> str:
    """The match as spaces and its newlines: the text keeps its line numbers and loses its words."""
    return re.sub(r"[^\n]", " ", match.group(0))


class _BareText(HTMLParser):
    """Collects text and read attributes that still hold words once Jinja's syntax is blanked."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0  # inside <script> or <style>: code, not words (scripts take theirs from data- attributes)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            readable = name in _READ_ATTRIBUTES or name.startswith("data-msg") or (
                name == "value" and dict(attrs).get("type") in ("submit", "button", "reset")
            )  # fmt: skip
            if readable and value:
                self._words(f"{name}={value!r}", value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._words(data.strip(), data)

    def _words(self, shown: str, text: str) -> None:
        if any(word not in _UNTRANSLATED for word in _WORD.findall(text)):
            self.found.append((self.getpos()[0], " ".join(shown.split())[:80]))


def bare_text(source: str, html: bool) -> list[tuple[int, str]]:
    """(line, text) of every word in a template that no ``_()`` or ``{% trans %}`` marks."""
    blanked = _JINJA.sub(_blank, _TRANS_BLOCK.sub(_blank, source))
    if not html:  # a plain-text e-mail: every line is read
        return [(n, " ".join(line.split())[:80]) for n, line in enumerate(blanked.splitlines(), 1)
                if any(w not in _UNTRANSLATED for w in _WORD.findall(line))]  # fmt: skip
    parser = _BareText()
    parser.feed(blanked)
    parser.close()
    return parser.found


def _templates() -> list[Path]:
    return sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*") if p.suffix in (".html", ".txt"))


def test_no_template_holds_a_word_left_out_of_the_catalogue() -> None:
    bare = [f"{path.relative_to(ROOT)}:{line}: {text}"
            for path in _templates() for line, text in bare_text(path.read_text(), path.suffix == ".html")]  # fmt: skip
    assert not bare, f"{len(bare)} text(s) not marked for translation:\n" + "\n".join(bare)


def _translated(string: str | tuple[str, ...]) -> bool:
    """A translation given, every plural form of it too (French has three)."""
    return all(string) if isinstance(string, tuple | list) else bool(string)


def test_every_marked_message_has_its_french_in_the_catalogue() -> None:
    with FRENCH.open("rb") as f:
        french = read_po(f, locale="fr")
    marked = l10n.extract_messages()
    missing = [str(m.id) for m in marked if m.id and (m.id not in french or not _translated(french[m.id].string))]
    hint = "run `make catalogue`, then translate"
    assert not missing, f"{len(missing)} message(s) without French ({hint}):\n" + "\n".join(map(repr, missing))
    fuzzy = [str(m.id) for m in french if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy (unchecked) translations: {fuzzy}"


def test_each_french_translation_keeps_the_placeholders_of_its_english() -> None:
    with FRENCH.open("rb") as f:
        french = read_po(f, locale="fr")
    wrong = [(message.id, errors) for message, errors in french.check()]
    assert not wrong, f"placeholders differ: {wrong}"


def test_the_checker_finds_bare_text_and_accepts_marked_text() -> None:
    """The two tests above are only as good as this: bare words are found, marked ones are not."""
    page = """<p>{{ _("Marked") }} Bare words</p>
<button title="Unmarked title">{{ _("Go") }}</button> {% trans %}A marked block{% endtrans %}
<img alt="{{ _('Marked alt') }}"> <input type="submit" value="Send now"> {# a comment #} · 12 €
<script>const label = "Code, not read";</script> <p>{{ price | money(currency) }} CME</p>"""
    found = bare_text(page, html=True)
    assert [text for _line, text in found] == ["Bare words", "title='Unmarked title'", "value='Send now'"]
    assert [line for line, _text in found] == [1, 2, 3]
    mail = "Hello {{ name }},\n{% trans %}Marked{% endtrans %}\nSee you soon\n-- \n{{ marketplace_name }}\n"
    assert bare_text(mail, html=False) == [(1, "Hello ,"), (3, "See you soon")]


def test_the_compiled_french_catalogue_is_the_one_in_git() -> None:
    """``make install`` compiled the .po the pages read: a page in French shows the French of the .po."""
    catalogue = l10n.translations("fr")
    assert catalogue.gettext("Sign in") == "Se connecter"
    assert not _translated(("un", "")) and _translated(("un", "des", "des")) and not _translated("")
    assert l10n.translations("en").gettext("Sign in") == "Sign in"
