from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in person's chosen language wins over the browser's (UI-1), unless they
    just picked another one with the switcher (kept in the session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.session.get("folkmoot_language") if hasattr(request, "session") else None
        user = getattr(request, "user", None)
        language = chosen or (user.language if user is not None and user.is_authenticated else "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class ForgetOnSignOutMiddleware:
    """Signing out clears what pages kept in this browser's storage — a ballot's change code
    (docs/secrecy.md) — so the next person at a shared computer finds none of it. Cookies
    are left alone: the cookie consent belongs to the browser, not to the person."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        was_signed_in = bool(user is not None and user.is_authenticated)
        response = self.get_response(request)
        if was_signed_in and not request.user.is_authenticated:
            response["Clear-Site-Data"] = '"storage"'
        return response
