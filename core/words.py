"""Words marked for translation without translating them here: core speaks English, its readers' languages
are the adapters' business (``adapters/l10n.py`` for e-mails and certificates, Flask-Babel for pages).

``N_("Choose from the list.")`` is the message itself; extraction finds it, so the catalogue holds
its French, and whatever shows the message translates it for its reader (``gettext(message)``).
"""

from __future__ import annotations

from datetime import date


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name, which extraction looks for
    """``message`` unchanged, marked for the catalogue."""
    return message


class Worded(str):
    """A message made of a marked template and its facts: the English as any ``str`` (the API's
    answers, the logs), and for a reader of another language, ``template`` and ``facts`` to word it
    again (``api/web/blueprint.translated``). A date fact reads as a date, a state as its word.

    ``raise NotFound(Worded(N_("No training %(id)s."), id=training_id))``
    """

    template: str
    facts: dict[str, object]

    def __new__(cls, template: str, **facts: object) -> Worded:
        worded = super().__new__(cls, template % {name: english(fact) for name, fact in facts.items()})
        worded.template, worded.facts = template, facts
        return worded


def english(fact: object) -> str:
    """A fact as the English messages write it: a day as ``07 December 2026``, anything else as text."""
    if isinstance(fact, date):
        return f"{fact:%d %B %Y}"
    return str(fact)


# The states messages name, marked for the catalogue (a booking's; a training's are marked where shown).
STATE_WORDS = (
    N_("requested"), N_("pending_approval"), N_("held"), N_("waitlisted"), N_("confirmed"), N_("rejected"),
    N_("expired"), N_("cancelled"), N_("closed"), N_("draft"), N_("published"), N_("completed"),
    N_("unverified"), N_("pending"), N_("verified"), N_("withdrawn"),
)  # fmt: skip
