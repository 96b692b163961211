"""Who is calling the API: a bearer token (`Authorization: Bearer fm_…`, made on the
profile's token page) or the browser session (writes then need the CSRF token)."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from folkmoot.accounts.actions import authenticate_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class BrowserSession(SessionAuth):
    """The signed-in browser session; its writes need the CSRF token. Someone not signed in
    has no session to protect, so they are told to sign in (401), not about CSRF (403)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


def optional_auth(request: HttpRequest) -> Any:
    """Reads are open to anonymous visitors, who see what anonymous may see. A bearer token
    that is present but wrong is refused rather than silently ignored."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = authenticate_token(header[7:].strip())
        if user is None:
            return None
        request.user = user
        return user
    return getattr(request, "user", None) or AnonymousUser()


REQUIRED = [BearerToken(), BrowserSession()]
OPTIONAL = [optional_auth]
