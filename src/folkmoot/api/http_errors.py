"""The few errors django-ninja raises itself, in the same shapes and languages as ours
(issue 10): a body that is not JSON is a 422 naming `body`, a failed CSRF check a refusal
with a reason, anything else keeps its status with a translated `detail`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled


def install(api: NinjaAPI) -> None:
    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            # ninja says "Cannot parse request body", untranslated, for any unreadable body.
            return api.create_response(request, _unreadable_body(), status=422)
        if exc.status_code == 403:
            # Only the CSRF check of a signed-in browser session ends here.
            return api.create_response(request, _csrf_refusal(), status=403)
        if isinstance(exc, Throttled):
            return api.create_response(
                request, {"detail": _("Too many requests: try again later.")}, status=429
            )
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _unreadable_body() -> dict[str, object]:
    message = _("The request body must be a JSON object.")
    return {
        "detail": _("The request is not valid."),
        "errors": [{"field": "body", "message": message, "type": "json_invalid"}],
    }


def _csrf_refusal() -> dict[str, object]:
    message = _("Your browser session needs the CSRF token for this: reload the page.")
    return {"detail": message, "reasons": [{"code": "csrf", "message": message}]}
