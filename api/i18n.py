"""The pages' language: Flask-Babel over the shared catalogues (``adapters/l10n.py``).

The language of a page is the signed-in person's choice (``User.locale``), else the one the
switcher stored in the session, else the best of the browser's ``Accept-Language``, else
English. Templates use ``_()`` and ``{% trans %}``; dates, times and money go through the
``local``, ``money`` and ``zone_label`` filters, which word them for that language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, request, session
from flask_babel import Babel, get_locale

from adapters import l10n


def select_locale() -> str:
    """The language of this request's page (see the module's docstring)."""
    from api.web.session import web_user  # the web package imports this module's filters

    user = web_user() if session.get("token") else None
    if user is not None and user.locale:
        return l10n.supported(user.locale)
    chosen = session.get("locale")
    if chosen:
        return l10n.supported(str(chosen))
    return request.accept_languages.best_match(l10n.LANGUAGES) or l10n.DEFAULT


def page_locale() -> str:
    """This request's language as a code (``en``, ``fr``)."""
    return str(get_locale() or l10n.DEFAULT)


def install(app: Flask) -> None:
    """Babel on the app, with the filters and names every template uses."""
    Babel(app, locale_selector=select_locale, default_translation_directories=str(l10n.LOCALES_DIR))
    app.add_template_filter(money, "money")
    app.add_template_filter(local, "local")
    app.add_template_filter(zone_label, "zone_label")
    app.add_template_filter(country, "country")
    app.context_processor(lambda: {"page_locale": page_locale, "languages": l10n.NAMES})


def money(amount: int | None, currency: str | None) -> str:
    """Minor units as this page's reader writes them: ``€1,200.00``, ``1 200,00 €``."""
    return l10n.money(amount, currency, page_locale())


def local(when: datetime | None, zone: str | None, style: str = "day") -> str:
    """A UTC instant on the venue's clock, worded for this page (``l10n.STYLES``)."""
    return l10n.local(when, zone, page_locale(), style)


def country(code: str | None) -> str:
    """A country code as an address names it for this page's reader: 'FR' -> 'France', 'DE' -> 'Allemagne'."""
    return l10n.country(code, page_locale())


def zone_label(when: Any, zone: str | None) -> str:
    """The clock a venue's times are read on, in this page's language."""
    return l10n.zone_label(when, zone, page_locale())
