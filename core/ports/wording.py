"""Port: words, money and dates in one reader's language, for what the core words itself
(notifications, e-mails, calendar files, certificates). ``adapters/l10n.py`` implements it over Babel.

The core's words are English literals marked with ``N_`` (``core.words``); a ``Wording`` turns
such a literal into its reader's language (``gettext``) and formats the facts around it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Wording(Protocol):
    """One language's words and formats."""

    @property
    def locale(self) -> str:
        """The language this wording speaks (``en``, ``fr``)."""

    def gettext(self, message: str) -> str:
        """``message`` (an ``N_``-marked English msgid) in this language; unknown text as it is."""

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of the message for ``n``, in this language."""

    def money(self, amount: int, currency: str) -> str:
        """Minor units as this language writes them: ``€472.50``, ``472,50 €``."""

    def local(self, when: datetime | None, zone: str | None, style: str = "day") -> str:
        """A UTC instant on the venue's clock (``zone``), in ``style``: day|date|date_short|time|datetime|day_time."""

    def zone_label(self, when: datetime | None, zone: str | None) -> str:
        """The clock a venue's times are read on: ``Europe/Paris time (CET, UTC+01:00)``."""

    def number(self, value: float) -> str:
        """A number as this language writes it: ``7.5``, ``7,5``."""


class Wordings(Protocol):
    def __call__(self, locale: str | None) -> Wording:
        """The wording of ``locale`` (a person's ``User.locale``); None or a language we do not speak: the default."""
