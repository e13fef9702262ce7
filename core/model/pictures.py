"""Pictures people look at: an expert's portrait and a training's photos, each in two sizes.

A picture is what the domain keeps: its renditions (the stored images, by media id) and the alt
text its author wrote. The bytes live in a media store (core/ports/pictures.py); a media id never
changes meaning, so a replaced picture gets new ids and caches may keep an id's bytes forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rendition:
    """One stored image of a picture, at one size."""

    media_id: str
    width: int
    height: int
    content_type: str


@dataclass(frozen=True)
class Picture:
    """A picture: ``large`` for its own page, ``small`` where many are shown (cards, lists)."""

    id: str
    alt: str
    large: Rendition
    small: Rendition

    @property
    def media_ids(self) -> list[str]:
        """Every stored image of this picture (what deleting it removes)."""
        return [self.large.media_id, self.small.media_id]

    @classmethod
    def from_doc(cls, doc: Any) -> Picture | None:
        """A picture from its stored form (``dataclasses.asdict``); itself if already one; None for none."""
        if doc is None or isinstance(doc, Picture):
            return doc
        return cls(id=doc["id"], alt=doc.get("alt", ""), large=Rendition(**doc["large"]),
                   small=Rendition(**doc["small"]))  # fmt: skip
