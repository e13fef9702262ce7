"""Text normalisation for search: case- and accent-insensitive words."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")
# Words too common to narrow a search.
_STOP = frozenset({"a", "an", "and", "the", "of", "in", "on", "for", "to", "with", "de", "la", "le", "et", "des"})


def fold(text: str) -> str:
    """Lower case without accents: 'Hôpital Européen' -> 'hopital europeen'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def words(*texts: str | None) -> list[str]:
    """The distinct searchable words of the texts, in order of first appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(fold(text or "")):
            if word not in _STOP:
                seen.setdefault(word, None)
    return list(seen)
