"""Words marked for translation without translating them here: core speaks English, its readers' languages
are the adapters' business (``adapters/l10n.py`` for e-mails and certificates, Flask-Babel for pages).

``N_("Choose from the list.")`` is the message itself; extraction finds it, so the catalogue holds
its French, and whatever shows the message translates it for its reader (``gettext(message)``).
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name, which extraction looks for
    """``message`` unchanged, marked for the catalogue."""
    return message
