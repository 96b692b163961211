from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event, vText

from folkmoot.decisions.settle import settle_vote
from folkmoot.federation.models import Assembly
from folkmoot.federation.views import assembly_or_404
from folkmoot.governance.audience import check_candidacy
from folkmoot.governance.protocol import Protocol
from folkmoot.http import AuthedRequest, Request
from folkmoot.notifications.reading import seen
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, Refused

from . import selectors
from .candidacies import access_own_candidacy, candidates_for, check_stand, do_withdraw, races_of
from .elections import check_resign, elections_now


def _protocol(request: Request, slug: str) -> tuple[Assembly, Protocol]:
    assembly = assembly_or_404(request, slug)
    in_force = protocol_in_force(assembly)
    if in_force is None:
        raise Http404(
            _("No protocol has been adopted for this assembly or any assembly above it yet.")
        )
    return assembly, in_force.protocol


def offices_page(request: Request, slug: str) -> HttpResponse:
    assembly, protocol = _protocol(request, slug)
    seen(request, kind__in=["candidacy", "term_ending"], assembly=assembly)
    language = get_language() or "en"
    # An election whose window is open (or just closed) exists as a vote from the first look,
    # and a closed one takes effect (its winners take office) when first read.
    elections: dict[str, Any] = {}
    for vote in elections_now(assembly, protocol, timezone.now()):
        settle_vote(vote)
        # The open election comes first: the one that closed last must not replace it.
        elections.setdefault(vote.office.slug, vote)
    rows = selectors.offices_of(assembly, protocol)
    candidates = candidates_for(assembly, races_of(rows))
    viewer = viewer_for(request.user, assembly, protocol)
    today = timezone.localdate()
    return render(
        request,
        "offices/offices.html",
        {
            "assembly": assembly,
            "rows": [
                {
                    "row": r,
                    "name": r.rule.name.get(language),
                    "description": r.rule.description.get(language) if r.rule.description else "",
                    "candidates": candidates.get(r.key, []),
                    "mine": next(
                        (
                            c
                            for c in candidates.get(r.key, [])
                            if c.person_id == getattr(request.user, "pk", None)
                        ),
                        None,
                    ),
                    "stand": check_candidacy(
                        protocol,
                        r.key,
                        viewer,
                        today,
                        vacancies=r.vacancies,
                        voting_now=r.election_open,
                    ),
                    "election_vote": elections.get(r.key),
                    "holding": any(
                        h.person.pk == getattr(request.user, "pk", None) for h in r.holders
                    ),
                }
                for r in rows
            ],
            "timezone_name": protocol.timezone,
        },
    )


def calendar_feed(request: Request, slug: str) -> HttpResponse:
    """BEY-5: the assembly's upcoming elections as iCalendar, for any calendar program."""
    assembly, protocol = _protocol(request, slug)
    language = get_language() or "en"
    calendar = Calendar()
    calendar.add("prodid", "-//Folkmoot//Elections//EN")
    calendar.add("version", "2.0")
    name = " ".join(f"{assembly.title}: {_('Elections')}".split())
    calendar.add("x-wr-calname", vText(name))  # escaped: titles may hold , ; and line breaks
    now = timezone.now()
    for key, rule, window in selectors.upcoming_elections(protocol, now):
        event = Event()
        event.add("uid", f"election-{assembly.pk}-{key}-{window.opens_at:%Y%m%dT%H%M%SZ}@folkmoot")
        event.add("dtstamp", now)
        event.add("dtstart", window.opens_at)
        event.add("dtend", window.closes_at)
        event.add("summary", _("Election: %(office)s") % {"office": rule.name.get(language)})
        event.add("url", request.build_absolute_uri(f"/assemblies/{assembly.slug}/offices/"))
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = f"max-age={int(timedelta(minutes=15).total_seconds())}"
    return response


@login_required
@require_POST
def stand(request: Request, slug: str, office: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    try:
        check_stand(request.user, assembly, office, statement=request.POST.get("statement", ""))
    except NotFound as missing:
        raise Http404(_("No such office.")) from missing
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("You are standing. Good luck!"))
    return redirect("offices", slug)


@login_required
@require_POST
def withdraw(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    try:
        candidacy = access_own_candidacy(request.user, assembly_or_404(request, slug), pk)
    except NotFound as missing:
        raise Http404(_("No such candidacy.")) from missing
    do_withdraw(candidacy=candidacy, actor=request.user)
    return redirect("offices", slug)


@login_required
@require_POST
def resign(request: AuthedRequest, slug: str, office: str) -> HttpResponse:
    """OFF-4: the seat passes to the next candidate of the last result, else it is vacant."""
    assembly = assembly_or_404(request, slug)
    try:
        successor = check_resign(request.user, assembly, office)
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
        return redirect("offices", slug)
    if successor is not None:
        messages.success(
            request,
            _("You have resigned; %(name)s takes the seat.") % {"name": successor.holder},
        )
    else:
        messages.success(request, _("You have resigned; the seat is vacant."))
    return redirect("offices", slug)
