from django.conf import settings
from django.http import HttpRequest

from .consent import read_consent


def cookie_consent(request: HttpRequest) -> dict[str, object]:
    consent = read_consent(request)
    return {"consent": consent, "cookie_categories": settings.COOKIE_CATEGORIES}
