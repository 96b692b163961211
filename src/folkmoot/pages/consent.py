"""Cookie consent (UI-2): essential always on; preferences, analytics and statistics,
marketing only when the visitor says yes. The choice itself is an essential cookie."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "folkmoot_consent"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365
OPTIONAL = ("preferences", "analytics", "marketing")


@dataclass(frozen=True)
class Consent:
    given: bool  # has the visitor answered at all (hides the banner)
    preferences: bool = False
    analytics: bool = False
    marketing: bool = False

    def allows(self, category: str) -> bool:
        return category == "essential" or bool(getattr(self, category, False))

    def as_cookie(self) -> str:
        return json.dumps({c: getattr(self, c) for c in OPTIONAL}, separators=(",", ":"))


def read_consent(request: HttpRequest) -> Consent:
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return Consent(given=False)
    try:
        data = json.loads(raw)
    except ValueError:
        return Consent(given=False)
    if not isinstance(data, dict):
        return Consent(given=False)
    return Consent(given=True, **{c: data.get(c) is True for c in OPTIONAL})


def remember_consent(response: HttpResponse, consent: Consent) -> None:
    response.set_cookie(
        COOKIE_NAME,
        consent.as_cookie(),
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    if not consent.preferences:
        # Withdrawing consent removes what the category had stored.
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
