"""Pillow: an upload decoded, checked and re-encoded so that nothing but its pixels leaves.

What a camera or phone writes beside the pixels (EXIF with GPS position, serial numbers, XMP,
comments, thumbnails of the uncropped picture) is never copied: each rendition is encoded from
the pixels alone, after the EXIF orientation was applied to them and the colours converted from
an embedded ICC profile to sRGB (dropping the profile untouched would shift them).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from core.errors import ValidationError
from core.ports import EncodedImage
from core.words import N_

# Pillow's name of each accepted format -> what it is served as. MPO is the JPEG that phones and
# stereo cameras write with extra pictures inside; its first picture is a JPEG like any other.
FORMATS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_SAVED_AS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# Refused before decoding: a few KB of PNG can claim 100,000 x 100,000 pixels (a decompression
# bomb). Below Pillow's own limit (89 M pixels), so its warning never has to be relied on.
MAX_PIXELS = 40_000_000
TOO_MANY_PIXELS = N_("Too many pixels: at most 40 million.")
DAMAGED = N_("The file is damaged or cut short and cannot be read.")


class PillowEncoder:
    """The ``ImageEncoder`` port on Pillow."""

    def __init__(self, max_pixels: int = MAX_PIXELS, quality: int = 85, at_once: int = 2) -> None:
        self._max_pixels = max_pixels
        self._quality = quality
        # A 40 M-pixel PNG is 160 MB decoded: a few at a time, whatever the server's thread count.
        self._decoding = threading.BoundedSemaphore(at_once)

    def encode(self, data: bytes, field: str, longest_sides: Sequence[int]) -> list[EncodedImage]:
        """Every size asked for, each smaller one resized from the one before."""
        try:
            image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError as exc:
            raise refusal(field, N_("Not an image: send a JPEG, PNG or WebP picture.")) from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise refusal(field, TOO_MANY_PIXELS) from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise refusal(field, DAMAGED) from exc
        with image:
            content_type = FORMATS.get(image.format or "")
            if content_type is None:
                raise refusal(field, N_("This format is not taken: send a JPEG, PNG or WebP picture."),
                              f"a {image.format} picture")  # fmt: skip
            width, height = image.size
            if width * height > self._max_pixels:
                raise refusal(field, TOO_MANY_PIXELS, f"{width} x {height} pixels")
            with self._decoding:
                upright = self._decode(image, max(longest_sides), field)
                made: dict[int, EncodedImage] = {}
                for side in sorted(set(longest_sides), reverse=True):
                    upright.thumbnail((side, side), Image.Resampling.LANCZOS)  # keeps the aspect, never enlarges
                    made[side] = self._save(upright, content_type)
        return [made[side] for side in longest_sides]

    def _decode(self, image: Image.Image, largest: int, field: str) -> Image.Image:
        """The pixels, upright, in sRGB, in a mode every accepted format saves, with no ``info`` left."""
        try:
            # A JPEG decodes at 1/2, 1/4 or 1/8 scale when that still covers the largest rendition:
            # a fraction of the memory and time of a 40 M-pixel decode.
            if image.format in ("JPEG", "MPO"):
                image.draft(None, (largest, largest))
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            upright = _in_srgb(upright, image.info.get("icc_profile"))
            alpha = upright.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in upright.info
            wanted = "RGBA" if alpha and image.format in ("PNG", "WEBP") else ("L" if upright.mode == "L" else "RGB")
            clean = upright.convert(wanted) if upright.mode != wanted else upright.copy()
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise refusal(field, DAMAGED) from exc
        clean.info = {}
        return clean

    def _save(self, image: Image.Image, content_type: str) -> EncodedImage:
        out = io.BytesIO()
        kind = _SAVED_AS[content_type]
        if kind == "JPEG":
            image.save(out, kind, quality=self._quality, optimize=True, progressive=True)
        elif kind == "PNG":
            image.save(out, kind, optimize=True)
        else:
            image.save(out, kind, quality=self._quality, method=4)
        return EncodedImage(out.getvalue(), content_type, image.width, image.height)


def refusal(field: str, problem: str, facts: str | None = None) -> ValidationError:
    """The 422 for an upload that is not a picture we take: the field's problem in words the
    catalogue translates, the facts (which format, how many pixels) in the message."""
    found = f" ({facts})" if facts else ""
    return ValidationError(f"The {field} was refused{found}: {problem[:1].lower()}{problem[1:]}", {field: [problem]})


def _in_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """The image's colours converted from its embedded profile to sRGB (as is when it has none
    or Pillow cannot read it: a stripped profile then shows the colours a browser would assume)."""
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image
