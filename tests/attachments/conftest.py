"""Images and files for FOR-7's tests: each test stores into its own temporary folder (never
the data directory), and makes its uploads from Pillow or from bytes written here."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image

from folkmoot.forums.actions import do_open_thread
from folkmoot.forums.models import Post
from tests.conftest import client_for
from tests.forums.conftest import Red15m, build_red15m


@pytest.fixture(autouse=True)
def attachment_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "attachments"
    storages = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder},
        },
    }
    with override_settings(STORAGES=storages):
        yield folder


def stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def jpeg_with_gps(size: tuple[int, int] = (40, 20)) -> bytes:
    """A photo as a phone makes it: EXIF naming the camera, where it was taken (GPS), and
    an orientation saying it must be turned a quarter clockwise to be seen upright."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise
    exif[0x010F] = "SpyCam"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (40.0, 25.0, 12.0), 3: "W", 4: (3.0, 42.0, 5.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def png(size: tuple[int, int] = (60, 40), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


@dataclass
class Design:
    """RED15M's Design forum (read and written by citizens, FOR-7's posters), with a thread
    a citizen opened."""

    red: Red15m
    post: Post

    @property
    def author(self) -> Any:
        return self.red.citizen

    def client(self, user: Any = None) -> Client:
        return client_for(user)


@pytest.fixture
def design(db: None) -> Design:
    red = build_red15m()
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="design",
        author=red.citizen,
        title="Poster for the spring march",
        tag="",
        body="A first draft.",
    )
    return Design(red, thread.posts.get())


def attach_on_page(client: Client, kind: str, pk: int, file: Any) -> Any:
    """The plain form beside a post, a proposal or a moot; follows to the page it goes back
    to, which says what happened."""
    return client.post(f"/attachments/on/{kind}/{pk}/", {"file": file}, follow=True)
