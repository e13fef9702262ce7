"""Ports: turning an upload into clean images, and the store that keeps and serves their bytes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class EncodedImage:
    """An image re-encoded for the site: no metadata left, at most the size asked for."""

    data: bytes
    content_type: str  # image/jpeg, image/png or image/webp: the upload's own format
    width: int
    height: int


@dataclass(frozen=True)
class StoredMedia:
    """A stored image as it is served: its bytes and a digest of them (the ETag)."""

    media_id: str
    data: bytes
    content_type: str
    digest: str


class ImageEncoder(Protocol):
    def encode(self, data: bytes, field: str, longest_sides: Sequence[int]) -> list[EncodedImage]:
        """``data`` decoded (JPEG, PNG or WebP only), turned upright by its EXIF orientation and
        re-encoded without any metadata, once per size (its longest side at most that, never
        enlarged, aspect kept). Anything else raises ``ValidationError`` naming ``field``."""


class MediaStore(Protocol):
    def put(self, image: EncodedImage, owner_id: str) -> str:
        """Store the image for ``owner_id`` (the person or training it belongs to); its new media id."""

    def get(self, media_id: str) -> StoredMedia | None:
        """The stored image with this id, if any."""

    def delete(self, media_ids: Iterable[str]) -> None:
        """Remove these images (ids already gone are ignored)."""

    def delete_owned_by(self, owner_id: str) -> int:
        """Remove every image stored for ``owner_id`` (an account closed, say); how many there were."""
