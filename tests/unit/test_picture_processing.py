"""The Pillow encoder: what leaves it is the pixels only, upright, resized; anything else is refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms

from adapters.pictures import PillowEncoder
from core.errors import ValidationError
from tests.support.images import GPS_IFD, MAKE, camera_exif, opened, picture

encoder = PillowEncoder()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_and_its_gps_position_are_gone_and_the_format_is_kept(fmt: str) -> None:
    upload = picture(fmt, (1200, 800))
    assert opened(upload).getexif().get_ifd(GPS_IFD)  # the upload does carry a position
    for rendition in encoder.encode(upload, "photo", (1600, 480)):
        image = opened(rendition.data)
        assert image.format == fmt and rendition.content_type == f"image/{fmt.lower()}"
        exif = image.getexif()
        assert not exif and GPS_IFD not in exif and MAKE not in exif
        assert not exif.get_ifd(GPS_IFD)
        assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"} & set(image.info)
        assert b"PhoneMaker" not in rendition.data and b"Exif" not in rendition.data


def test_each_size_keeps_the_aspect_and_nothing_is_enlarged() -> None:
    large, small = encoder.encode(picture("JPEG", (4000, 2500)), "photo", (1600, 480))
    assert (large.width, large.height) == (1600, 1000) and opened(large.data).size == (1600, 1000)
    assert (small.width, small.height) == (480, 300) and opened(small.data).size == (480, 300)
    tiny = encoder.encode(picture("PNG", (300, 200)), "photo", (1600, 480))
    assert [(r.width, r.height) for r in tiny] == [(300, 200), (300, 200)]


@pytest.mark.parametrize(("orientation", "size"), [(1, (600, 400)), (3, (600, 400)), (6, (400, 600)),
                                                   (8, (400, 600))])  # fmt: skip
def test_the_exif_orientation_is_applied_to_the_pixels(orientation: int, size: tuple[int, int]) -> None:
    # Left half red, right half blue, as the camera stored it; the tag says how to turn it upright.
    (large,) = encoder.encode(picture("JPEG", (600, 400), orientation=orientation), "portrait", (1000,))
    image = opened(large.data).convert("RGB")
    assert image.size == size
    red_first = {1: "left", 3: "right", 6: "top", 8: "bottom"}[orientation]
    where = {"left": (5, size[1] // 2), "right": (size[0] - 5, size[1] // 2), "top": (size[0] // 2, 5),
             "bottom": (size[0] // 2, size[1] - 5)}  # fmt: skip
    r, _, b = image.getpixel(where[red_first])  # type: ignore[misc]
    assert r > 120 and b < 100, (orientation, image.getpixel(where[red_first]))


def test_transparency_is_kept_in_png_and_webp() -> None:
    for fmt in ("PNG", "WEBP"):
        (large,) = encoder.encode(picture(fmt, (300, 300), mode="RGBA"), "portrait", (512,))
        image = opened(large.data)
        assert image.mode == "RGBA" and image.getpixel((5, 5))[3] == 200  # type: ignore[index]


def test_an_icc_profile_is_converted_to_srgb_then_dropped() -> None:
    out = io.BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (200, 100), (10, 200, 30)).save(out, "JPEG", icc_profile=srgb, exif=camera_exif().tobytes())
    (large,) = encoder.encode(out.getvalue(), "photo", (1600,))
    image = opened(large.data)
    assert "icc_profile" not in image.info
    r, g, b = image.convert("RGB").getpixel((100, 50))  # type: ignore[misc]
    assert abs(r - 10) < 12 and abs(g - 200) < 12 and abs(b - 30) < 12  # sRGB to sRGB: the same colours


def _refusal(data: bytes, field: str = "photo") -> str:
    """The field's problem and the message, in one string."""
    with pytest.raises(ValidationError) as refused:
        encoder.encode(data, field, (1600, 480))
    assert set(refused.value.errors) == {field}
    assert field in refused.value.message
    return " ".join([*refused.value.errors[field], refused.value.message])


def test_what_is_not_an_accepted_picture_is_refused_naming_the_field() -> None:
    assert "Not an image" in _refusal(b"<html>hello</html>", "portrait")
    assert "GIF" in _refusal(picture("GIF", (50, 50)))
    assert "BMP" in _refusal(picture("BMP", (50, 50)))
    assert "TIFF" in _refusal(picture("TIFF", (50, 50)))
    assert "damaged" in _refusal(picture("JPEG", (1200, 900))[:2500])
    assert "damaged" in _refusal(picture("PNG", (400, 300))[:-200])


def test_decompression_bombs_are_refused_before_they_are_decoded() -> None:
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # 81 M pixels in about 10 KB
    assert len(out.getvalue()) < 100_000
    assert "too many" in _refusal(out.getvalue()).lower()
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")  # beyond Pillow's own limit too
    assert "too many" in _refusal(out.getvalue()).lower()
    small_limit = PillowEncoder(max_pixels=1_000_000)
    with pytest.raises(ValidationError):
        small_limit.encode(picture("JPEG", (1200, 900)), "photo", (480,))


def test_an_animation_keeps_its_first_frame_and_cmyk_becomes_rgb() -> None:
    frames = [Image.new("RGB", (200, 100), (200, 0, 0)), Image.new("RGB", (200, 100), (0, 0, 200))]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert getattr(opened(out.getvalue()), "n_frames", 1) == 2
    (large,) = encoder.encode(out.getvalue(), "photo", (1600,))
    image = opened(large.data)
    assert getattr(image, "n_frames", 1) == 1 and image.convert("RGB").getpixel((10, 10))[0] > 150  # type: ignore[index]
    out = io.BytesIO()
    Image.new("CMYK", (120, 80), (0, 255, 255, 0)).save(out, "JPEG")  # red, in print colours
    (large,) = encoder.encode(out.getvalue(), "photo", (1600,))
    assert opened(large.data).mode == "RGB"
