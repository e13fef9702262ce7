"""Words, dates, times and money in the reader's language, with Babel: one place for every process.

The web pages (through Flask-Babel, ``api/i18n.py``), the e-mails the notifications worker
renders and the PDF certificates all read the same catalogues, ``locales/<lang>/LC_MESSAGES/
messages.mo``, which ``make install`` compiles from the ``.po`` files kept in git
(``python -m adapters.l10n compile``). English is the source language: its messages are the
msgids themselves, so an English reader needs no catalogue at all.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

from core.model import UI_LANGUAGES, zone_of
from core.venue_time import zone_parts

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = UI_LANGUAGES  # the first is the default and the source language
DEFAULT = LANGUAGES[0]
NAMES = {"en": "English", "fr": "Français"}  # each in its own language, as a switcher shows them


def supported(locale: str | None) -> str:
    """``locale`` if we speak it (``fr_FR`` reads as ``fr``), else the default."""
    language = (locale or "").replace("-", "_").split("_")[0].lower()
    return language if language in LANGUAGES else DEFAULT


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of ``locale`` (for English, none: the msgids are English)."""
    if supported(locale) == DEFAULT:
        return NullTranslations()
    found = Translations.load(str(LOCALES_DIR), [supported(locale)])
    if not isinstance(found, Translations):
        raise RuntimeError(f"no compiled catalogue for {locale!r} in {LOCALES_DIR}: run `make install`")
    return found


def money(amount: int | None, currency: str | None, locale: str) -> str:
    """Minor units as a reader of ``locale`` writes them: ``€1,200.00``, ``1 200,00 €``, ``₹1,20,000.00``."""
    if amount is None or not currency:
        return ""
    return format_currency(amount / 100, currency.upper(), locale=_babel_locale(locale, currency))


def _babel_locale(locale: str, currency: str) -> str:
    # Rupees are grouped the Indian way (lakhs and crores) for English readers too.
    return "en_IN" if supported(locale) == "en" and currency.lower() == "inr" else formats_of(locale)


# How each language writes dates, times and numbers: English the British way (day before month,
# a 24-hour clock, as hospitals do), French the French way.
FORMATS = {"en": "en_GB", "fr": "fr_FR"}


def formats_of(locale: str) -> str:
    """The Babel locale whose conventions ``locale``'s readers follow."""
    return FORMATS[supported(locale)]


def country(code: str | None, locale: str) -> str:
    """A country code as an address names it: ``FR`` -> ``France``; an unknown code as it is."""
    if not code:
        return ""
    return str(Locale.parse(formats_of(locale)).territories.get(code.upper(), code))


# How a page may show an instant, each as the locale words it.
STYLES = ("day", "date", "date_short", "time", "datetime", "day_time")


def local(when: datetime | None, zone: str | None, locale: str, style: str = "day") -> str:
    """A UTC instant on the venue's clock, in ``style``: ``Monday, 7 December 2026`` (``day``),
    ``7 December 2026`` (``date``), ``7 Dec 2026`` (``date_short``), ``14:30`` (``time``),
    ``7 December 2026, 14:30`` (``datetime``), ``7 December, 14:30`` (``day_time``); in French
    ``lundi 7 décembre 2026``, ``7 décembre 2026``, ``7 déc. 2026``, ``14:30``, ``7 décembre 2026 14:30``..."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    tz = zone_of(zone)
    moment = when.astimezone(tz) if tz else when
    lang = formats_of(locale)
    if style == "day":
        return format_date(moment, "full", locale=lang)
    if style == "date":
        return format_date(moment, "long", locale=lang)
    if style == "date_short":
        return format_date(moment, "medium", locale=lang)
    if style == "time":
        return format_time(moment, "short", locale=lang)
    if style in ("datetime", "day_time"):
        day = (
            format_date(moment, "long", locale=lang)
            if style == "datetime"
            else format_skeleton("MMMMd", moment, locale=lang)
        )
        pattern = get_datetime_format("medium", locale=Locale.parse(lang))
        return str(pattern).replace("{1}", day).replace("{0}", format_time(moment, "short", locale=lang))
    raise ValueError(f"unknown style {style!r}: one of {', '.join(STYLES)}")


def zone_label(when: datetime | None, zone: str | None, locale: str) -> str:
    """The clock a venue's times are read on, in the reader's words: ``Europe/Paris time (CET,
    UTC+01:00)``, ``heure de Europe/Paris (CET, UTC+01:00)`` (``core.venue_time`` says which parts)."""
    name, abbreviation, offset = zone_parts(when, zone)
    gettext = translations(locale).gettext
    if name is None:
        return offset or "UTC"
    if offset is None:
        return gettext("%(zone)s time") % {"zone": name}
    if abbreviation is None:
        return gettext("%(zone)s time (%(offset)s)") % {"zone": name, "offset": offset}
    return gettext("%(zone)s time (%(abbreviation)s, %(offset)s)") % {
        "zone": name, "abbreviation": abbreviation, "offset": offset,
    }  # fmt: skip


class Wording:
    """``core.ports.Wording`` for one language: the catalogue's words, Babel's money, dates and numbers.

    What the notifications worker and the PDF renderers word their reader's texts with (the pages
    go through Flask-Babel, on the same catalogue and the same functions)."""

    def __init__(self, locale: str) -> None:
        self.locale = supported(locale)
        self._catalogue = translations(self.locale)

    def gettext(self, message: str) -> str:
        """``message`` in this language (text no catalogue holds, such as what a person typed: as it is)."""
        return self._catalogue.gettext(message) if message else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form for ``n`` in this language."""
        return self._catalogue.ngettext(singular, plural, n)

    def money(self, amount: int, currency: str) -> str:
        """``€472.50``, ``472,50 €``."""
        return money(amount, currency, self.locale)

    def local(self, when: datetime | None, zone: str | None, style: str = "day") -> str:
        """An instant on the venue's clock, as ``local`` words it."""
        return local(when, zone, self.locale, style)

    def zone_label(self, when: datetime | None, zone: str | None) -> str:
        """The venue's clock, as ``zone_label`` words it."""
        return zone_label(when, zone, self.locale)

    def number(self, value: float) -> str:
        """``7.5``, ``7,5``: as many decimals as the value has, up to three."""
        return format_decimal(value, locale=formats_of(self.locale))


@cache
def wording(locale: str | None) -> Wording:
    """The ``Wording`` of a person's locale (None, or a language we do not speak: the default's);
    ``core.ports.Wordings``."""
    return Wording(supported(locale))


def compile_catalogues(directory: Path = LOCALES_DIR) -> list[Path]:
    """Compile every ``.po`` under ``directory`` to its ``.mo`` (what ``make install`` runs); the files written.

    An entry left untranslated shows in English; ``tests/unit/test_catalogue.py`` fails on one."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog)
        written.append(mo)
    return written


def extract_messages(root: Path = LOCALES_DIR.parent) -> Catalog:
    """Every message the code and the templates mark (``locales/babel.cfg``), as a template catalogue."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (LOCALES_DIR / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    template = Catalog(project=PROJECT, fuzzy=False)
    skipped = (".venv", ".data", ".cache", "node_modules", "tests", "bench")
    found = extract_from_dir(
        str(root), method_map, options_map, keywords=keywords, comment_tags=("TRANSLATORS:",), strip_comment_tags=True,
        directory_filter=lambda path: not Path(path).name.startswith(".") and Path(path).name not in skipped,
    )  # fmt: skip
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def update_catalogues() -> dict[str, list[str]]:
    """Merge the messages marked now into each language's ``.po`` (``make catalogue``): new ones
    empty for a translator, gone ones dropped, translations kept; the untranslated, by language."""
    from babel.messages.pofile import read_po, write_po

    template = extract_messages()
    left: dict[str, list[str]] = {}
    for language in LANGUAGES[1:]:
        po = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as f:
            catalog = read_po(f, locale=language)
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        catalog.obsolete.clear()
        catalog.creation_date = created  # the header stays put, so merging two branches' catalogues is easy
        catalog.revision_date = created
        with po.open("wb") as f:
            write_po(f, catalog, no_location=True, sort_output=True, width=110, ignore_obsolete=True)
        left[language] = [str(m.id) for m in catalog if m.id and not m.string]
    return left


PROJECT = "In-situ training marketplace"

if __name__ == "__main__":  # python -m adapters.l10n compile|update
    if sys.argv[1:] == ["compile"]:
        for path in compile_catalogues():
            print(f"compiled {path.relative_to(LOCALES_DIR.parent)}")
    elif sys.argv[1:] == ["update"]:
        for language, untranslated in update_catalogues().items():
            print(f"{language}: {len(untranslated)} message(s) to translate")
            for message in untranslated:
                print(f"  {message!r}")
    else:
        raise SystemExit("usage: python -m adapters.l10n compile|update")
