"""Every bad call gets a JSON error naming what is wrong, in the caller's language, and
changes nothing (issue 2)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from folkmoot.refusals import Invalid, NotFound, Refused


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_too_long", "too_long"}:
        return _("Ensure this value has at most %(max)s characters.") % {
            "max": ctx.get("max_length", "?")
        }
    if kind in {"string_too_short", "too_short"}:
        return _("Ensure this value has at least %(min)s characters.") % {
            "min": ctx.get("min_length", "?")
        }
    if kind in {"int_parsing", "int_type"}:
        return _("Enter a whole number.")
    if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "extra_forbidden":
        return _("This field is not allowed here.")
    if kind in {"json_invalid", "model_attributes_type", "dict_type"}:
        return _("The request body must be a JSON object.")
    if kind == "value_error":
        return str(ctx.get("error") or error.get("msg", ""))
    return _("This value is not valid.")


def _field(error: dict[str, Any]) -> str:
    loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query", "path")]
    return ".".join(loc) or "body"


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": _field(e), "message": _message(e), "type": e.get("type", "")}
            for e in exc.errors
        ]
        return api.create_response(
            request, {"detail": _("The request is not valid."), "errors": errors}, status=422
        )

    @api.exception_handler(Invalid)
    def invalid(request: HttpRequest, exc: Invalid) -> HttpResponse:
        errors = [
            {"field": f, "message": m, "type": c}
            for f, m, c in zip(exc.fields, exc.messages, exc.codes, strict=True)
        ]
        return api.create_response(
            request, {"detail": _("The request is not valid."), "errors": errors}, status=422
        )

    @api.exception_handler(Refused)
    def refused(request: HttpRequest, exc: Refused) -> HttpResponse:
        reasons = [{"code": c, "message": m} for c, m in zip(exc.codes, exc.messages, strict=True)]
        return api.create_response(
            request, {"detail": " ".join(exc.messages), "reasons": reasons}, status=403
        )

    @api.exception_handler(NotFound)
    def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # A body past DATA_UPLOAD_MAX_MEMORY_SIZE is not read; what is large (a guardian's
        # shuffle of many ballots, issue 16) goes as a multipart file to its /file address.
        mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        text = _(
            "The request is larger than %(mb)s MB. Send a large file as a multipart upload: "
            "each step a guardian hands back also has a …/file address."
        ) % {"mb": f"{mb:g}"}
        return api.create_response(
            request,
            {"detail": text, "reasons": [{"code": "too_large", "message": text}]},
            status=413,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, {"detail": _("Sign in, or send a valid API token.")}, status=401
        )
