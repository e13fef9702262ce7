"""Pictures made on the spot with Pillow, as a phone would write them: EXIF with a GPS position."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def camera_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF as a phone writes it: the maker, where the picture was taken and, if given, which way is up."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (45.0, 45.0, 36.0), 3: "E", 4: (4.0, 50.0, 24.0)}  # Lyon
    if orientation is not None:
        exif[ORIENTATION] = orientation
    return exif


def picture(
    fmt: str = "JPEG", size: tuple[int, int] = (2400, 1600), orientation: int | None = None,
    colour: tuple[int, int, int] = (180, 40, 60), mode: str = "RGB",
) -> bytes:  # fmt: skip
    """An image in ``fmt`` with camera EXIF; its left half red-ish, its right half blue (to see rotations)."""
    image = Image.new(mode, size, colour if mode == "RGB" else (*colour, 200))
    image.paste((20, 60, 200) if mode == "RGB" else (20, 60, 200, 200), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, fmt, exif=camera_exif(orientation).tobytes())
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    """The image in ``data``, decoded (fails if it is not a valid image)."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
