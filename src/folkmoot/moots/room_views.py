"""The live room's pages (MEET-3, issue 14). Every act is a plain form: the room works by
reloading; with JavaScript the state refreshes by itself every few seconds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.http import Request
from folkmoot.refusals import Refused

from . import checks, live, minutes
from .actions import MootContext, in_assembly_time, phase_of, runs, zone_of
from .models import Attendance, Hand, Moot, PointMinutes, Registration
from .views import _access, _int, _refused


def _context(request: Request, ctx: MootContext, moot: Moot) -> dict[str, Any]:
    context = room_context(request.user, ctx, moot)
    # The minute-taker's editor sits outside the part the socket refreshes, so what they
    # type is never replaced under their fingers.
    writing = minutes.writes_minutes(request.user, moot) and context["phase"] in ("live", "ended")
    point = context["room"].point
    if writing and point is None:
        chosen = _int(request.GET.get("minutes"))
        point = next((p for p in context["accepted"] if p.pk == chosen), None)
    return {
        **context,
        "request": request,
        "htmx_extensions": "hx-ws",  # the room live; the page works without it
        "writing": writing,
        "minutes_point": point,
        "minutes_body": context["minutes_now"].body
        if context["minutes_now"] is not None and point == context["room"].point
        else getattr(PointMinutes.objects.filter(point=point).first(), "body", ""),
    }


def shared_room(ctx: MootContext, moot: Moot) -> dict[str, Any]:
    """What the room shows everyone alike, read once (for the WebSocket: once per act for all
    the sockets of the process, see consumers.py). About a dozen queries, whatever the
    number of people in the room."""
    room = live.room_of(ctx, moot)
    check = checks.open_check(moot)
    return {
        "minutes_now": PointMinutes.objects.filter(point=room.point).first()
        if room.point is not None
        else None,
        "check": check,
        "tally": checks.tally_of(check) if check is not None else None,
        "closed_checks": list(moot.checks.filter(closed_at__isnull=False).select_related("point")),
        "may_check": room.point is not None and room.point.proposal_id is not None,
        "moot": moot,
        "assembly": moot.assembly,
        "room": room,
        "phase": phase_of(moot),
        "accepted": list(moot.points.filter(state="accepted")),
        "kinds": Hand.Kind.choices,
        "presence_modes": Attendance.Mode.choices,
        "present_ids": frozenset(a.person_id for a in room.present),
        "registered": list(
            moot.registrations.exclude(mode=Registration.Mode.REGRETS).select_related("person")
        ),
    }


def personal_room(user: Any, ctx: MootContext, shared: dict[str, Any]) -> dict[str, Any]:
    """What differs from one person to the next: their controls. The room's template reads
    nothing else of the person, so that people with the same controls share one rendering
    (`consumers.py`)."""
    moot, room = shared["moot"], shared["room"]
    hand = room.hand_of(user)
    takes = live.takes_attendance(user, moot)
    return {
        "signed_in": bool(getattr(user, "is_authenticated", False)),
        "runs": runs(user, moot),
        "takes_attendance": takes,
        "am_present": getattr(user, "pk", None) in shared["present_ids"],
        # Speaking and responding are acts: not under a sanction (SAN-6), nor in an archive.
        "may_act": getattr(user, "is_authenticated", False) and bool(ctx.may_attend(moot)),
        "my_hand": None if hand is None else ("speaking" if hand.floor_at else "up"),
        "not_yet_present": [
            r for r in shared["registered"] if r.person_id not in shared["present_ids"]
        ]
        if takes
        else [],
    }


def room_context(user: Any, ctx: MootContext, moot: Moot) -> dict[str, Any]:
    """What the room shows `user`, for the page."""
    shared = shared_room(ctx, moot)
    return {**shared, **personal_room(user, ctx, shared), "user": user}


@in_assembly_time
def moot_room(request: Request, pk: int) -> HttpResponse:
    ctx, moot = _access(request, pk)
    timezone.activate(zone_of(ctx))
    template = "moots/_room.html" if request.htmx else "moots/room.html"
    return render(request, template, _context(request, ctx, moot))


def _back(moot: Moot) -> HttpResponse:
    return redirect("moot-room", moot.pk)


def _act_in_room(
    request: Request, pk: int, act: Callable[[MootContext, Moot], str | None]
) -> HttpResponse:
    """Every act of the room is a form post: `act` does it (and returns what to say, if
    anything); a refusal is said on the page; back to the room either way."""
    ctx, moot = _access(request, pk)
    try:
        said = act(ctx, moot)
    except Refused as refused:
        _refused(request, refused)
    else:
        if said:
            messages.success(request, said)
    return _back(moot)


@login_required
@require_POST
def room_take_up(request: Request, pk: int) -> HttpResponse:
    def act(ctx: MootContext, moot: Moot) -> None:
        which = request.POST.get("point", "")
        point = None
        if which == "next":
            point = live.next_point(moot)
        elif which:
            point = moot.points.filter(pk=_int(which)).first()
            if point is None:
                raise Http404
        live.check_take_up(request.user, ctx, moot, point)

    return _act_in_room(request, pk, act)


@login_required
@require_POST
def room_hand(request: Request, pk: int) -> HttpResponse:
    def act(ctx: MootContext, moot: Moot) -> str | None:
        if request.POST.get("kind"):
            live.check_raise_hand(request.user, ctx, moot, kind=request.POST["kind"])
            return _("Your hand is up.")
        live.check_lower_hand(request.user, moot)
        return None

    return _act_in_room(request, pk, act)


@login_required
@require_POST
def room_floor(request: Request, pk: int) -> HttpResponse:
    def act(ctx: MootContext, moot: Moot) -> None:
        if request.POST.get("hand"):
            hand = moot.hands.filter(pk=_int(request.POST["hand"])).first()
            if hand is None:
                raise Http404
            live.check_give_floor(request.user, ctx, moot, hand)
        else:
            live.check_end_floor(request.user, ctx, moot)

    return _act_in_room(request, pk, act)


@login_required
@require_POST
def room_progressive(request: Request, pk: int) -> HttpResponse:
    def act(ctx: MootContext, moot: Moot) -> None:
        live.check_progressive(request.user, ctx, moot, on=request.POST.get("on") == "1")

    return _act_in_room(request, pk, act)


@login_required
@require_POST
def room_presence(request: Request, pk: int) -> HttpResponse:
    def act(ctx: MootContext, moot: Moot) -> None:
        mode = request.POST.get("mode", "")
        if request.POST.get("person"):
            registration = moot.registrations.filter(
                person__public_id=request.POST["person"]
            ).first()
            if registration is None:
                raise Http404
            live.check_mark_present(request.user, ctx, moot, registration.person, mode=mode)
        else:
            live.check_check_in(request.user, ctx, moot, mode=mode)

    return _act_in_room(request, pk, act)


@login_required
@require_POST
def room_check(request: Request, pk: int) -> HttpResponse:
    """The facilitator opens or closes the consensus check on the current point."""

    def act(ctx: MootContext, moot: Moot) -> str | None:
        if request.POST.get("do") == "close":
            check = checks.check_close_check(request.user, ctx, moot)
            return _("The check is closed: %(outcome)s.") % {"outcome": check.get_outcome_display()}
        checks.check_open_check(request.user, ctx, moot)
        return None

    return _act_in_room(request, pk, act)


@login_required
@require_POST
def room_respond(request: Request, pk: int) -> HttpResponse:
    def act(ctx: MootContext, moot: Moot) -> None:
        checks.check_respond_live(
            request.user,
            ctx,
            moot,
            response=request.POST.get("response", ""),
            reason=request.POST.get("reason", ""),
        )

    return _act_in_room(request, pk, act)


@login_required
@require_POST
def room_minutes(request: Request, pk: int, point_pk: int) -> HttpResponse:
    """Saves the minutes of a point: the page's autosave (htmx, answered with no content)
    or its Save button (back to the room)."""
    ctx, moot = _access(request, pk)
    point = moot.points.filter(pk=point_pk).first()
    if point is None:
        raise Http404
    try:
        minutes.check_write_minutes(
            request.user, ctx, moot, point, body=request.POST.get("body", "")
        )
    except Refused as refused:
        if request.htmx:
            return HttpResponse(" ".join(refused.messages), status=400)
        _refused(request, refused)
        return _back(moot)
    if request.htmx:
        return HttpResponse(status=204)
    messages.success(request, _("The minutes are saved."))
    return redirect(f"{reverse('moot-room', args=[moot.pk])}?minutes={point.pk}")
