"""Portraits and training photos over HTTP, on the real stack: upload, serving, refusals, clean-up."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from core.errors import Conflict
from core.services import pictures
from core.services.pictures import MAX_PHOTOS, MAX_UPLOAD_BYTES
from tests.support import Stack
from tests.support.images import GPS_IFD, opened, picture

pytestmark = pytest.mark.workers()  # the API alone: pictures wait for no worker


def _files(stack: Stack) -> tuple[int, int]:
    """How many GridFS files and chunks the test's database holds."""
    return stack.db.fs.files.count_documents({}), stack.db.fs.chunks.count_documents({})


def _put_portrait(stack: Stack, token: str, data: bytes, name: str = "me.jpg", **form: str) -> Any:
    return stack.api.call("PUT", "/api/v1/me/portrait", token, files={"portrait": (name, data)}, data=form)


def _post_photo(stack: Stack, token: str, training_id: str, data: bytes, alt: str | None = "The skills lab") -> Any:
    form = {"alt": alt} if alt is not None else {}
    return stack.api.call("POST", f"/api/v1/trainings/{training_id}/photos", token,
                          files={"photo": ("lab.jpg", data)}, data=form)  # fmt: skip


def test_a_portrait_is_stored_clean_served_cached_and_shown_on_the_expert(stack: Stack) -> None:
    expert = stack.api.expert("Dr Ada Lovelace")
    answer = _put_portrait(stack, expert["token"], picture("JPEG", (2000, 3000)))
    assert answer.status_code == 200, answer.text
    portrait = answer.json()["portrait"]
    assert portrait["alt"] == ""  # not described: pages name the expert, in the reader's language
    assert (portrait["large"]["width"], portrait["large"]["height"]) == (341, 512)
    assert (portrait["small"]["width"], portrait["small"]["height"]) == (85, 128)

    served = stack.api.call("GET", portrait["large"]["url"])
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in served.headers["Cache-Control"] and "max-age=31536000" in served.headers["Cache-Control"]
    etag = served.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    image = opened(served.content)
    assert image.format == "JPEG" and image.size == (341, 512)
    assert "exif" not in image.info and not image.getexif() and GPS_IFD not in image.getexif()

    again = stack.api.call("GET", portrait["large"]["url"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = stack.api.call("GET", portrait["large"]["url"], headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert stack.api.call("GET", "/media/no-such-image").status_code == 404

    public = stack.api.call("GET", f"/api/v1/experts/{expert['id']}").json()
    assert public["portrait"]["small"]["url"] == portrait["small"]["url"]
    listed = stack.api.call("GET", "/api/v1/experts").json()["items"]
    assert [e["portrait"]["large"]["url"] for e in listed if e["id"] == expert["id"]] == [portrait["large"]["url"]]


def test_replacing_and_removing_a_portrait_leaves_no_file_behind(stack: Stack) -> None:
    expert = stack.api.expert()
    first = _put_portrait(stack, expert["token"], picture("PNG", (800, 800)), "a.png", alt="Me in scrubs").json()
    assert first["portrait"]["alt"] == "Me in scrubs" and first["portrait"]["large"]["content_type"] == "image/png"
    assert _files(stack) == (2, 2)
    second = _put_portrait(stack, expert["token"], picture("WEBP", (900, 600)), "b.webp").json()
    assert second["portrait"]["large"]["content_type"] == "image/webp"
    assert _files(stack) == (2, 2)  # the first portrait's two images went
    assert stack.api.call("GET", first["portrait"]["large"]["url"]).status_code == 404
    assert opened(stack.api.call("GET", second["portrait"]["large"]["url"]).content).format == "WEBP"

    removed = stack.api.call("DELETE", "/api/v1/me/portrait", expert["token"])
    assert removed.status_code == 200 and removed.json()["portrait"] is None
    assert _files(stack) == (0, 0)
    assert stack.api.call("GET", f"/api/v1/experts/{expert['id']}").json()["portrait"] is None


def test_photos_are_added_in_order_shown_in_the_catalogue_moved_and_removed(stack: Stack) -> None:
    expert = stack.api.expert()
    training = stack.api.published_training(expert)
    first = _post_photo(stack, expert["token"], training["id"], picture("JPEG", (4000, 3000)), "The simulator")
    assert first.status_code == 201, first.text
    photo = first.json()["photos"][0]
    assert photo["alt"] == "The simulator"
    assert (photo["large"]["width"], photo["large"]["height"]) == (1600, 1200)
    assert (photo["small"]["width"], photo["small"]["height"]) == (480, 360)
    second = _post_photo(stack, expert["token"], training["id"], picture("PNG", (600, 400)), "The team").json()
    assert [p["alt"] for p in second["photos"]] == ["The simulator", "The team"]
    assert second["photos"][1]["large"]["width"] == 600  # never enlarged

    detail = stack.api.call("GET", f"/api/v1/trainings/{training['id']}").json()
    assert [p["id"] for p in detail["photos"]] == [p["id"] for p in second["photos"]]
    found = stack.api.call("GET", "/api/v1/trainings").json()["items"]
    assert [t["photos"][0]["small"]["url"] for t in found if t["id"] == training["id"]] == [photo["small"]["url"]]

    team = second["photos"][1]["id"]
    moved = stack.api.call("PATCH", f"/api/v1/trainings/{training['id']}/photos/{team}", expert["token"],
                           json={"position": 1, "alt": "The whole team"})  # fmt: skip
    assert moved.status_code == 200, moved.text
    assert [p["alt"] for p in moved.json()["photos"]] == ["The whole team", "The simulator"]

    assert _files(stack) == (4, 4)
    gone = stack.api.call("DELETE", f"/api/v1/trainings/{training['id']}/photos/{photo['id']}", expert["token"])
    assert gone.status_code == 200 and [p["alt"] for p in gone.json()["photos"]] == ["The whole team"]
    assert _files(stack) == (2, 2)
    assert stack.api.call("GET", photo["large"]["url"]).status_code == 404
    missing = stack.api.call("DELETE", f"/api/v1/trainings/{training['id']}/photos/{photo['id']}", expert["token"])
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("data", "name", "problem"),
    [
        (b"%PDF-1.7 not a picture at all", "cv.pdf", "Not an image"),
        (picture("GIF", (200, 200)), "anim.gif", "a GIF picture"),
        (picture("JPEG", (1200, 900))[:3000], "cut.jpg", "damaged"),
        (picture("PNG", (8000, 6000)), "huge.png", "too many"),
    ],
)
def test_what_is_not_a_picture_we_take_is_refused_with_the_field_named(
    stack: Stack, data: bytes, name: str, problem: str
) -> None:
    expert = stack.api.expert()
    answer = _put_portrait(stack, expert["token"], data, name)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "validation_error" and body["errors"]["portrait"]
    assert problem.lower() in " ".join([*body["errors"]["portrait"], body["message"]]).lower()
    assert _files(stack) == (0, 0)


def test_an_upload_over_5_mb_is_refused_with_the_limit_in_json(stack: Stack) -> None:
    expert = stack.api.expert()
    training = stack.api.published_training(expert)
    just_over = picture("PNG", (64, 64)) + b"\0" * MAX_UPLOAD_BYTES  # fits the body limit, not the file's
    answer = _post_photo(stack, expert["token"], training["id"], just_over)
    assert answer.status_code == 413 and answer.headers["Content-Type"].startswith("application/json")
    assert "5 MB" in answer.json()["message"] and "photo" in answer.json()["errors"]
    far_over = b"\xff\xd8" + b"\0" * (8 * 1024 * 1024)  # beyond the body limit: refused before it is read
    answer = _post_photo(stack, expert["token"], training["id"], far_over)
    assert answer.status_code == 413 and answer.headers["Content-Type"].startswith("application/json")
    assert "5 MB" in answer.json()["message"] and "photo" in answer.json()["errors"]
    # Elsewhere the usual 1 MB limit holds, in the same JSON format.
    big = stack.api.call("PATCH", "/api/v1/me", expert["token"], data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert big.status_code == 413 and big.json()["code"] == "request_entity_too_large"
    assert _files(stack) == (0, 0)


def test_who_may_upload_and_what_a_photo_needs(stack: Stack) -> None:
    expert, other = stack.api.expert(), stack.api.expert()
    trainee = stack.api.user("trainee")
    training = stack.api.published_training(expert)
    data = picture("JPEG", (800, 600))
    assert _put_portrait(stack, trainee["token"], data).status_code == 403
    assert stack.api.call("PUT", "/api/v1/me/portrait", files={"portrait": ("a.jpg", data)}).status_code == 401
    assert _post_photo(stack, other["token"], training["id"], data).status_code == 403
    assert _post_photo(stack, trainee["token"], training["id"], data).status_code == 403
    no_alt = _post_photo(stack, expert["token"], training["id"], data, alt="  ")
    assert no_alt.status_code == 422 and "alt" in no_alt.json()["errors"]
    no_file = stack.api.call("POST", f"/api/v1/trainings/{training['id']}/photos", expert["token"],
                             data={"alt": "The lab"})  # fmt: skip
    assert no_file.status_code == 422 and "photo" in no_file.json()["errors"]
    assert _files(stack) == (0, 0)
    for i in range(MAX_PHOTOS):
        assert _post_photo(stack, expert["token"], training["id"], picture("JPEG", (40, 30)), f"Step {i}").ok
    one_more = _post_photo(stack, expert["token"], training["id"], data)
    assert one_more.status_code == 422 and "photo" in one_more.json()["errors"]
    assert _files(stack) == (2 * MAX_PHOTOS, 2 * MAX_PHOTOS)


def test_a_training_update_that_fails_leaves_no_orphan_file(stack: Stack) -> None:
    expert = stack.api.expert()
    training = stack.api.published_training(expert)
    cancelled = stack.api.call("POST", f"/api/v1/trainings/{training['id']}/cancel", expert["token"],
                               json={"reason": "The OR is closed."})  # fmt: skip
    assert cancelled.status_code == 200
    refused = _post_photo(stack, expert["token"], training["id"], picture("JPEG", (800, 600)))
    assert refused.status_code == 409
    assert _files(stack) == (0, 0)

    # The version moved between reading the training and storing the photo: the photo's images go.
    live = stack.api.published_training(expert)
    stored = stack.deps.trainings.get(live["id"])
    assert stored is not None
    stack.db.trainings.update_one({"_id": live["id"]}, {"$inc": {"version": 1}})

    class Stale:
        """The training as it was read before someone else's edit."""

        def __getattr__(self, name: str) -> Any:
            return getattr(stack.deps.trainings, name)

        def get(self, training_id: str) -> Any:
            return stored

    stale = dataclasses.replace(stack.deps, trainings=Stale())  # type: ignore[arg-type]
    user = stack.deps.users.get(expert["id"])
    assert user is not None
    with pytest.raises(Conflict):
        pictures.add_photo(stale, user, live["id"], picture("JPEG", (800, 600)), "The lab")
    assert _files(stack) == (0, 0)
