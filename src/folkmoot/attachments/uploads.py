"""An upload handler that stops storing an attachment once it is past the limit (FOR-7).

Django writes an upload to a temporary file as it arrives, before any view can look at its
size: without this, a file of any size would fill the disk first and be refused after. This
handler comes first in FILE_UPLOAD_HANDLERS, counts each file's bytes, and once one is past
ATTACHMENTS_MAX_BYTES passes nothing more on (what the next handlers stored so far is closed,
which deletes a temporary file); the rest of the request is read and dropped.

The file is then stood for by `TooBig`, an empty upload of the same name whose `size` is past
the limit, so every form and API endpoint says the usual "too big" on the `file` field
(`actions.check_attach`, `actions.check_write_with_file`). Raising StopUpload instead would
leave no file at all: the page would ask to choose one, a reply would be posted without it,
and every field sent after the file (its text, the form's token) would be lost.

Only the routes that take attachments are limited: other uploads (a federation's roll) have
limits of their own, which may be larger."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

# The page form beside a thing, the reply and new-thread forms, and the API's uploads (named
# by ninja after the first operation on each path: the list, which shares it).
ROUTES = frozenset(
    {
        ("", "attach"),
        ("", "thread-reply"),
        ("", "thread-new"),
        ("api", "post_attachments"),
        ("api", "proposal_attachments"),
        ("api", "moot_attachments"),
    }
)


class TooBig(UploadedFile):
    """A file cut short at the limit: its name and how much of it arrived, no content."""

    def __init__(self, name: str, size: int, content_type: str | None, charset: str | None) -> None:
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class LimitedUpload(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        match = getattr(request, "resolver_match", None)
        self.limited = match is not None and (match.namespace, match.url_name) in ROUTES
        self.limit = settings.ATTACHMENTS_MAX_BYTES
        self.received = 0
        self.over = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.over = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if not self.limited:
            return raw_data
        self.received = start + len(raw_data)
        if self.over:
            return None
        if self.received > self.limit:
            self.over = True
            self._drop_what_others_stored()
            return None  # the next handlers get no more of it
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.over:
            return None  # the next handler's file, as usual
        return TooBig(self.file_name or "file", self.received, self.content_type, self.charset)

    def _drop_what_others_stored(self) -> None:
        # The parser asks them nothing more for this file: what they hold is closed now
        # rather than when the request ends (a temporary file is deleted on closing).
        for handler in getattr(self.request, "upload_handlers", ()):
            stored = getattr(handler, "file", None) if handler is not self else None
            if stored is not None:
                stored.close()
