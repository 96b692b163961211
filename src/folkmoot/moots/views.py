"""The pages of moots (issue 14): thin, over the same actions as the API (DESIGN.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from icalendar import Calendar

from folkmoot.federation.views import assembly_or_404
from folkmoot.governance.moots import check_still_to_come, may_see
from folkmoot.http import Request
from folkmoot.notifications.reading import seen
from folkmoot.refusals import NotFound, Refused, reasons_text

from . import actions, agenda, series
from .actions import in_assembly_time
from .feeds import moot_event
from .forms import MootEditForm, MootForm, PointForm
from .minutes import writes_minutes
from .models import AgendaPoint, Moot, Registration


def _access(request: Request, pk: int) -> tuple[actions.MootContext, Moot]:
    try:
        return actions.access_moot(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such moot.")) from missing


def _refused(request: Request, refused: Refused) -> None:
    for text in refused.messages:
        messages.error(request, text)


@in_assembly_time
def assembly_moots(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    ctx = actions.moot_context(request.user, assembly)
    now = timezone.now()
    today = timezone.localdate()
    visible = [
        m
        for m in Moot.objects.filter(assembly=assembly).select_related("facilitator")
        if may_see(ctx.protocol, ctx.viewer, today, private=m.private)
    ]
    timezone.activate(actions.zone_of(ctx))  # the assembly's times, until the response
    return render(
        request,
        "moots/index.html",
        {
            "assembly": assembly,
            "coming": [m for m in visible if m.ends_at > now and m.cancelled_at is None],
            "past": sorted(
                (m for m in visible if m.ends_at <= now or m.cancelled_at is not None),
                key=lambda m: m.starts_at,
                reverse=True,
            )[:50],
            "may_call": bool(ctx.may_call()),
            "has_moots": ctx.protocol is not None and ctx.protocol.moots is not None,
        },
    )


@login_required
@in_assembly_time
def moot_new(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    ctx = actions.moot_context(request.user, assembly)
    allowed = ctx.may_call()
    if not allowed:
        return render(
            request,
            "moots/refused.html",
            {"assembly": assembly, "reasons": reasons_text(allowed)},
            status=403,
        )
    timezone.activate(actions.zone_of(ctx))  # the form reads and shows the assembly's times
    form = MootForm(
        request.POST if request.method == "POST" else None,
        federation_id=assembly.federation_id,
        initial={
            "starts_at": (timezone.localtime() + timedelta(days=7)).replace(
                hour=19, minute=0, second=0, microsecond=0
            ),
            "ends_at": (timezone.localtime() + timedelta(days=7)).replace(
                hour=21, minute=0, second=0, microsecond=0
            ),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            moot = actions.check_call_moot(request.user, ctx, fields=form.cleaned_data)
        except Refused as refused:
            for text in refused.messages:
                form.add_error(None, text)
        else:
            messages.success(request, _("The moot is called: the assembly is told."))
            return redirect(moot)
    return render(
        request,
        "moots/new.html",
        {"assembly": assembly, "form": form, "zone": timezone.get_current_timezone_name()},
        status=400 if request.method == "POST" else 200,
    )


@in_assembly_time
def moot_detail(request: Request, pk: int) -> HttpResponse:
    ctx, moot = _access(request, pk)
    timezone.activate(actions.zone_of(ctx))  # the assembly's times, until the response
    if request.user.is_authenticated:
        seen(
            request,
            subject_id=moot.pk,
            kind__in=["moot_called", "moot_changed", "moot_seat", "moot_point", "moot_role"],
        )
    registrations = list(moot.registrations.select_related("person").order_by("since", "pk"))
    seats = actions.seats_from(moot, registrations)  # from the same rows as the lists
    by_person = {r.person_id: r for r in registrations}
    user_pk = getattr(request.user, "pk", None)
    mine = by_person.get(user_pk) if user_pk is not None else None
    points = list(
        moot.points.select_related("proposal", "added_by", "merged_into", "minutes_of").order_by(
            "position", "created_at", "pk"
        )
    )
    accepted = [p for p in points if p.state == AgendaPoint.State.ACCEPTED]
    runs = actions.runs(request.user, moot)
    phase = actions.phase_of(moot)
    attend = ctx.may_attend(moot) if request.user.is_authenticated else None
    return render(
        request,
        "moots/moot.html",
        {
            "moot": moot,
            "assembly": moot.assembly,
            "phase": phase,
            "runs": runs,
            "accepted": accepted,
            "agenda_minutes": sum(p.minutes for p in accepted),
            "moot_minutes": int((moot.ends_at - moot.starts_at).total_seconds() // 60),
            "waiting_points": [
                p
                for p in points
                if p.state == AgendaPoint.State.PROPOSED and (runs or p.added_by_id == user_pk)
            ],
            "set_aside": [
                p
                for p in points
                if p.state in (AgendaPoint.State.DECLINED, AgendaPoint.State.MERGED)
            ],
            "seated": [by_person[i] for i in seats.seated],
            "waiting": [by_person[i] for i in seats.waiting],
            "regrets": [r for r in registrations if not r.attending],
            "mine": mine,
            "my_place": seats.waiting.index(user_pk) + 1 if user_pk in seats.waiting else None,
            "attend": attend,
            "may_cancel": request.user.is_authenticated
            and bool(actions.may_cancel(ctx, request.user, moot)),
            "attend_reasons": reasons_text(attend) if attend is not None and not attend else [],
            "may_add_point": runs or bool(ctx.may_add_point()),
            "open_proposals": agenda.open_proposals(ctx, moot)
            if phase == "upcoming" and (runs or ctx.may_add_point())
            else [],
            "point_form": PointForm(),
            "zone": timezone.get_current_timezone_name(),
            "modes": Registration.Mode.choices,
            "previous": moot.previous,
            "next": series.following(moot),
            # Minutes are a draft until published, except to those who write them.
            "shows_minutes": moot.published_at is not None
            or (request.user.is_authenticated and writes_minutes(request.user, moot)),
        },
    )


@login_required
@require_POST
def moot_register(request: Request, pk: int) -> HttpResponse:
    ctx, moot = _access(request, pk)
    try:
        actions.check_register(request.user, ctx, moot, mode=request.POST.get("mode", ""))
    except Refused as refused:
        _refused(request, refused)
    else:
        seats = actions.seats_of(moot)
        if request.POST.get("mode") == Registration.Mode.REGRETS:
            messages.success(request, _("Your regrets are noted."))
        elif request.user.pk in seats.waiting:
            messages.success(
                request,
                _("The moot is full: you are on the waiting list, and told if a seat frees."),
            )
        else:
            messages.success(request, _("You are registered: see you there."))
    return redirect(moot)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
@require_POST
def moot_point_add(request: Request, pk: int) -> HttpResponse:
    ctx, moot = _access(request, pk)
    proposal = None
    if request.POST.get("proposal"):
        from folkmoot.decisions.models import Proposal

        proposal = Proposal.objects.filter(
            pk=_int(request.POST["proposal"]), assembly=moot.assembly
        ).first()
        if proposal is None:
            raise Http404
    try:
        point = agenda.check_add_point(
            request.user,
            ctx,
            moot,
            title=request.POST.get("title", ""),
            notes=request.POST.get("notes", ""),
            minutes=_int(request.POST.get("minutes", 10)) or 10,
            proposal=proposal,
        )
    except Refused as refused:
        _refused(request, refused)
    else:
        if point.state == AgendaPoint.State.ACCEPTED:
            messages.success(request, _("The point is on the agenda."))
        else:
            messages.success(request, _("Your point waits for the facilitator, who is told."))
    return redirect(moot.get_absolute_url() + "#agenda")


def _point(moot: Moot, point_pk: int) -> AgendaPoint:
    point = moot.points.filter(pk=point_pk).first()
    if point is None:
        raise Http404
    return point


@login_required
@require_POST
def moot_point_decide(request: Request, pk: int, point_pk: int) -> HttpResponse:
    ctx, moot = _access(request, pk)
    point = _point(moot, point_pk)
    into = moot.points.filter(pk=_int(request.POST.get("into"))).first()
    try:
        agenda.check_decide_point(
            request.user,
            ctx,
            moot,
            point,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            into=into,
        )
    except Refused as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("Decided: whoever added the point is told."))
    return redirect(moot.get_absolute_url() + "#agenda")


@login_required
@require_POST
def moot_point_move(request: Request, pk: int, point_pk: int) -> HttpResponse:
    ctx, moot = _access(request, pk)
    try:
        agenda.check_move_point(
            request.user, ctx, moot, _point(moot, point_pk), up=request.POST.get("to") == "up"
        )
    except Refused as refused:
        _refused(request, refused)
    return redirect(moot.get_absolute_url() + "#agenda")


@login_required
@require_POST
def moot_cancel(request: Request, pk: int) -> HttpResponse:
    ctx, moot = _access(request, pk)
    try:
        actions.check_cancel(request.user, ctx, moot, reason=request.POST.get("reason", ""))
    except Refused as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("The moot is cancelled: those coming are told."))
    return redirect(moot)


@login_required
@in_assembly_time
def moot_edit(request: Request, pk: int) -> HttpResponse:
    """Changing the plan of a moot to come: its time, place, capacity, whether it repeats."""
    ctx, moot = _access(request, pk)
    allowed = actions.may_cancel(ctx, request.user, moot)
    phase = actions.phase_of(moot)
    still = check_still_to_come(phase)
    if not allowed or not still:
        return render(
            request,
            "moots/refused.html",
            {
                "assembly": moot.assembly,
                "moot": moot,
                "reasons": reasons_text(allowed) or reasons_text(still),
            },
            status=403,
        )
    timezone.activate(actions.zone_of(ctx))  # the form reads and shows the assembly's times
    form = MootEditForm(
        request.POST if request.method == "POST" else None,
        instance=Moot.objects.get(pk=moot.pk),  # the form writes on its own copy
        federation_id=moot.assembly.federation_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_edit_moot(request.user, ctx, moot, fields=form.cleaned_data)
        except Refused as refused:
            for text in refused.messages:
                form.add_error(None, text)
        else:
            messages.success(request, _("The moot's plan is changed: those coming are told."))
            return redirect(moot)
    return render(
        request,
        "moots/edit.html",
        {
            "assembly": moot.assembly,
            "moot": moot,
            "form": form,
            "zone": timezone.get_current_timezone_name(),
        },
        status=400 if request.method == "POST" else 200,
    )


def moot_ics(request: Request, pk: int) -> HttpResponse:
    """The moot as an iCalendar invitation, for any calendar program."""
    _ctx, moot = _access(request, pk)
    calendar = Calendar()
    calendar.add("prodid", "-//Folkmoot//Moots//EN")
    calendar.add("version", "2.0")
    calendar.add_component(moot_event(moot, request.build_absolute_uri))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="moot-{moot.pk}.ics"'
    return response


@in_assembly_time
def moot_minutes(request: Request, pk: int) -> HttpResponse:
    """The published minutes: who was there, and each point with its outcome and minutes.
    Before publication, the facilitator and the minute-taker see the draft and publish."""
    from . import minutes as minutes_actions
    from .models import Attendance

    ctx, moot = _access(request, pk)
    timezone.activate(actions.zone_of(ctx))
    may_publish = request.user.is_authenticated and (
        minutes_actions.writes_minutes(request.user, moot) or actions.runs(request.user, moot)
    )
    if moot.published_at is None and not may_publish:
        raise Http404(_("The minutes of this moot are not published yet."))
    points = list(
        moot.points.filter(state=AgendaPoint.State.ACCEPTED)
        .select_related("proposal", "minutes_of", "carried_to")
        .prefetch_related("checks")
    )
    return render(
        request,
        "moots/minutes.html",
        {
            "moot": moot,
            "assembly": moot.assembly,
            "points": points,
            "present": list(Attendance.objects.filter(moot=moot).select_related("person")),
            "may_publish": may_publish
            and moot.published_at is None
            and actions.phase_of(moot) == "ended",
        },
    )


@login_required
@require_POST
def moot_publish(request: Request, pk: int) -> HttpResponse:
    from . import minutes as minutes_actions

    ctx, moot = _access(request, pk)
    deferred = [_int(v) for v in request.POST.getlist("deferred")]
    try:
        minutes_actions.check_publish(request.user, ctx, moot, deferred=deferred)
    except Refused as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("The minutes are published: those present are told."))
    return redirect("moot-minutes", moot.pk)
