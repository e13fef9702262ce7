"""Contract of ``MediaStore`` (GridFS and its fake) and of a portrait on ``Users``: images kept by
id with their owner, deleted by id or by owner; a portrait replaced only from the one expected."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from adapters.mongo import MongoUsers
from adapters.mongo_media import GridFSMedia
from core import ports as p
from core.model import Picture, Rendition, Role, User
from core.ports import EncodedImage
from tests import fakes

JPEG = EncodedImage(b"\xff\xd8" + bytes(range(256)) * 1200 + b"\xff\xd9", "image/jpeg", 640, 480)  # two chunks


@pytest.fixture(params=["mongo", "fake"])
def media(request: pytest.FixtureRequest) -> p.MediaStore:
    if request.param == "mongo":
        return GridFSMedia(request.getfixturevalue("database"))
    return fakes.FakeMedia()


@pytest.fixture(params=["mongo", "fake"])
def users(request: pytest.FixtureRequest) -> p.Users:
    if request.param == "mongo":
        return MongoUsers(request.getfixturevalue("database"))
    return fakes.FakeUsers()


def test_an_image_is_read_back_whole_with_a_stable_digest(media: p.MediaStore) -> None:
    first = media.put(JPEG, "expert-1")
    again = media.put(JPEG, "expert-1")
    assert first != again and len(first) >= 32  # a new, unguessable id each time
    stored = media.get(first)
    assert stored is not None
    assert (stored.media_id, stored.data, stored.content_type) == (first, JPEG.data, "image/jpeg")
    assert stored.digest == media.get(again).digest  # type: ignore[union-attr]  # same bytes, same ETag
    assert media.get("no-such-image") is None


def test_images_go_by_id_and_by_owner(media: p.MediaStore) -> None:
    mine = [media.put(JPEG, "expert-1") for _ in range(3)]
    theirs = media.put(JPEG, "training-9")
    media.delete([mine[0], "no-such-image"])
    media.delete([mine[0]])  # a retry changes nothing
    assert media.get(mine[0]) is None and media.get(mine[1]) is not None
    assert media.delete_owned_by("expert-1") == 2
    assert all(media.get(m) is None for m in mine) and media.get(theirs) is not None
    assert media.delete_owned_by("expert-1") == 0


def test_gridfs_leaves_no_chunk_behind(database: object) -> None:
    store = GridFSMedia(database)  # type: ignore[arg-type]
    ids = [store.put(JPEG, "expert-1") for _ in range(2)]
    assert database.fs.chunks.count_documents({}) == 4  # type: ignore[attr-defined]
    store.delete(ids[:1])
    store.delete_owned_by("expert-1")
    assert database.fs.files.count_documents({}) == 0 and database.fs.chunks.count_documents({}) == 0  # type: ignore[attr-defined]


def _picture(pid: str) -> Picture:
    return Picture(
        pid, "Me", Rendition(f"{pid}-l", 512, 384, "image/jpeg"), Rendition(f"{pid}-s", 128, 96, "image/jpeg")
    )


def test_a_portrait_is_replaced_only_from_the_one_expected(users: p.Users) -> None:
    users.add(User("u1", "u1@example.org", "Dr One", Role.EXPERT, "hash", datetime.now(UTC)))
    first, second = _picture("a"), _picture("b")
    assert users.update("u1", {"portrait": dataclasses.asdict(first)}, expected={"portrait": None})
    assert users.get("u1").portrait == first  # type: ignore[union-attr]
    assert not users.update("u1", {"portrait": dataclasses.asdict(second)}, expected={"portrait": None})
    assert users.update("u1", {"portrait": dataclasses.asdict(second)},
                        expected={"portrait": dataclasses.asdict(first)})  # fmt: skip
    assert users.get("u1").portrait == second  # type: ignore[union-attr]
    assert users.update("u1", {"portrait": None}, expected={"portrait": dataclasses.asdict(second)})
    assert users.get("u1").portrait is None  # type: ignore[union-attr]
