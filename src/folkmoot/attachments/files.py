"""What an upload is, judged by its content, never by its name or the type the browser sent
(FOR-7): images are decoded with Pillow and re-encoded, so no metadata (EXIF, GPS, comments,
colour profiles) and nothing hidden after the pixels survives — an image's colour profile
is first applied, converting its pixels to sRGB, so that a photo taken in Adobe RGB or
Display P3 keeps its colours once the profile is gone; other files come from a short
allow-list and are kept as they are, to be served only as downloads. Markup (HTML, SVG, XML)
and scripts are refused whatever they are called.

Nothing here touches the database or the storage: `prepare` either returns what would be
stored or raises `Invalid` naming what is wrong, so a bad file saves nothing."""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.refusals import Invalid


@dataclass(frozen=True)
class FileType:
    label: str  # said to people, translated when shown
    content_type: str  # what the response says; always one of ours
    extensions: tuple[str, ...]  # names it may carry; the first is the one it is stored with
    image: bool = False


# Images are stored in the format they came in, except GIF: its first frame is stored as PNG
# (an animation is many images; the first is what a poster shows).
JPEG = FileType(gettext_noop("JPEG image"), "image/jpeg", (".jpg", ".jpeg", ".jpe"), True)
PNG = FileType(gettext_noop("PNG image"), "image/png", (".png",), True)
WEBP = FileType(gettext_noop("WebP image"), "image/webp", (".webp",), True)
GIF = FileType(gettext_noop("GIF image"), "image/png", (".gif",), True)
PDF = FileType(gettext_noop("PDF document"), "application/pdf", (".pdf",))
TEXT = FileType(
    gettext_noop("plain text"), "text/plain; charset=utf-8", (".txt", ".md", ".csv", ".text", "")
)
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": FileType(
        gettext_noop("OpenDocument text"), "application/vnd.oasis.opendocument.text", (".odt",)
    ),
    "application/vnd.oasis.opendocument.spreadsheet": FileType(
        gettext_noop("OpenDocument spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
        (".ods",),
    ),
    "application/vnd.oasis.opendocument.presentation": FileType(
        gettext_noop("OpenDocument presentation"),
        "application/vnd.oasis.opendocument.presentation",
        (".odp",),
    ),
    "application/vnd.oasis.opendocument.graphics": FileType(
        gettext_noop("OpenDocument drawing"),
        "application/vnd.oasis.opendocument.graphics",
        (".odg",),
    ),
}
# MPO is how Pillow names the JPEG many phones write (a JPEG with a second picture after it).
PILLOW_FORMATS = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG, "WEBP": WEBP, "GIF": GIF}

# Names a browser or a desktop would render as a page or run as a script, whatever is inside
# (programs are refused by their content: none is of an accepted kind).
DANGEROUS_EXTENSIONS = {
    ".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz", ".xml", ".xsl", ".js", ".mjs",
    ".hta", ".sh", ".bash", ".bat", ".cmd", ".ps1", ".vbs", ".php", ".py", ".pl", ".rb",
    ".desktop",
}  # fmt: skip
_MARKUP = re.compile(rb"^\s*(<\?xml|<!doctype|<html|<svg|<script|<head|<body|<!--|<\w)", re.I)


@dataclass(frozen=True)
class Prepared:
    """An upload found good: what would be stored, and what the audit log says of it."""

    kind: str  # "image" | "file"
    name: str
    content_type: str
    content: bytes
    thumbnail: bytes = b""
    width: int | None = None
    height: int | None = None

    @property
    def extension(self) -> str:
        return "." + self.name.rsplit(".", 1)[-1] if "." in self.name else ""


def _invalid(code: str, template: str, **params: Any) -> Invalid:
    return Invalid(Answer.no(Reason(code, template, params)), ["file"])


def prepare(name: str, data: bytes) -> Prepared:
    """The upload `name` with bytes `data`, judged and, for an image, remade."""
    name = clean_name(name)
    if len(data) > settings.ATTACHMENTS_MAX_BYTES:
        raise too_big(name, len(data))
    if not data:
        raise _invalid("file_empty", gettext_noop("“%(name)s” is empty."), name=name)
    extension = _extension(name)
    head = data[:512].removeprefix(b"\xef\xbb\xbf")  # a text's byte order mark hides nothing
    if extension in DANGEROUS_EXTENSIONS or _MARKUP.match(head) or head.startswith(b"#!"):
        raise _invalid(
            "file_markup",
            gettext_noop(
                "“%(name)s” is a web page, an SVG drawing or a script: these are not accepted, "
                "as they could run in readers' browsers."
            ),
            name=name,
        )
    kind = _sniff(name, data)
    if kind is None:
        raise _invalid(
            "file_type",
            gettext_noop(
                "“%(name)s” is not a file of a kind accepted here: JPEG, PNG, WebP or GIF "
                "images, PDF, plain text or OpenDocument files."
            ),
            name=name,
        )
    if extension not in kind.extensions:
        raise _invalid(
            "file_name_lies",
            gettext_noop("“%(name)s” is named as another kind of file, but it is %(kind)s."),
            name=name,
            kind=Reason("kind", kind.label),
        )
    if kind.image:
        return _remade_image(name, data)
    return Prepared("file", name, kind.content_type, data)


def too_big(name: str, size: int) -> Invalid:
    """`size` is what was received, which for an upload cut short at the limit
    (`uploads.LimitedUpload`) is just past it: only the limit is said."""
    return _invalid(
        "file_too_big",
        gettext_noop("“%(name)s” is too big: a file may be at most %(limit)s."),
        name=clean_name(name),
        limit=_round_size(settings.ATTACHMENTS_MAX_BYTES),
    )


def _round_size(size: int) -> Reason | str:
    """A limit as people set it: "8 MB", not "8.0 MB" (filesizeformat keeps one decimal)."""
    for unit, factor in ((gettext_noop("%(n)s MB"), 1024**2), (gettext_noop("%(n)s KB"), 1024)):
        if size >= factor and size % factor == 0:
            return Reason("size", unit, {"n": size // factor})
    return str(filesizeformat(size))


def _extension(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def clean_name(name: str) -> str:
    """A name fit to show and to offer on download: no folders, no control characters, no
    quotes that would end a header's value, not too long."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '"<>')
    name = name.strip().strip(".") or "file"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 110 - len(ext)] + dot + ext) if dot and len(ext) <= 8 else name[:120]
    return name


def _sniff(name: str, data: bytes) -> FileType | None:
    """The allowed type the bytes are, by their first bytes (and, for OpenDocument, the
    `mimetype` member its standard puts first); None for anything else. Raises `Invalid`
    for an archive whose `mimetype` could not be read safely."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _opendocument(name, data)
    if _is_text(data):
        return TEXT
    return None


# The longest `mimetype` an OpenDocument file has is under 60 bytes; its standard stores the
# member uncompressed, so nothing larger, and nothing packed, is one.
_MIMETYPE_MAX = 100


def _opendocument(name: str, data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("mimetype")
            # A packed member may unpack to gigabytes from a few kilobytes (a zip bomb): only a
            # short one stored as it is will do, and as the directory giving its size may lie,
            # no more than _MIMETYPE_MAX bytes of it are read whatever it says.
            if info.file_size > _MIMETYPE_MAX or info.compress_type != zipfile.ZIP_STORED:
                raise _invalid(
                    "opendocument_malformed",
                    gettext_noop(
                        "“%(name)s” is not a well-formed OpenDocument file: its “mimetype” "
                        "entry is compressed or too long."
                    ),
                    name=name,
                )
            with archive.open(info) as member:
                declared = member.read(_MIMETYPE_MAX).decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    return OPENDOCUMENT.get(declared)


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\n\r\f" for c in text[:4096])


def _remade_image(name: str, data: bytes) -> Prepared:
    """Decode, turn as the camera said (the orientation is metadata too, and goes), cap its
    size, and encode anew from the pixels alone."""
    corrupt = _invalid(
        "image_corrupt",
        gettext_noop("“%(name)s” looks like an image but cannot be read: it may be damaged."),
        name=name,
    )
    max_pixels = settings.ATTACHMENTS_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow warns past MAX_IMAGE_PIXELS and refuses only past twice that: here the
            # warning is already a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                kind = PILLOW_FORMATS.get(opened.format or "")
                if kind is None:
                    raise corrupt
                width, height = opened.size
                if width * height > max_pixels:  # read from the header, before decoding
                    raise _bomb(name, width, height)
                opened.seek(0)  # the first frame of an animation
                opened.load()
                profile = opened.info.get("icc_profile")
                image = ImageOps.exif_transpose(opened) or opened
                image = _in_srgb(image, profile)
                image = _pixels_only(image, kind)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
        raise _bomb(name, 0, 0) from bomb
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as broken:
        raise corrupt from broken
    side = settings.ATTACHMENTS_IMAGE_MAX_SIDE
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    thumbnail = image.copy()
    thumb_side = settings.ATTACHMENTS_THUMBNAIL_SIDE
    thumbnail.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stored = kind if kind is not GIF else PNG
    return Prepared(
        kind="image",
        name=stem + stored.extensions[0],
        content_type=stored.content_type,
        content=_encode(image, stored),
        thumbnail=_encode(thumbnail, stored),
        width=image.width,
        height=image.height,
    )


def _bomb(name: str, width: int, height: int) -> Invalid:
    return _invalid(
        "image_too_many_pixels",
        gettext_noop(
            "“%(name)s” has too many pixels to be read safely (at most %(limit)s million)."
        ),
        name=name,
        limit=settings.ATTACHMENTS_MAX_PIXELS // 1_000_000 or 1,
    )


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _in_srgb(image: Image.Image, profile: Any) -> Image.Image:
    """The image's pixels converted from its embedded ICC profile to sRGB, what browsers
    assume of an image without one: the profile goes with the rest of the metadata, and
    without this step a photo in a wider space (a camera's Adobe RGB, a phone's Display P3)
    would come out dull, its colours read as if they were sRGB numbers. Perceptual
    intent, as for photographs; transparency is kept as it was. An image without a profile
    is left as it is, and so is one whose profile LittleCMS cannot read or that does not
    describe the image's colours (a grey profile on a colour image), as browsers ignore
    such a profile."""
    if not profile or not isinstance(profile, bytes):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        space = str(source.profile.xcolor_space).strip()
    except (OSError, ImageCms.PyCMSError):
        return image
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    alpha = None
    if space == "RGB" and image.mode not in ("CMYK", "I", "F", "I;16"):
        mode = "RGBA" if has_alpha else "RGB"
    elif space == "GRAY" and image.mode in ("1", "L", "LA", "P", "PA"):
        mode = "L"
        if has_alpha:
            alpha = image.convert("LA").getchannel("A")
    elif space == "CMYK" and image.mode == "CMYK":
        mode = "CMYK"
    else:
        return image
    try:
        converted = ImageCms.profileToProfile(
            image if image.mode == mode else image.convert(mode),
            source,
            _SRGB,
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            outputMode="RGBA" if mode == "RGBA" else "RGB",
        )
    except (OSError, ValueError, ImageCms.PyCMSError):
        return image
    if converted is None:  # only when converting in place, which this does not
        return image
    if mode == "L":
        converted = converted.convert("L")  # still grey, in sRGB's tone curve now
        if alpha is not None:
            converted = converted.convert("LA")
            converted.putalpha(alpha)
    return converted


def _pixels_only(image: Image.Image, kind: FileType) -> Image.Image:
    """A new image made of the pixels alone: no `info` (EXIF, XMP, ICC, text chunks) is
    carried, whatever each encoder would otherwise copy across."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if kind is JPEG:
        mode = "L" if image.mode in ("L", "1") else "RGB"
    else:
        mode = "RGBA" if has_alpha else ("L" if image.mode in ("L", "1") else "RGB")
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _encode(image: Image.Image, kind: FileType) -> bytes:
    out = io.BytesIO()
    if kind is JPEG:
        image.save(out, "JPEG", quality=85, optimize=True)
    elif kind is WEBP:
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()
