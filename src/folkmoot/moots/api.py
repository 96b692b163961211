"""Moots through the API (UI-5, issue 14): the same actions as the pages. People are given
by public id; times are ISO 8601."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.federation.actions import access_assembly
from folkmoot.governance.moots import may_see
from folkmoot.governance.reasons import Answer, Reason
from folkmoot.refusals import Invalid, NotFound, require

from . import actions, agenda, series
from .forms import MootEditForm, MootForm
from .models import AgendaPoint, Moot, Registration

router = Router(tags=["moots"])


class MootIn(Schema):
    title: str
    purpose: str = ""
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    online_link: str = ""
    capacity: int | None = None
    repeats: Literal["", "weekly", "fortnightly", "monthly"] = Field(
        "", description="a series: the next is planned once this one meets"
    )
    private: bool = False
    facilitator: str | None = Field(None, description="public id; left out: you facilitate")
    minute_taker: str | None = Field(None, description="public id")


class MootPlanIn(Schema):
    """A moot's plan, changed while it is to come (who runs it and who it is for stay)."""

    title: str
    purpose: str = ""
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    online_link: str = ""
    capacity: int | None = None
    repeats: Literal["", "weekly", "fortnightly", "monthly"] = Field(
        description='the whole plan is replaced: "" (once) stops a series'
    )


class PointOut(Schema):
    id: int
    position: int
    title: str
    notes: str
    minutes: int
    proposal: int | None
    state: str  # proposed, accepted, merged, declined
    added_by_id: str | None
    reason: str
    merged_into: int | None


class MootOut(Schema):
    id: int
    assembly: str
    title: str
    purpose: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_link: str
    capacity: int | None
    repeats: str  # "", weekly, fortnightly, monthly
    previous_id: int | None = Field(description="the moot before it in its series")
    next_id: int | None = Field(description="the next moot of its series, once planned")
    private: bool
    phase: str  # upcoming, live, ended, cancelled
    facilitator_id: str | None
    minute_taker_id: str | None
    called_by_id: str | None
    cancel_reason: str
    coming: int
    waiting: int
    my_registration: str | None = Field(description="in_person, online or regrets")
    my_place_in_line: int | None = Field(description="1 for the first waiting; null if seated")
    agenda: list[PointOut]


class PointIn(Schema):
    title: str = ""
    notes: str = Field("", max_length=2000)
    minutes: int = 10
    proposal: int | None = Field(None, description="id of an open proposal of the assembly")


class PointDecisionIn(Schema):
    decision: Literal["accept", "merge", "decline"]
    reason: str = Field("", max_length=2000)
    into: int | None = Field(None, description="the accepted point to merge into")


class RegistrationIn(Schema):
    mode: Literal["in_person", "online", "regrets"]


class CancelIn(Schema):
    reason: str = Field(max_length=2000)


def public_id_of(person: Any) -> str | None:
    return person.public_id if person is not None and person.erased_at is None else None


def point_out(p: AgendaPoint, *, author: bool = True) -> dict[str, Any]:
    """A point of the agenda; `author`: with who added it (costs its row)."""
    return {
        "id": p.pk,
        "position": p.position,
        "title": p.title,
        "notes": p.notes,
        "minutes": p.minutes,
        "proposal": p.proposal_id,
        "state": p.state,
        "added_by_id": public_id_of(p.added_by) if author else None,
        "reason": p.reason,
        "merged_into": p.merged_into_id,
    }


def present_out(attendance: Any) -> dict[str, Any]:
    return {
        "person": str(attendance.person),
        "person_id": public_id_of(attendance.person),
        "mode": attendance.mode,
    }


def _out(request: HttpRequest, moot: Moot) -> dict[str, Any]:
    seats = actions.seats_of(moot)
    user_pk = getattr(request.user, "pk", None)
    mine = (
        Registration.objects.filter(moot=moot, person_id=user_pk)
        .values_list("mode", flat=True)
        .first()
        if user_pk
        else None
    )
    points = moot.points.select_related("added_by").order_by("position", "created_at", "pk")
    shown = [
        p
        for p in points
        if p.state != AgendaPoint.State.PROPOSED
        or p.added_by_id == user_pk
        or actions.runs(request.user, moot)
    ]
    return {
        "id": moot.pk,
        "assembly": moot.assembly.slug,
        "title": moot.title,
        "purpose": moot.purpose,
        "starts_at": moot.starts_at,
        "ends_at": moot.ends_at,
        "place": moot.place,
        "online_link": moot.online_link,
        "capacity": moot.capacity,
        "repeats": moot.repeats,
        "previous_id": moot.previous_id,
        "next_id": getattr(series.following(moot), "pk", None),
        "private": moot.private,
        "phase": actions.phase_of(moot),
        "facilitator_id": public_id_of(moot.facilitator),
        "minute_taker_id": public_id_of(moot.minute_taker),
        "called_by_id": public_id_of(moot.called_by),
        "cancel_reason": moot.cancel_reason,
        "coming": len(seats.seated),
        "waiting": len(seats.waiting),
        "my_registration": mine,
        "my_place_in_line": seats.waiting.index(user_pk) + 1 if user_pk in seats.waiting else None,
        "agenda": [point_out(p) for p in shown],
    }


def _aware(moment: datetime) -> datetime:
    """A time without an offset is read in the site's time zone."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _invalid(form: MootForm) -> Invalid:
    fields, reasons = [], []
    for field, errors in form.errors.items():
        for message in errors:
            fields.append(field if field != "__all__" else "body")
            reasons.append(Reason("invalid_field", str(message)))
    return Invalid(Answer(False, tuple(reasons)), fields)


def _read_plan(payload: Any, ctx: actions.MootContext, form_class: Any, **kwargs: Any) -> Any:
    """The payload read by the page's form, so the API says what is wrong in the same words."""
    data = payload.dict()
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    zone = actions.zone_of(ctx)
    for moment in ("starts_at", "ends_at"):
        local = timezone.localtime(_aware(getattr(payload, moment)), zone)
        data[moment] = local.strftime("%Y-%m-%d %H:%M")
    with timezone.override(zone):  # as on the page: the form reads the assembly's wall clock
        form = form_class(data, **kwargs)
        valid = form.is_valid()
    if not valid:
        raise _invalid(form)
    # The form read the times to the minute; the payload's own, with its offset, are kept.
    return {
        **form.cleaned_data,
        "starts_at": _aware(payload.starts_at),
        "ends_at": _aware(payload.ends_at),
    }


@router.get(
    "/assemblies/{key}/moots", response=list[MootOut], auth=OPTIONAL, summary="The assembly's moots"
)
def list_moots(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    assembly = access_assembly(request.user, key)
    ctx = actions.moot_context(request.user, assembly)
    # Those to come, and the latest fifty past: each is read in a few queries.
    now = timezone.now()
    moots = Moot.objects.filter(assembly=assembly).select_related(
        "assembly", "facilitator", "minute_taker", "called_by"
    )
    listed = list(moots.filter(ends_at__gt=now).order_by("starts_at")[:50]) + list(
        moots.filter(ends_at__lte=now).order_by("-starts_at")[:50]
    )
    today = timezone.localdate()
    return [
        _out(request, m)
        for m in listed
        if may_see(ctx.protocol, ctx.viewer, today, private=m.private)
    ]


@router.post(
    "/assemblies/{key}/moots",
    response={201: MootOut},
    auth=REQUIRED,
    summary="Call a moot of this assembly (MEET-1)",
)
def call_moot(request: HttpRequest, key: str, payload: MootIn) -> Reply[dict[str, Any]]:
    assembly = access_assembly(request.user, key)
    ctx = actions.moot_context(request.user, assembly)
    require(ctx.may_call())
    fields = _read_plan(payload, ctx, MootForm, federation_id=assembly.federation_id)
    moot = actions.check_call_moot(request.user, ctx, fields=fields)
    return Reply(201, _out(request, moot))


@router.get("/moots/{pk}", response=MootOut, auth=OPTIONAL, summary="One moot, with its agenda")
def get_moot(request: HttpRequest, pk: int) -> dict[str, Any]:
    _ctx, moot = actions.access_moot(request.user, pk)
    return _out(request, moot)


@router.post(
    "/moots/{pk}/registration",
    response=MootOut,
    auth=REQUIRED,
    summary="Come in person, online, or send regrets",
)
def register(request: HttpRequest, pk: int, payload: RegistrationIn) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    actions.check_register(request.user, ctx, moot, mode=payload.mode)
    return _out(request, moot)


@router.post(
    "/moots/{pk}/points",
    response={201: PointOut},
    auth=REQUIRED,
    summary="Add a point to the agenda (MEET-2)",
)
def add_point(request: HttpRequest, pk: int, payload: PointIn) -> Reply[dict[str, Any]]:
    ctx, moot = actions.access_moot(request.user, pk)
    proposal = None
    if payload.proposal is not None:
        from folkmoot.decisions.models import Proposal

        proposal = Proposal.objects.filter(pk=payload.proposal, assembly=moot.assembly).first()
        if proposal is None:
            raise NotFound(payload.proposal)
    point = agenda.check_add_point(
        request.user,
        ctx,
        moot,
        title=payload.title,
        notes=payload.notes,
        minutes=payload.minutes,
        proposal=proposal,
    )
    [shown] = [p for p in _out(request, moot)["agenda"] if p["id"] == point.pk]
    return Reply(201, shown)


@router.post(
    "/moots/{pk}/points/{point_id}/decision",
    response=MootOut,
    auth=REQUIRED,
    summary="Accept, merge or decline a point someone added",
)
def decide_point(
    request: HttpRequest, pk: int, point_id: int, payload: PointDecisionIn
) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    point = moot.points.filter(pk=point_id).first()
    if point is None:
        raise NotFound(point_id)
    into = moot.points.filter(pk=payload.into).first() if payload.into else None
    agenda.check_decide_point(
        request.user, ctx, moot, point, decision=payload.decision, reason=payload.reason, into=into
    )
    return _out(request, moot)


class MoveIn(Schema):
    up: bool = Field(description="true: one place earlier; false: one place later")


@router.post(
    "/moots/{pk}/points/{point_id}/move",
    response=MootOut,
    auth=REQUIRED,
    summary="Move a point of the agenda one place earlier or later",
)
def move_point(request: HttpRequest, pk: int, point_id: int, payload: MoveIn) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    point = moot.points.filter(pk=point_id).first()
    if point is None:
        raise NotFound(point_id)
    agenda.check_move_point(request.user, ctx, moot, point, up=payload.up)
    return _out(request, moot)


@router.get(
    "/moots/{pk}/open-proposals",
    response=list[dict[str, Any]],
    auth=OPTIONAL,
    summary="The assembly's open proposals that may go on this moot's agenda",
)
def moot_open_proposals(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    ctx, moot = actions.access_moot(request.user, pk)
    return [
        {"id": p.pk, "title": p.title, "kind": p.kind} for p in agenda.open_proposals(ctx, moot)
    ]


@router.put(
    "/moots/{pk}/plan",
    response=MootOut,
    auth=REQUIRED,
    summary="Change the plan of a moot to come: time, place, capacity, series",
)
def change_plan(request: HttpRequest, pk: int, payload: MootPlanIn) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    require(actions.may_cancel(ctx, request.user, moot))
    fields = _read_plan(
        payload,
        ctx,
        MootEditForm,
        instance=Moot.objects.get(pk=moot.pk),
        federation_id=moot.assembly.federation_id,
    )
    moot = actions.check_edit_moot(request.user, ctx, moot, fields=fields)
    return _out(request, moot)


@router.post(
    "/moots/{pk}/cancellation",
    response=MootOut,
    auth=REQUIRED,
    summary="Cancel the moot, with a reason",
)
def cancel(request: HttpRequest, pk: int, payload: CancelIn) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    moot = actions.check_cancel(request.user, ctx, moot, reason=payload.reason)
    return _out(request, moot)
