"""Words the pages make from data, in the reader's language: language and country names (Babel's, or
the core's English ones), a trainee's stage, and the reasons a recommendation gives (``core.reasons``)."""

from __future__ import annotations

from babel import Locale
from flask_babel import format_decimal, gettext, lazy_gettext

from api.i18n import money, page_locale
from api.web.blueprint import blp
from core import names
from core.reasons import Named, Reason

# Where a trainee says they are (core.goals.LEVELS), as the goals form words it.
LEVEL_WORDS = {"resident": lazy_gettext("Resident"), "fellow": lazy_gettext("Fellow"),
               "specialist": lazy_gettext("Specialist"), "senior": lazy_gettext("Senior")}  # fmt: skip


# The people at each stage, as a reason names them ("Meant for fellows like you").
LEVEL_PLURAL_WORDS = {
    "resident": lazy_gettext("residents"), "fellow": lazy_gettext("fellows"),
    "specialist": lazy_gettext("specialists"), "senior": lazy_gettext("senior operators"),
}  # fmt: skip


@blp.app_template_global()
def reason_words(reason: str) -> str:
    """Why something fits, in this page's language (a reason made otherwise keeps its words)."""
    if not isinstance(reason, Reason):
        return reason
    return gettext(reason.message, **{k: _fact_words(v) for k, v in reason.facts.items()})


def _fact_words(fact: object) -> object:
    if not isinstance(fact, Named):
        return fact
    if fact.kind == "language":
        return language_name(fact.value)
    if fact.kind == "country":
        return country_name(fact.value)
    if fact.kind == "money":
        return money(*fact.value)
    if fact.kind == "level":
        return str(LEVEL_PLURAL_WORDS.get(fact.value, fact.value))
    return format_decimal(fact.value, "0.0")  # a rating


@blp.app_template_global()
def language_name(code: str) -> str:
    """A language code as this page's reader names the language: 'fr' -> 'French', 'français'."""
    if page_locale() == "en":
        return names.language_name(code)
    return str(Locale.parse(page_locale()).languages.get(code.lower(), code))


@blp.app_template_global()
def country_name(code: str) -> str:
    """A country code as this page's reader names the country: 'GB' -> 'the United Kingdom', 'Royaume-Uni'."""
    if page_locale() == "en":
        return names.country_name(code)
    return str(Locale.parse(page_locale()).territories.get(code.upper(), code))
