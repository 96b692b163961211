"""FOR-7: what is accepted and what is stored. Images are judged by their content, decoded,
and stored re-encoded from their pixels alone (no EXIF, no GPS), turned as the camera said,
with a thumbnail; a bad file (too big, of a kind not accepted, markup, a lying name, a
damaged image, a decompression bomb) is refused with a message naming it, and nothing of it
is saved."""

from __future__ import annotations

import html
import io
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import override_settings
from PIL import Image

from folkmoot.attachments.models import Attachment
from folkmoot.audit.models import AuditEvent
from folkmoot.forums.models import Post
from tests.attachments.conftest import (
    PDF,
    Design,
    attach_on_page,
    jpeg_with_gps,
    png,
    stored_files,
    upload,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _page(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def test_a_photo_is_served_without_its_exif_and_gps_turned_upright_with_a_thumbnail(
    design: Design,
) -> None:
    """FOR-7: the location a phone wrote into a photo never reaches readers."""
    original = jpeg_with_gps(size=(40, 20))
    author = client_for(design.author)
    page = attach_on_page(author, "post", design.post.pk, upload("march.jpg", original))
    assert page.status_code == 200
    assert "“march.jpg” is attached" in _page(page)
    attachment = Attachment.objects.get()

    served = client_for(design.red.drafter).get(f"/attachments/{attachment.pk}/march.jpg")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    body = b"".join(served.streaming_content)  # type: ignore[attr-defined]
    assert body != original  # re-encoded, not the upload's bytes
    assert b"Exif" not in body and b"SpyCam" not in body
    image = Image.open(io.BytesIO(body))
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(0x8825) == {}
    # The orientation was applied before it went: 40×20 turned a quarter is 20×40.
    assert image.size == (20, 40)

    thumbnail = client_for(design.red.drafter).get(f"/attachments/{attachment.pk}/thumbnail/")
    assert thumbnail.status_code == 200
    thumb = Image.open(io.BytesIO(b"".join(thumbnail.streaming_content)))  # type: ignore[attr-defined]
    assert max(thumb.size) <= 320


def test_a_large_image_is_capped_and_its_thumbnail_is_small(design: Design) -> None:
    """FOR-7: a stored image is at most ATTACHMENTS_IMAGE_MAX_SIDE on its longest side."""
    with override_settings(ATTACHMENTS_IMAGE_MAX_SIDE=500, ATTACHMENTS_THUMBNAIL_SIDE=100):
        attach_on_page(
            client_for(design.author), "post", design.post.pk, upload("wide.png", png((1500, 300)))
        )
    attachment = Attachment.objects.get()
    assert (attachment.width, attachment.height) == (500, 100)
    reader = client_for(design.red.drafter)
    full = Image.open(
        io.BytesIO(b"".join(reader.get(f"/attachments/{attachment.pk}/wide.png").streaming_content))  # type: ignore[attr-defined]
    )
    thumb = Image.open(
        io.BytesIO(
            b"".join(reader.get(f"/attachments/{attachment.pk}/thumbnail/").streaming_content)
        )  # type: ignore[attr-defined]
    )
    assert full.size == (500, 100)
    assert thumb.size == (100, 20)


BAD_FILES = [
    pytest.param(
        "huge.png",
        png((60, 40)) + b"\0" * (8 * 1024 * 1024),  # past the default limit of 8 MB
        "“huge.png” is too big: a file may be at most 8 MB.",
        id="too-big",
    ),
    pytest.param(
        "setup.exe",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00\x01" * 40,
        "“setup.exe” is not a file of a kind accepted here",
        id="wrong-type",
    ),
    pytest.param(
        "poster.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "“poster.svg” is a web page, an SVG drawing or a script",
        id="svg",
    ),
    pytest.param(
        "poster.png",
        b"<!DOCTYPE html><html><body><script>fetch('/api/v1/')</script></body></html>",
        "“poster.png” is a web page, an SVG drawing or a script",
        id="html-renamed-png",
    ),
    pytest.param(
        "report.png",
        PDF,
        "“report.png” is named as another kind of file, but it is PDF document",
        id="lying-extension",
    ),
    pytest.param(
        "broken.png",
        png((60, 40))[:40] + b"this is not the rest of a PNG" * 10,
        "“broken.png” looks like an image but cannot be read",
        id="corrupt-image",
    ),
    pytest.param(
        "bomb.png",
        # 8,000 × 8,000 pixels (64 million, more than the 40 million allowed) in a few KB.
        png((8000, 8000), mode="1"),
        "“bomb.png” has too many pixels to be read safely (at most 40 million)",
        id="decompression-bomb",
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES)
def test_a_bad_file_is_refused_on_the_page_naming_what_is_wrong_and_nothing_is_saved(
    design: Design, attachment_folder: Path, name: str, data: bytes, message: str
) -> None:
    """FOR-7: each refusal says what is wrong with which file; no row, no bytes, no audit."""
    page = attach_on_page(client_for(design.author), "post", design.post.pk, upload(name, data))
    assert message in _page(page)
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_folder) == []
    assert not AuditEvent.objects.filter(verb="attachment.upload").exists()


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES)
def test_a_bad_file_is_refused_by_the_api_with_a_422_naming_the_file_field(
    design: Design, attachment_folder: Path, name: str, data: bytes, message: str
) -> None:
    """FOR-7 through the API (UI-5): the same refusals, as a 422 on the `file` field."""
    response = client_for(design.author).post(
        f"/api/v1/posts/{design.post.pk}/attachments", {"file": upload(name, data)}
    )
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert error["field"] == "file"
    assert message in error["message"]
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_folder) == []


def test_the_upload_is_recorded_in_the_audit_log_without_its_name_or_contents(
    design: Design,
) -> None:
    """FOR-7: who, on what, how big, of what type; not what it was called or held."""
    attach_on_page(
        client_for(design.author), "post", design.post.pk, upload("minutes-secret.pdf", PDF)
    )
    event = AuditEvent.objects.get(verb="attachment.upload")
    assert event.actor == design.author
    assert event.data == {
        "on": "post",
        "on_id": design.post.pk,
        "size": len(PDF),
        "type": "application/pdf",
    }
    assert "minutes-secret" not in str(event.data)


def test_a_post_carries_at_most_the_set_number_of_files(design: Design) -> None:
    """FOR-7: the per-thing limit, said in words; the refused file is not kept."""
    author = client_for(design.author)
    with override_settings(ATTACHMENTS_PER_THING=1):
        attach_on_page(author, "post", design.post.pk, upload("a.pdf", PDF))
        page = attach_on_page(author, "post", design.post.pk, upload("b.pdf", PDF))
    assert "A post carries at most 1 images and files." in _page(page)
    assert list(Attachment.objects.values_list("name", flat=True)) == ["a.pdf"]


def test_only_the_author_attaches_to_a_post(design: Design) -> None:
    """FOR-7: adding to a post is editing it: its author only."""
    response = client_for(design.red.drafter).post(
        f"/api/v1/posts/{design.post.pk}/attachments", {"file": upload("a.pdf", PDF)}
    )
    assert response.status_code == 403
    assert "Only the author may edit a post." in response.json()["detail"]
    page = attach_on_page(
        client_for(design.red.drafter), "post", design.post.pk, upload("a.pdf", PDF)
    )
    assert "Only the author may edit a post." in _page(page)
    assert Attachment.objects.count() == 0


def test_the_api_uploads_and_lists_a_things_attachments(design: Design) -> None:
    """FOR-7 through the API: a multipart upload, then the list with what to write."""
    author = client_for(design.author)
    made = author.post(
        f"/api/v1/posts/{design.post.pk}/attachments",
        {"file": upload("poster.png", png(), "image/png")},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["kind"] == "image"
    assert body["content_type"] == "image/png"
    assert body["reference"] == f"attachment:{body['id']}"
    assert client_for(design.red.drafter).get(body["thumbnail_url"]).status_code == 200
    listed = client_for(design.red.drafter).get(f"/api/v1/posts/{design.post.pk}/attachments")
    assert [a["name"] for a in listed.json()] == ["poster.png"]


def test_a_reply_carries_an_image_from_the_threads_own_form(design: Design) -> None:
    """FOR-7: the reply form is multipart; the image shows under the new reply."""
    thread_page = _page(
        client_for(design.red.drafter).get(f"/assemblies/red15m/threads/{design.post.thread_id}/")
    )
    assert 'enctype="multipart/form-data"' in thread_page
    assert 'type="file" name="file"' in thread_page
    response = client_for(design.red.drafter).post(
        f"/assemblies/red15m/threads/{design.post.thread_id}/reply/",
        {"body": "My version", "file": upload("version-2.png", png())},
        follow=True,
    )
    assert response.status_code == 200
    reply = Post.objects.get(body="My version")
    image = Attachment.objects.get()
    assert (image.post_id, image.uploader) == (reply.pk, design.red.drafter)
    assert f'<img src="/attachments/{image.pk}/thumbnail/"' in _page(response)


def test_a_reply_with_a_bad_file_saves_nothing_and_keeps_the_text(
    design: Design, attachment_folder: Path
) -> None:
    """FOR-7: the file is judged first: no reply, no file; the page says why and keeps what
    was written, to send again."""
    response = client_for(design.red.drafter).post(
        f"/assemblies/red15m/threads/{design.post.thread_id}/reply/",
        {"body": "Look at this", "file": upload("poster.svg", b"<svg onload='x()'></svg>")},
    )
    assert response.status_code == 403
    page = _page(response)
    assert "“poster.svg” is a web page, an SVG drawing or a script" in page
    assert "Look at this</textarea>" in page
    assert not Post.objects.filter(body="Look at this").exists()
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_folder) == []


def test_a_new_thread_carries_a_file_from_its_form(design: Design) -> None:
    """FOR-7: opening a thread with a PDF: it is on the opening post, as a download."""
    author = client_for(design.author)
    assert 'enctype="multipart/form-data"' in _page(
        author.get("/assemblies/red15m/forums/design/new/")
    )
    response = author.post(
        "/assemblies/red15m/forums/design/new/",
        {"title": "Flyer", "body": "The flyer, to print.", "file": upload("flyer.pdf", PDF)},
        follow=True,
    )
    document = Attachment.objects.get()
    assert document.post == Post.objects.get(body="The flyer, to print.")
    assert f'<a href="/attachments/{document.pk}/flyer.pdf" download>flyer.pdf</a>' in _page(
        response
    )


def _gif() -> bytes:
    frames = [Image.new("P", (30, 20), color) for color in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], comment=b"secret")
    return out.getvalue()


def _webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (0, 90, 0, 128)).save(out, "WEBP")
    return out.getvalue()


def _odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "stored_as", "content_type", "kind"),
    [
        ("banner.gif", _gif(), "banner.png", "image/png", "image"),
        ("banner.webp", _webp(), "banner.webp", "image/webp", "image"),
        ("minutes.odt", _odt(), "minutes.odt", "application/vnd.oasis.opendocument.text", "file"),
        ("notes.md", "Pósters: *two*\n".encode(), "notes.md", "text/plain; charset=utf-8", "file"),
    ],
)
def test_each_accepted_kind_is_stored_as_what_it_is(
    design: Design, name: str, data: bytes, stored_as: str, content_type: str, kind: str
) -> None:
    """FOR-7: a GIF's first frame is kept (as PNG), WebP stays WebP; OpenDocument and text
    files are kept as they came, to be downloaded."""
    made = client_for(design.author).post(
        f"/api/v1/posts/{design.post.pk}/attachments", {"file": upload(name, data)}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["name"], body["content_type"], body["kind"]) == (stored_as, content_type, kind)
    served = client_for(design.red.drafter).get(body["url"])
    content = b"".join(served.streaming_content)  # type: ignore[attr-defined]
    if kind == "image":
        image = Image.open(io.BytesIO(content))
        assert image.size == (30, 20)
        assert getattr(image, "n_frames", 1) == 1
        assert b"secret" not in content
    else:
        assert content == data
        assert served["Content-Disposition"].startswith("attachment;")


def _odt_bomb() -> bytes:
    """An .odt of some 50 KB whose `mimetype` entry, deflated, unpacks to 50 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w") as member:
            member.write(b"application/vnd.oasis.opendocument.text")
            for _ in range(50):
                member.write(bytes(1024 * 1024))
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def test_an_opendocument_whose_mimetype_entry_is_a_zip_bomb_is_refused_without_unpacking(
    design: Design, attachment_folder: Path
) -> None:
    """FOR-7: an OpenDocument file stores its `mimetype` entry uncompressed, in a few bytes;
    one packed to unpack to 50 MB is refused, naming the file, without the server unpacking
    it (the request uses a small part of that memory), and nothing is saved."""
    bomb = _odt_bomb()
    assert len(bomb) < 200_000
    tracemalloc.start()
    try:
        response = client_for(design.author).post(
            f"/api/v1/posts/{design.post.pk}/attachments", {"file": upload("minutes.odt", bomb)}
        )
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert error["field"] == "file"
    assert "“minutes.odt” is not a well-formed OpenDocument file" in error["message"]
    page = attach_on_page(client_for(design.author), "post", design.post.pk, upload("m.odt", bomb))
    assert "“m.odt” is not a well-formed OpenDocument file" in _page(page)
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_folder) == []


class _Stored:
    """How many bytes of each upload reached the temporary file Django writes it to (the
    next tests keep none in memory), which stores whatever it is given."""

    def __init__(self) -> None:
        self.bytes = 0


@pytest.fixture
def stored_by_django(monkeypatch: pytest.MonkeyPatch) -> _Stored:
    stored = _Stored()
    original = TemporaryFileUploadHandler.receive_data_chunk

    def receive(handler: Any, raw_data: bytes, start: int) -> Any:
        stored.bytes += len(raw_data)
        return original(handler, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", receive)
    return stored


LIMIT = 100 * 1024  # ATTACHMENTS_MAX_BYTES in the next tests; their uploads are 1 MB


@override_settings(ATTACHMENTS_MAX_BYTES=LIMIT, FILE_UPLOAD_MAX_MEMORY_SIZE=0)
def test_an_upload_past_the_limit_is_not_stored_past_it_and_is_refused_as_too_big(
    design: Design, attachment_folder: Path, stored_by_django: _Stored
) -> None:
    """FOR-7: a file past the limit stops being written to the server's disk as it arrives
    (the rest is read and dropped), and the person is told it is too big, on the page and
    through the API, as for any file past the limit; nothing is saved."""
    huge = png((60, 40)) + bytes(1024 * 1024)
    page = attach_on_page(
        client_for(design.author), "post", design.post.pk, upload("huge.png", huge)
    )
    assert "“huge.png” is too big: a file may be at most 100 KB." in _page(page)
    assert 0 < stored_by_django.bytes <= LIMIT

    response = client_for(design.author).post(
        f"/api/v1/posts/{design.post.pk}/attachments", {"file": upload("huge.png", huge)}
    )
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert (error["field"], error["message"]) == (
        "file",
        "“huge.png” is too big: a file may be at most 100 KB.",
    )
    assert stored_by_django.bytes <= 2 * LIMIT
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_folder) == []


@override_settings(ATTACHMENTS_MAX_BYTES=LIMIT, FILE_UPLOAD_MAX_MEMORY_SIZE=0)
def test_a_reply_with_a_file_past_the_limit_keeps_its_text_and_says_why(
    design: Design, stored_by_django: _Stored
) -> None:
    """FOR-7: the reply is not posted without its file: the page says the file is too big and
    keeps what was written, to send again."""
    response = client_for(design.red.drafter).post(
        f"/assemblies/red15m/threads/{design.post.thread_id}/reply/",
        {"body": "My version", "file": upload("version-2.pdf", PDF + bytes(1024 * 1024))},
    )
    page = _page(response)
    assert "“version-2.pdf” is too big: a file may be at most 100 KB." in page
    assert "My version</textarea>" in page
    assert not Post.objects.filter(body="My version").exists()
    assert stored_by_django.bytes <= LIMIT
