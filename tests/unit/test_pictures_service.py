"""The pictures' rules on fakes: who uploads, what a photo needs, and that no image outlives its picture."""

from __future__ import annotations

import dataclasses

import pytest

from core.errors import Conflict, Forbidden, NotFound, TooLarge, ValidationError
from core.model import Role, TrainingStatus
from core.services import pictures
from core.services.pictures import MAX_PHOTOS, MAX_UPLOAD_BYTES
from tests.fakes import FakeMedia, fake_deps
from tests.unit.builders import training, user


def test_a_replaced_portrait_leaves_only_the_new_images() -> None:
    deps = fake_deps()
    expert = user(deps, Role.EXPERT, "Dr Ada")
    first = pictures.set_portrait(deps, expert, b"first", "Ada at work")
    assert first.portrait is not None and first.portrait.alt == "Ada at work"
    assert set(deps.media.rows) == set(first.portrait.media_ids)  # type: ignore[attr-defined]
    second = pictures.set_portrait(deps, first, b"second")
    assert second.portrait is not None and second.portrait.alt == ""
    assert set(deps.media.rows) == set(second.portrait.media_ids)  # type: ignore[attr-defined]
    with pytest.raises(Conflict):  # the account as read before the second upload: its write is refused
        pictures.set_portrait(deps, first, b"third")
    assert set(deps.media.rows) == set(second.portrait.media_ids)  # type: ignore[attr-defined]
    assert pictures.remove_portrait(deps, second).portrait is None and not deps.media.rows  # type: ignore[attr-defined]


def test_only_an_expert_has_a_portrait_and_uploads_have_limits() -> None:
    deps = fake_deps()
    with pytest.raises(Forbidden):
        pictures.set_portrait(deps, user(deps, Role.TRAINEE), b"me")
    expert = user(deps, Role.EXPERT)
    with pytest.raises(TooLarge) as too_large:
        pictures.set_portrait(deps, expert, b"\0" * (MAX_UPLOAD_BYTES + 1))
    assert "5 MB" in too_large.value.message and "portrait" in too_large.value.errors
    with pytest.raises(ValidationError) as empty:
        pictures.set_portrait(deps, expert, b"")
    assert "portrait" in empty.value.errors
    assert not deps.media.rows  # type: ignore[attr-defined]


def test_photos_belong_to_their_trainings_expert_and_need_words() -> None:
    deps = fake_deps()
    expert, other = user(deps, Role.EXPERT), user(deps, Role.EXPERT)
    day = training(deps, expert)
    with pytest.raises(Forbidden):
        pictures.add_photo(deps, other, day.id, b"photo", "The lab")
    with pytest.raises(ValidationError) as no_alt:
        pictures.add_photo(deps, expert, day.id, b"photo", "   ")
    assert "alt" in no_alt.value.errors
    with pytest.raises(ValidationError) as long_alt:
        pictures.add_photo(deps, expert, day.id, b"photo", "x" * 301)
    assert "alt" in long_alt.value.errors
    for i in range(MAX_PHOTOS):
        day = pictures.add_photo(deps, expert, day.id, b"photo", f"Step  {i}\n")
    assert [p.alt for p in day.photos][:2] == ["Step 0", "Step 1"]  # one line, trimmed
    with pytest.raises(ValidationError) as full:
        pictures.add_photo(deps, expert, day.id, b"photo", "One more")
    assert "photo" in full.value.errors
    assert len(deps.media.rows) == 2 * MAX_PHOTOS  # type: ignore[attr-defined]


def test_photos_move_and_go_with_their_images() -> None:
    deps = fake_deps()
    expert = user(deps, Role.EXPERT)
    day = training(deps, expert)
    day = pictures.add_photo(deps, expert, day.id, b"a", "A")
    day = pictures.add_photo(deps, expert, day.id, b"b", "B")
    a, b = day.photos
    day = pictures.edit_photo(deps, expert, day.id, b.id, None, 1)
    assert [p.alt for p in day.photos] == ["B", "A"]
    with pytest.raises(ValidationError):
        pictures.edit_photo(deps, expert, day.id, b.id, None, 3)
    day = pictures.remove_photo(deps, expert, day.id, a.id)
    assert [p.alt for p in day.photos] == ["B"] and set(deps.media.rows) == set(b.media_ids)  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        pictures.remove_photo(deps, expert, day.id, a.id)


def test_a_failed_or_refused_training_write_removes_the_new_images() -> None:
    deps = fake_deps()
    expert = user(deps, Role.EXPERT)
    over = training(deps, expert, status=TrainingStatus.CANCELLED)
    with pytest.raises(Conflict):
        pictures.add_photo(deps, expert, over.id, b"photo", "The lab")

    class Down(type(deps.trainings)):  # type: ignore[misc]
        def replace(self, *args: object, **kwargs: object) -> bool:
            raise ConnectionError("the database went away")

    live = training(deps, expert)
    broken = dataclasses.replace(deps, trainings=Down(deps.pending_events))
    broken.trainings.add(live)
    with pytest.raises(ConnectionError):
        pictures.add_photo(broken, expert, live.id, b"photo", "The lab")
    assert not deps.media.rows  # type: ignore[attr-defined]


def test_a_closed_account_takes_its_portrait_images_along() -> None:
    deps = fake_deps(media=FakeMedia())
    expert = user(deps, Role.EXPERT)
    pictures.set_portrait(deps, expert, b"me")
    assert pictures.erase_pictures_of(deps, expert) == 2 and not deps.media.rows  # type: ignore[attr-defined]


def test_a_photo_sent_while_the_training_changed_is_added_to_what_it_became() -> None:
    deps = fake_deps()
    expert = user(deps, Role.EXPERT)
    day = training(deps, expert)
    edits = {"left": 1}

    class EditedMeanwhile(type(deps.trainings)):  # type: ignore[misc]
        """Someone else's edit lands between this request's read and its write, once."""

        def replace(self, training: object, expected_version: int, announcing: object = None) -> bool:
            if edits["left"]:
                edits["left"] -= 1
                stored = self.rows[day.id]
                self.rows[day.id] = dataclasses.replace(stored, title="Renamed", version=stored.version + 1)
            return bool(super().replace(training, expected_version, announcing))

    racing = EditedMeanwhile(deps.pending_events, rows=deps.trainings.rows)  # type: ignore[attr-defined]
    raced = dataclasses.replace(deps, trainings=racing)
    added = pictures.add_photo(raced, expert, day.id, b"photo", "The lab")
    assert added.title == "Renamed" and [p.alt for p in added.photos] == ["The lab"]
    assert len(deps.media.rows) == 2  # type: ignore[attr-defined]
