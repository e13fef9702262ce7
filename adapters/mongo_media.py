"""MongoDB GridFS: the bytes of the pictures, by media id, each tagged with whom it belongs to.

A media id is a random UUID (not an ObjectId, whose time and counter parts can be guessed): the
URL of a draft training's photo is known only to whom it was shown. Stored images never change,
so their digest, kept with them, is a strong ETag for as long as the id lives.

SecantusDB (the development and test server) runs GridFS as pymongo writes it, chunks then the
file document; nothing here depends on which server answers.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

import gridfs
from pymongo import ASCENDING
from pymongo.database import Database

from core.ports import EncodedImage, StoredMedia

BUCKET = "fs"
_CHUNK_BYTES = 255 * 1024  # GridFS's default: a 1600-pixel JPEG is one to three chunks


def create_media_indexes(db: Database) -> None:
    """GridFS's own indexes (created here rather than on the first upload) and the owner's."""
    db[f"{BUCKET}.chunks"].create_index([("files_id", ASCENDING), ("n", ASCENDING)], unique=True)
    db[f"{BUCKET}.files"].create_index([("filename", ASCENDING), ("uploadDate", ASCENDING)])
    db[f"{BUCKET}.files"].create_index("metadata.owner_id", name="media_owner")


class GridFSMedia:
    """The ``MediaStore`` port on a GridFS bucket."""

    def __init__(self, db: Database) -> None:
        self._bucket = gridfs.GridFSBucket(db, bucket_name=BUCKET, chunk_size_bytes=_CHUNK_BYTES)
        self._files = db[f"{BUCKET}.files"]

    def put(self, image: EncodedImage, owner_id: str) -> str:
        """Chunks first, then the file document: a file that is listed is complete."""
        media_id = uuid.uuid4().hex
        metadata = {
            "owner_id": owner_id, "content_type": image.content_type, "width": image.width, "height": image.height,
            "sha256": hashlib.sha256(image.data).hexdigest(),
        }  # fmt: skip
        self._bucket.upload_from_stream_with_id(media_id, media_id, image.data, metadata=metadata)
        return media_id

    def get(self, media_id: str) -> StoredMedia | None:
        """The image's bytes (a few hundred KB at most: read whole)."""
        try:
            stored = self._bucket.open_download_stream(media_id)
        except gridfs.errors.NoFile:
            return None
        with stored:
            data = stored.read()
            metadata = stored.metadata or {}
        digest = metadata.get("sha256") or hashlib.sha256(data).hexdigest()
        return StoredMedia(media_id, data, metadata.get("content_type", "application/octet-stream"), digest)

    def delete(self, media_ids: Iterable[str]) -> None:
        """The file document, then its chunks (GridFS's order: a half-deleted file is no longer listed)."""
        for media_id in media_ids:
            try:
                self._bucket.delete(media_id)
            except gridfs.errors.NoFile:
                continue  # deleted already (a retry); GridFS removed any chunks left all the same

    def delete_owned_by(self, owner_id: str) -> int:
        """On the owner's index."""
        ids = [doc["_id"] for doc in self._files.find({"metadata.owner_id": owner_id}, {"_id": 1})]
        self.delete(ids)
        return len(ids)
