"""A reason a person reads (why a training or an expert fits their goals), in English and in any other language.

A ``Reason`` is the English sentence itself (a ``str``: the API, the logs and the tests read it as
they always did) that also keeps the marked message it was made from and its facts, so a page in
another language words it again: ``gettext(reason.message) % facts``, each ``Named`` fact named
the reader's way (a language, a country, a sum of money, a trainee's stage, a rating).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.fees import money_text
from core.names import country_name, language_name

# A trainee's stage (core.goals.LEVELS) as a sentence names the people at it.
LEVEL_PLURALS = {
    "resident": "residents",
    "fellow": "fellows",
    "specialist": "specialists",
    "senior": "senior operators",
}


@dataclass(frozen=True)
class Named:
    """A fact each language names its own way: ``kind`` is language (a code), country (a code),
    money (``(amount, currency)`` in minor units), level (one of LEVELS) or rating (an average)."""

    kind: str
    value: Any

    def english(self) -> str:
        """The fact as the English sentence says it."""
        if self.kind == "language":
            return language_name(self.value)
        if self.kind == "country":
            return country_name(self.value)
        if self.kind == "money":
            return money_text(*self.value)
        if self.kind == "level":
            return str(LEVEL_PLURALS.get(self.value, self.value))
        if self.kind == "rating":
            return f"{self.value:.1f}"
        raise ValueError(f"unknown kind of fact {self.kind!r}")


class Reason(str):
    """The English sentence, with the ``message`` (marked with ``N_``) and the ``facts`` it was made from."""

    message: str
    facts: dict[str, Any]

    def __new__(cls, message: str, **facts: Any) -> Reason:
        english = {k: v.english() if isinstance(v, Named) else v for k, v in facts.items()}
        made = super().__new__(cls, message % english)
        made.message, made.facts = message, facts
        return made

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:
        return (self.message,), dict(self.facts)  # copied or pickled, it is made again from its parts
