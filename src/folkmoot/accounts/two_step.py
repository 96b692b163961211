"""Two-step sign-in where the protocol asks it (issue 13): staff, and holders of offices whose
powers the protocol's `two_step.for_powers` names (the presets: moderate, launch votes),
add a passkey or an authenticator app (allauth.mfa) within the grace the protocol gives
after taking office. Until then a banner says by when; after it, the pages (not the API,
whose tokens are made while signed in) lead to the two-step settings until one is added.

What is owed is read when the person signs in and then at most once a day per session, so
a signed-in page costs no query for it; adding or removing an authenticator reads it again
at once. `FOLKMOOT_TWO_STEP_ENFORCED` (on unless the settings say otherwise; the test
settings turn it off, and the tests of this module on) decides whether the pages lead to
the settings once the grace is over; the reminder shows either way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

STAFF_GRACE = timedelta(days=14)
RECHECK = timedelta(days=1)
SESSION_KEY = "folkmoot_two_step"
# Where someone who owes a second step may still go: signing in and out and setting it up
# (allauth), the API, static files, the language switch, and the health check.
OPEN_PATHS = ("/accounts/", "/static/", "/i18n/", "/healthz/", "/dev/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def two_step_due(user: Any, now: datetime) -> datetime | None:
    """When this person must have a second step, or None when they need none or have one."""
    from folkmoot.offices.models import Tenure
    from folkmoot.protocols.selectors import InForceByAssembly

    if Authenticator.objects.filter(user=user).exclude(type="recovery_codes").exists():
        return None
    deadlines = [user.date_joined + STAFF_GRACE] if user.is_staff else []
    protocols = InForceByAssembly()
    for tenure in (
        Tenure.objects.in_office(now).filter(holder=user).select_related("office__assembly__root")
    ):
        protocol = protocols(tenure.office.assembly)
        rule = protocol.offices.get(tenure.office.slug) if protocol is not None else None
        if protocol is None or rule is None:
            continue
        if set(rule.powers) & set(protocol.two_step.for_powers):
            deadlines.append(tenure.started_at + timedelta(days=protocol.two_step.grace_days))
    return min(deadlines) if deadlines else None


def remember(request: HttpRequest, user: Any, now: datetime) -> datetime | None:
    due = two_step_due(user, now)
    request.session[SESSION_KEY] = [now.isoformat(), due.isoformat() if due else None]
    return due


def due_for(request: HttpRequest, now: datetime) -> datetime | None:
    """`two_step_due` for the signed-in person, as remembered in the session; read once per
    request (the middleware and the page's banner both ask)."""
    if hasattr(request, "two_step_due"):
        return request.two_step_due
    due = _due_for(request, now)
    request.two_step_due = due  # type: ignore[attr-defined]
    return due


def _due_for(request: HttpRequest, now: datetime) -> datetime | None:
    user = request.user
    if not getattr(user, "is_authenticated", False) or not hasattr(request, "session"):
        return None
    kept = request.session.get(SESSION_KEY)
    if kept and (checked := parse_datetime(kept[0])) and timedelta(0) <= now - checked < RECHECK:
        return parse_datetime(kept[1]) if kept[1] else None
    return remember(request, user, now)


@receiver(user_logged_in)
def _on_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        remember(request, user, timezone.now())


@receiver(authenticator_added)
@receiver(authenticator_removed)
@receiver(authenticator_reset)
def _forget(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)


class TwoStepMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            # A program's bearer token was made while signed in; a browser session acting
            # through the API is held to the same rule as the pages.
            if "HTTP_AUTHORIZATION" not in request.META and request.method not in SAFE_METHODS:
                now = timezone.now()
                due = due_for(request, now)
                if due is not None and due <= now and settings.FOLKMOOT_TWO_STEP_ENFORCED:
                    text = _(
                        "Your office asks you to sign in with a second step: add a passkey "
                        "or an authenticator app to go on."
                    )
                    return JsonResponse(
                        {"detail": text, "reasons": [{"code": "two_step_needed", "message": text}]},
                        status=403,
                    )
        elif not request.path.startswith(OPEN_PATHS):
            now = timezone.now()
            due = due_for(request, now)
            if due is not None and due <= now and settings.FOLKMOOT_TWO_STEP_ENFORCED:
                messages.warning(
                    request,
                    _(
                        "Your office asks you to sign in with a second step: add a passkey "
                        "or an authenticator app to go on."
                    ),
                )
                return redirect("mfa_index")
        return self.get_response(request)


def banner(request: HttpRequest) -> dict[str, Any]:
    """The context processor: the day a second step becomes necessary, while it is ahead."""
    if request.path.startswith((*OPEN_PATHS, "/api/")):
        return {}
    due = due_for(request, timezone.now())
    return {"two_step_due": due} if due is not None else {}
