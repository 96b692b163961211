"""No text anywhere holds the NUL character (U+0000): PostgreSQL refuses it in every text
column, so a NUL in a form, a query string or a JSON body used to end in a server error on
PostgreSQL while SQLite stored it. It is refused at the door instead, with a translated
error naming where it was, before any view reads the request."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

# How a NUL arrives: raw, percent-encoded (query strings, forms), or escaped in JSON.
_SPELLINGS = (b"\x00", b"%00", b"\\u0000")
# Bodies read here: multipart uploads are left to their forms (a file may hold NUL bytes).
_TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded")


def _holds_nul(data: bytes) -> bool:
    lowered = data.lower()
    return any(spelling in lowered for spelling in _SPELLINGS)


def _body(request: HttpRequest) -> bytes:
    """The body, or nothing when it is past DATA_UPLOAD_MAX_MEMORY_SIZE: then the view that
    reads it meets the refusal, and the API answers it in JSON (api.errors)."""
    try:
        return request.body
    except RequestDataTooBig:
        return b""


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = ""
        if _holds_nul(request.META.get("QUERY_STRING", "").encode("latin-1", "replace")):
            where = "query"
        elif request.content_type in _TEXT_BODIES and _holds_nul(_body(request)):
            where = "body"
        if not where:
            return self.get_response(request)
        message = _("Text may not contain the NUL character (U+0000).")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("The request is not valid."),
                    "errors": [{"field": where, "message": message, "type": "nul_character"}],
                },
                status=422,
            )
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
