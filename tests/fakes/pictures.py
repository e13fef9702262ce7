"""Fakes of the pictures' ports: an encoder that takes any bytes as a picture, and media in a dict."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence

from core.ports import EncodedImage, StoredMedia


class FakeImageEncoder:
    """Every upload is a square JPEG of each size asked for (the real one is tested on Pillow)."""

    def encode(self, data: bytes, field: str, longest_sides: Sequence[int]) -> list[EncodedImage]:
        """One rendition per size, carrying the upload's bytes."""
        return [EncodedImage(data, "image/jpeg", side, side) for side in longest_sides]


class FakeMedia:
    """Images by media id, with their owner (``rows``)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[EncodedImage, str]] = {}

    def put(self, image: EncodedImage, owner_id: str) -> str:
        """A new id for the image."""
        media_id = uuid.uuid4().hex
        self.rows[media_id] = (image, owner_id)
        return media_id

    def get(self, media_id: str) -> StoredMedia | None:
        """The image with this id."""
        found = self.rows.get(media_id)
        if found is None:
            return None
        image = found[0]
        return StoredMedia(media_id, image.data, image.content_type, hashlib.sha256(image.data).hexdigest())

    def delete(self, media_ids: Iterable[str]) -> None:
        """Forget these ids."""
        for media_id in media_ids:
            self.rows.pop(media_id, None)

    def delete_owned_by(self, owner_id: str) -> int:
        """Forget an owner's images."""
        owned = [k for k, (_, owner) in self.rows.items() if owner == owner_id]
        self.delete(owned)
        return len(owned)
