from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event, vText

from folkmoot.accounts.picker import by_public_id, find_people
from folkmoot.decisions.settle import settle_vote
from folkmoot.federation.models import Assembly
from folkmoot.federation.views import assembly_or_404
from folkmoot.governance.audience import may_propose
from folkmoot.governance.protocol import Protocol
from folkmoot.http import AuthedRequest, Request
from folkmoot.moderation.selectors import bars_of
from folkmoot.notifications.reading import seen
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, Refused, reasons_text

from . import selectors
from .appointments import access_tenure, appointment_context, check_appoint, check_end_appointment
from .candidacies import (
    access_own_candidacy,
    candidates_for,
    check_stand,
    check_withdraw,
    races_of,
    stand_answer,
)
from .elections import elections_now
from .tenures import check_resign


def _protocol(request: Request, slug: str) -> tuple[Assembly, Protocol]:
    assembly = assembly_or_404(request, slug)
    in_force = protocol_in_force(assembly)
    if in_force is None:
        raise Http404(
            _("No protocol has been adopted for this assembly or any assembly above it yet.")
        )
    return assembly, in_force.protocol


def _on_the_ballot(candidates: list[Any], user: Any, vote: Any) -> bool:
    """The person stands in the race whose ballot is made (its vote exists): withdrawing
    would change nothing (candidacies.check_withdraw)."""
    return vote is not None and any(
        c.person_id == getattr(user, "pk", None) and c.election_opens_at == vote.opens_at
        for c in candidates
    )


def _in_electorate(vote: Any, user: Any) -> bool:
    if vote is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(vote.electorate.filter(person=user).exists())


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
    past = selectors.past_holders(assembly)
    candidates = candidates_for(assembly, races_of(rows))
    viewer = viewer_for(request.user, assembly, protocol)
    appointing = {r.key: appointment_context(assembly, r.key) for r in rows if not r.elected}
    picking = request.GET.get("office", "")
    may_appoint = {key: bool(ctx.may_appoint(request.user)) for key, ctx in appointing.items()}
    found = (
        find_people(request.GET.get("find", ""), assembly.federation_id)
        if may_appoint.get(picking)
        else []
    )
    away, quiet, fellow = _away_and_quiet(rows, protocol, request.user)
    bars = bars_of(assembly, request.user, protocol.sanctions)
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
                    "stand": (stand := stand_answer(protocol, r, viewer, bars)),
                    "stand_why": reasons_text(stand),
                    # Art. 8.3: who may propose recalling a holder, by the kind that does.
                    "recall_kind": r.rule.recalled_by
                    if r.rule.recalled_by
                    and r.rule.recalled_by in protocol.decision_kinds
                    and may_propose(protocol, r.rule.recalled_by, viewer, timezone.localdate())
                    else "",
                    "election_vote": elections.get(r.key),
                    "on_the_ballot": _on_the_ballot(
                        candidates.get(r.key, []), request.user, elections.get(r.key)
                    ),
                    # The button asks to vote (or make a voting key) only of the electorate.
                    "my_vote": _in_electorate(elections.get(r.key), request.user),
                    "holding": any(
                        h.person.pk == getattr(request.user, "pk", None) for h in r.holders
                    ),
                    "appointing": appointing[r.key].appointing if r.key in appointing else None,
                    "appointing_office": (
                        protocol.offices[r.rule.appointed_by.office].name.get(language)
                        if r.rule.appointed_by and r.rule.appointed_by.office in protocol.offices
                        else ""
                    ),
                    "may_appoint": may_appoint.get(r.key, False),
                    "past": past.get(r.key, []),
                    "holders": [
                        (h, away.get(h.tenure_id), quiet.get(h.tenure_id)) for h in r.holders
                    ],
                    # Fellow holders read each other's reasons and quiet spells (OFF-6).
                    "fellow": r.key in fellow,
                    "asks_notice": r.rule.inactivity_notice_days,
                }
                for r in rows
            ],
            "timezone_name": protocol.timezone,
            "picking": picking,
            "find": request.GET.get("find", ""),
            "found": found,
        },
    )


def _away_and_quiet(
    rows: list[Any], protocol: Protocol, user: Any
) -> tuple[dict[int, Any], dict[int, Any], set[str]]:
    """OFF-6: who is away today (for everyone: one query), and, for the offices the viewer
    holds (or for staff), each fellow holder's quiet spell. Returns (away by tenure, quiet by
    tenure, the offices whose fellows the viewer is)."""
    from .absences import quiet_of, zone_of
    from .models import Absence, Tenure

    zone = zone_of(protocol)
    today = timezone.now().astimezone(zone).date()
    ids = [h.tenure_id for r in rows for h in r.holders]
    away = {
        a.tenure_id: a
        for a in Absence.objects.filter(
            tenure_id__in=ids, starts_on__lte=today, ends_on__gte=today
        ).order_by("ends_on")
    }
    pk = getattr(user, "pk", None)
    fellow = {
        r.key
        for r in rows
        if getattr(user, "is_staff", False) or any(h.person.pk == pk for h in r.holders)
    }
    rules = {
        r.key: r.rule for r in rows if r.key in fellow and r.rule.inactivity_notice_days is not None
    }
    watched = [h.tenure_id for r in rows if r.key in rules for h in r.holders]
    tenures = Tenure.objects.filter(pk__in=watched).select_related("office")
    quiet = {t.pk: quiet_of(t, rules[t.office.slug], zone) for t in tenures}
    return away, quiet, fellow


@login_required
@require_POST
def declare_absence(request: AuthedRequest, slug: str, office: str) -> HttpResponse:
    """OFF-6: a holder tells the others they will be away."""
    from .absences import check_declare_absence

    assembly = assembly_or_404(request, slug)
    try:
        check_declare_absence(
            request.user,
            assembly,
            office,
            starts_on=_date(request.POST.get("starts_on", "")),
            ends_on=_date(request.POST.get("ends_on", "")),
            reason=request.POST.get("reason", ""),
        )
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Your absence is on the record: your fellow holders are told."))
    return redirect("offices", slug)


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
    upcoming = selectors.upcoming_elections(protocol, now) if assembly.closed_at is None else []
    for key, rule, window in upcoming:
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


def _date(text: str) -> Any:
    try:
        return parse_date(text.strip()) if text.strip() else None
    except ValueError:  # well formed, but no such day (2026-02-30)
        return None


@login_required
@require_POST
def appoint(request: Request, slug: str, office: str) -> HttpResponse:
    """Issue 13: the appointing office chooses a person (picked by name) and a term."""
    assembly = assembly_or_404(request, slug)
    try:
        ctx = appointment_context(assembly, office)
        person = by_public_id(request.POST.get("person", ""))
        if person is None:
            messages.error(request, _("Choose the person to appoint."))
            return redirect(f"{reverse('offices', args=[slug])}?office={office}")
        until = _date(request.POST.get("until", ""))
        if request.POST.get("until") and until is None:
            messages.error(request, _("Give the last day of the term as a date."))
            return redirect(f"{reverse('offices', args=[slug])}?office={office}")
        replacing = (
            access_tenure(ctx, int(request.POST["replacing"]))
            if request.POST.get("replacing", "").isdigit()
            else None
        )
        tenure = check_appoint(
            request.user,
            ctx,
            person,
            until=until,
            until_replaced=request.POST.get("until_replaced") == "1",
            replacing=replacing,
        )
    except NotFound as missing:
        raise Http404(_("No such office.")) from missing
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
        return redirect(f"{reverse('offices', args=[slug])}?office={office}")
    messages.success(request, _("%(name)s is appointed.") % {"name": tenure.holder})
    return redirect("offices", slug)


@login_required
@require_POST
def end_appointment(request: Request, slug: str, office: str, pk: int) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    try:
        ctx = appointment_context(assembly, office)
        tenure = check_end_appointment(request.user, ctx, access_tenure(ctx, pk))
    except NotFound as missing:
        raise Http404(_("No such office.")) from missing
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    else:
        messages.success(
            request, _("The appointment of %(name)s has ended.") % {"name": tenure.holder}
        )
    return redirect("offices", slug)


@login_required
@require_POST
def withdraw(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    try:
        candidacy = access_own_candidacy(request.user, assembly_or_404(request, slug), pk)
    except NotFound as missing:
        raise Http404(_("No such candidacy.")) from missing
    try:
        check_withdraw(candidacy=candidacy, actor=request.user)
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
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
