from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string, select_template
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.agenda.items import Agenda
from folkmoot.agenda.kept import agenda_for, kept_agenda
from folkmoot.federation import selectors

from .consent import OPTIONAL, Consent, read_consent, remember_consent

HOME_ITEMS = 20


def home(request: HttpRequest) -> HttpResponse:
    """A visitor reads what Folkmoot is and the federations on it; a signed-in person reads
    what needs them now, their assemblies and what was decided in them (issue 12)."""
    if request.user.is_authenticated:
        # The soonest first; a long list is one click away ("?all"): nobody acts on two
        # hundred things at once, and the page stays quick for those who have them.
        if "all" in request.GET:
            agenda = agenda_for(request)
            return render(request, "pages/home_member.html", _listed(agenda, every=True))
        # The list as rendered is kept with the agenda (issue 11): most of the page's time.
        agenda, needs_you = kept_agenda(
            request,
            show=lambda made: render_to_string(
                "pages/_needs_you.html", _listed(made, every=False), request=request
            ),
        )
        return render(request, "pages/home_member.html", {"agenda": agenda, "needs_you": needs_you})
    roots = selectors.assembly_tree(request.user)
    return render(request, "pages/home.html", {"roots": roots})


def _listed(agenda: Agenda, *, every: bool) -> dict[str, Any]:
    shown = agenda.items if every else agenda.items[:HOME_ITEMS]
    return {"agenda": agenda, "shown": shown, "more": len(agenda.items) - len(shown)}


def help_page(request: HttpRequest, topic: str) -> HttpResponse:
    titles = {
        "assemblies": _("What are assemblies?"),
        "fractal-democracy": _("What is fractal democracy?"),
        "voting": _("How we vote"),
    }
    if topic not in titles:
        raise Http404(_("No such help page."))
    stem = "fractal" if topic == "fractal-democracy" else topic
    language = translation.get_language() or settings.LANGUAGE_CODE
    body = select_template([f"pages/help/{stem}.{language[:2]}.html", f"pages/help/{stem}.en.html"])
    return render(
        request,
        "pages/help.html",
        {
            "title": titles[topic],
            "body_template": body.template.name,
            "topics": titles,
            "topic": topic,
        },
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def cookie_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        choice = request.POST.get("choice")
        if choice == "all":
            consent = Consent(True, True, True, True)
        elif choice == "essential":
            consent = Consent(True)
        else:
            consent = Consent(True, **{c: request.POST.get(c) == "on" for c in OPTIONAL})
        response = redirect(_next_url(request))
        remember_consent(response, consent)
        return response
    return render(
        request,
        "pages/cookies.html",
        {"current": read_consent(request), "next": request.GET.get("next", "/")},
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher (UI-1), without JavaScript. The choice lives in the session
    (essential), in the profile of a signed-in person, and in a long-lived cookie only with
    consent to preference cookies (UI-2)."""
    language = request.POST.get("language", "")
    response = redirect(_next_url(request))
    if language not in dict(settings.LANGUAGES):
        return response
    request.session["folkmoot_language"] = language
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    if read_consent(request).preferences:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and as the trivial baseline of the benchmarks: no database, no
    template, no session."""
    return HttpResponse("ok", content_type="text/plain")
