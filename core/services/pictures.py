"""An expert's portrait and a training's photos: uploaded, cleaned, stored, replaced and removed.

The rules live here: who may upload, how big an upload may be, how many photos a training
keeps, what alt text is. The pixels are the encoder's (Pillow strips metadata and resizes), the
bytes the media store's (GridFS). Nothing is half-written: images are stored first, then the
account or training is changed under its compare-and-set; if that fails the new images are
removed, and an old image is removed only once nothing refers to it any more.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any, TypeVar

from core.errors import Conflict, NotFound, TooLarge, ValidationError
from core.model import Picture, Rendition, Role, Training, TrainingStatus, User
from core.services import trainings
from core.services.accounts import require_role
from core.services.deps import Deps
from core.words import N_, Worded

T = TypeVar("T")

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # of the file as sent, before re-encoding
TOO_LARGE = N_("Larger than 5 MB: send a smaller or more compressed picture.")
PORTRAIT_SIDES = (512, 128)  # longest side of the large and the small rendition, in pixels
PHOTO_SIDES = (1600, 480)
MAX_PHOTOS = 8  # and ALT_MAX: the messages below say them in words (for the catalogue)
ALT_MAX = 300
ADD_ATTEMPTS = 3  # a photo added to a training that changed meanwhile is added to what it became
# Photos change with the training's description; a training that is over keeps the ones it had.
PHOTOS_EDITABLE = (TrainingStatus.DRAFT, TrainingStatus.PUBLISHED)


def set_portrait(deps: Deps, expert: User, data: bytes, alt: str | None = None) -> User:
    """Upload (or replace) the signed-in expert's portrait; the old one's images are removed."""
    require_role(expert, Role.EXPERT)
    alt = _alt(alt, "alt", required=False)  # none: pages describe it by the expert's name, in their language
    picture = _stored(deps, data, "portrait", PORTRAIT_SIDES, alt, owner_id=expert.id)
    old = expert.portrait
    changes, guard = {"portrait": _doc(picture)}, {"portrait": _doc(old)}
    if not _discarding(deps, picture, lambda: deps.users.update(expert.id, changes, expected=guard)):
        deps.media.delete(picture.media_ids)
        raise Conflict(N_("Your portrait changed meanwhile; reload and try again."))
    if old is not None:
        deps.media.delete(old.media_ids)
    return _reloaded(deps, expert)


def remove_portrait(deps: Deps, expert: User) -> User:
    """Remove the signed-in expert's portrait (nothing to do if there is none)."""
    require_role(expert, Role.EXPERT)
    old = expert.portrait
    if old is None:
        return expert
    if not deps.users.update(expert.id, {"portrait": None}, expected={"portrait": _doc(old)}):
        raise Conflict(N_("Your portrait changed meanwhile; reload and try again."))
    deps.media.delete(old.media_ids)
    return _reloaded(deps, expert)


def erase_pictures_of(deps: Deps, user: User) -> int:
    """Every image stored for a person (their portrait), for an account being closed; how many.

    The account's own ``portrait`` field is the closing's to clear with the rest of its profile.
    """
    return deps.media.delete_owned_by(user.id)


def add_photo(deps: Deps, expert: User, training_id: str, data: bytes, alt: str | None) -> Training:
    """Add a photo after the training's others (its expert only, while a draft or published).

    Adding commutes with any other edit, so a training changed meanwhile (two photos sent at once,
    say) is read again and the photo added to it, a few times before giving up.
    """
    training = _with_room(_editable(deps, expert, training_id))
    picture = _stored(deps, data, "photo", PHOTO_SIDES, _alt(alt, "alt", required=True), owner_id=training.id)

    def append() -> Training:
        current = training
        for _attempt in range(ADD_ATTEMPTS - 1):
            try:
                return trainings.store_edit(deps, current, replace(current, photos=[*current.photos, picture]),
                                            ["photos"])  # fmt: skip
            except Conflict:
                current = _with_room(_editable(deps, expert, training_id))
        return trainings.store_edit(deps, current, replace(current, photos=[*current.photos, picture]), ["photos"])

    return _discarding(deps, picture, append)


def edit_photo(
    deps: Deps, expert: User, training_id: str, photo_id: str, alt: str | None, position: int | None
) -> Training:
    """Change a photo's alt text, or move it to ``position`` (1 is first: the one cards show)."""
    training = _editable(deps, expert, training_id)
    photo = _photo(training, photo_id)
    index = training.photos.index(photo) if position is None else position - 1
    photos = [p for p in training.photos if p.id != photo_id]
    if alt is not None:
        photo = replace(photo, alt=_alt(alt, "alt", required=True))
    if not 0 <= index <= len(photos):
        raise ValidationError(N_("No such position."), {"position": [f"Between 1 and {len(training.photos)}."]})
    photos.insert(index, photo)
    if photos == training.photos:
        return training
    return trainings.store_edit(deps, training, replace(training, photos=photos), ["photos"])


def remove_photo(deps: Deps, expert: User, training_id: str, photo_id: str) -> Training:
    """Remove one photo of the training (its expert only, whatever the training's state)."""
    training = trainings.own_training(deps, expert, training_id)
    photo = _photo(training, photo_id)
    after = replace(training, photos=[p for p in training.photos if p.id != photo_id])
    updated = trainings.store_edit(deps, training, after, ["photos"])
    deps.media.delete(photo.media_ids)  # once nothing shows it
    return updated


def _editable(deps: Deps, expert: User, training_id: str) -> Training:
    training = trainings.own_training(deps, expert, training_id)
    if training.status not in PHOTOS_EDITABLE:
        raise Conflict(N_("The training is over or cancelled: its photos can no longer change."))
    return training


def _with_room(training: Training) -> Training:
    if len(training.photos) >= MAX_PHOTOS:
        raise ValidationError(N_("A training shows at most 8 photos."),
                              {"photo": [N_("At most 8 photos: remove one first.")]})  # fmt: skip
    return training


def _photo(training: Training, photo_id: str) -> Picture:
    found = next((p for p in training.photos if p.id == photo_id), None)
    if found is None:
        raise NotFound(Worded(N_("No photo %(photo)s on training %(training)s."), photo=photo_id, training=training.id))
    return found


def _alt(text: str | None, field: str, required: bool) -> str:
    """Alt text: what the picture shows, for people who cannot see it (one line, trimmed)."""
    alt = " ".join((text or "").split())
    if required and not alt:
        raise ValidationError(N_("Describe the photo for people who cannot see it."),
                              {field: [N_("Required: what the photo shows, in a sentence.")]})  # fmt: skip
    if len(alt) > ALT_MAX:
        raise ValidationError(N_("The description is too long."), {field: [N_("At most 300 characters.")]})
    return alt


def _stored(deps: Deps, data: bytes, field: str, sides: tuple[int, int], alt: str, owner_id: str) -> Picture:
    """The upload checked, re-encoded at both sizes and stored (both images, or neither)."""
    if not data:
        raise ValidationError(N_("Choose a picture to upload."), {field: [N_("Required: a JPEG, PNG or WebP file.")]})
    if len(data) > MAX_UPLOAD_BYTES:
        size = len(data) / (1024 * 1024)
        raise TooLarge(f"The {field} is too large ({size:.1f} MB): at most 5 MB.",
                       {field: [TOO_LARGE]})  # fmt: skip
    large, small = deps.images.encode(data, field, sides)
    stored: list[str] = []
    try:
        for image in (large, small):
            stored.append(deps.media.put(image, owner_id))
    except BaseException:
        deps.media.delete(stored)
        raise
    return Picture(
        id=uuid.uuid4().hex, alt=alt,
        large=Rendition(stored[0], large.width, large.height, large.content_type),
        small=Rendition(stored[1], small.width, small.height, small.content_type),
    )  # fmt: skip


def _discarding(deps: Deps, picture: Picture, write: Callable[[], T]) -> T:
    """Run the write that makes ``picture`` shown; if it raises, the picture's images go."""
    try:
        return write()
    except BaseException:
        deps.media.delete(picture.media_ids)
        raise


def _doc(picture: Picture | None) -> dict[str, Any] | None:
    """A picture as it is stored (and compared in a compare-and-set)."""
    return asdict(picture) if picture is not None else None


def _reloaded(deps: Deps, user: User) -> User:
    found = deps.users.get(user.id)
    if found is None:
        raise NotFound(f"No account {user.id}.")
    return found
