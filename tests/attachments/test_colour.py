"""FOR-7: images are re-encoded without metadata, their colour profile included; a photo in
a wider colour space than sRGB (a camera's Adobe RGB, a phone's Display P3) is first
converted to sRGB with its profile, so that what readers see keeps the colours of the
photo rather than its numbers read as sRGB. The profiles here are written byte by byte
(tests/attachments/icc.py), and what is expected is computed without LittleCMS."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageCms

from folkmoot.attachments.models import Attachment
from tests.conftest import client_for

from .conftest import Design, upload
from .icc import P3_COLORANTS, SRGB_COLORANTS, grey_profile, rgb_profile, srgb_from

pytestmark = pytest.mark.django_db

ORANGE = (200, 100, 50)  # a Display P3 orange: in sRGB it is (216, 93, 24)
GREEN = (30, 180, 90)


def _image(mode: str, colour: Any, fmt: str, profile: bytes | None, size: int = 64) -> bytes:
    out = io.BytesIO()
    options: dict[str, Any] = {"icc_profile": profile} if profile is not None else {}
    if fmt == "JPEG":
        options["quality"] = 100
        options["subsampling"] = 0
    Image.new(mode, (size, size), colour).save(out, fmt, **options)
    return out.getvalue()


def _upload(design: Design, name: str, data: bytes) -> Attachment:
    response = client_for(design.author).post(
        f"/api/v1/posts/{design.post.pk}/attachments", {"file": upload(name, data)}
    )
    assert response.status_code == 201, response.content
    return Attachment.objects.get(pk=response.json()["id"])


def _served(design: Design, address: str) -> Image.Image:
    response = client_for(design.red.drafter).get(address)
    assert response.status_code == 200
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    image.load()
    return image


def _close(seen: Any, expected: Any, tolerance: int) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(seen, expected, strict=True))


@pytest.mark.parametrize(
    ("fmt", "name", "tolerance"), [("PNG", "p3.png", 0), ("JPEG", "p3.jpg", 2)]
)
def test_a_display_p3_photo_keeps_its_colours_converted_to_srgb_without_its_profile(
    design: Design, fmt: str, name: str, tolerance: int
) -> None:
    """The image and its thumbnail carry no profile, and their pixels are the photo's
    colours in sRGB (not its numbers, which would show it duller)."""
    expected = srgb_from(P3_COLORANTS, 2.2, ORANGE)
    assert expected == [216, 93, 24]
    poster = _upload(design, name, _image("RGB", ORANGE, fmt, rgb_profile(P3_COLORANTS)))
    for address in (
        f"/attachments/{poster.pk}/{poster.name}",
        f"/attachments/{poster.pk}/thumbnail/",
    ):
        image = _served(design, address)
        assert image.info.get("icc_profile") is None
        assert _close(image.convert("RGB").getpixel((5, 5)), expected, tolerance)
        assert not _close(image.convert("RGB").getpixel((5, 5)), ORANGE, 10)


def test_the_profile_decides_what_the_numbers_mean(design: Design) -> None:
    """A profile whose red is sRGB's green: pure red numbers are a green photo, and green is
    what is stored. Proof that the conversion reads the embedded profile, not a guess."""
    swapped = rgb_profile((SRGB_COLORANTS[1], SRGB_COLORANTS[0], SRGB_COLORANTS[2]))
    image = _upload(design, "swapped.png", _image("RGB", (255, 0, 0), "PNG", swapped))
    stored = _served(design, f"/attachments/{image.pk}/swapped.png")
    assert stored.getpixel((0, 0)) == (0, 255, 0)
    assert stored.info.get("icc_profile") is None


def test_transparency_is_kept_through_the_conversion(design: Design) -> None:
    data = _image("RGBA", (*GREEN, 128), "PNG", rgb_profile(P3_COLORANTS))
    image = _served(design, f"/attachments/{_upload(design, 'logo.png', data).pk}/logo.png")
    assert image.mode == "RGBA"
    red, green, blue, alpha = image.getpixel((3, 3))
    assert alpha == 128
    assert _close((red, green, blue), srgb_from(P3_COLORANTS, 2.2, GREEN), 1)


def test_a_grey_photo_with_a_linear_grey_profile_is_brightened_as_its_profile_says(
    design: Design,
) -> None:
    """A grey profile with a linear tone curve: 128 is half the light, which sRGB writes
    188; the image stays grey."""
    image = _upload(design, "grey.png", _image("L", 128, "PNG", grey_profile(1.0)))
    stored = _served(design, f"/attachments/{image.pk}/grey.png")
    assert stored.mode == "L"
    assert stored.getpixel((0, 0)) == 188
    assert stored.info.get("icc_profile") is None


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(None, id="no-profile"),
        pytest.param(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(), id="srgb"),
        pytest.param(b"not a colour profile at all", id="unreadable"),
        pytest.param(
            ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes(),
            id="lab-profile-on-rgb-pixels",
        ),
    ],
)
def test_an_image_in_srgb_or_with_a_profile_that_does_not_apply_keeps_its_numbers(
    design: Design, profile: bytes | None
) -> None:
    """Nothing to convert, or nothing that can be: the image is accepted as browsers would
    show it, its numbers as they were, and still without the profile."""
    image = _upload(design, "plain.png", _image("RGB", ORANGE, "PNG", profile))
    stored = _served(design, f"/attachments/{image.pk}/plain.png")
    assert _close(stored.getpixel((0, 0)), ORANGE, 1)
    assert stored.info.get("icc_profile") is None
