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

from . import actions, checks, live, minutes
from .forms import MootForm
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
    private: bool = False
    facilitator: str | None = Field(None, description="public id; left out: you facilitate")
    minute_taker: str | None = Field(None, description="public id")


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


def _id(person: Any) -> str | None:
    return person.public_id if person is not None and person.erased_at is None else None


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
        "private": moot.private,
        "phase": actions.phase_of(moot),
        "facilitator_id": _id(moot.facilitator),
        "minute_taker_id": _id(moot.minute_taker),
        "called_by_id": _id(moot.called_by),
        "cancel_reason": moot.cancel_reason,
        "coming": len(seats.seated),
        "waiting": len(seats.waiting),
        "my_registration": mine,
        "my_place_in_line": seats.waiting.index(user_pk) + 1 if user_pk in seats.waiting else None,
        "agenda": [
            {
                "id": p.pk,
                "position": p.position,
                "title": p.title,
                "notes": p.notes,
                "minutes": p.minutes,
                "proposal": p.proposal_id,
                "state": p.state,
                "added_by_id": _id(p.added_by),
                "reason": p.reason,
                "merged_into": p.merged_into_id,
            }
            for p in shown
        ],
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
    data = payload.dict()
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    zone = actions.zone_of(ctx)
    for moment in ("starts_at", "ends_at"):
        local = timezone.localtime(_aware(getattr(payload, moment)), zone)
        data[moment] = local.strftime("%Y-%m-%d %H:%M")
    with timezone.override(zone):  # as on the page: the form reads the assembly's wall clock
        form = MootForm(data, federation_id=assembly.federation_id)
        valid = form.is_valid()
    if not valid:
        raise _invalid(form)
    # The form read the times to the minute; the payload's own, with its offset, are kept.
    fields = {
        **form.cleaned_data,
        "starts_at": _aware(payload.starts_at),
        "ends_at": _aware(payload.ends_at),
    }
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
    point = actions.check_add_point(
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
    actions.check_decide_point(
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
    actions.check_move_point(request.user, ctx, moot, point, up=payload.up)
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
        {"id": p.pk, "title": p.title, "kind": p.kind} for p in actions.open_proposals(ctx, moot)
    ]


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


# --- the live room (MEET-3) ------------------------------------------------------------------


class HandOut(Schema):
    id: int
    person: str
    person_id: str | None
    kind: str  # process, direct, new
    raised_at: datetime
    floor_at: datetime | None


class RoomOut(Schema):
    phase: str
    point: PointOut | None
    minutes_left: int | None = Field(description="on the current point; negative when over")
    speaking: HandOut | None
    queue: list[HandOut] = Field(description="in the order the floor goes")
    present: list[dict[str, Any]]
    quorum_needed: int | None
    quorum_met: bool
    progressive: bool


class TakeUpIn(Schema):
    point: int | None = Field(None, description="the point to take up; null: a break")


class HandIn(Schema):
    kind: Literal["process", "direct", "new"] | None = Field(
        None, description="raise a hand of this kind; null: lower one's hand"
    )


class FloorIn(Schema):
    hand: int | None = Field(None, description="the hand to give the floor to; null: end turn")


class PresenceIn(Schema):
    mode: Literal["in_person", "online"]
    person: str | None = Field(None, description="public id; null: oneself")


def _hand(h: Any) -> dict[str, Any]:
    return {
        "id": h.pk,
        "person": str(h.person),
        "person_id": _id(h.person),
        "kind": h.kind,
        "raised_at": h.raised_at,
        "floor_at": h.floor_at,
    }


def _room(request: HttpRequest, ctx: actions.MootContext, moot: Moot) -> dict[str, Any]:
    moot.refresh_from_db()
    room = live.room_of(ctx, moot, request.user)
    point = room.point
    return {
        "phase": actions.phase_of(moot),
        "point": {
            "id": point.pk,
            "position": point.position,
            "title": point.title,
            "notes": point.notes,
            "minutes": point.minutes,
            "proposal": point.proposal_id,
            "state": point.state,
            "added_by_id": None,
            "reason": point.reason,
            "merged_into": point.merged_into_id,
        }
        if point is not None
        else None,
        "minutes_left": room.minutes_left,
        "speaking": _hand(room.speaking) if room.speaking else None,
        "queue": [_hand(h) for h in room.queue],
        "present": [
            {"person": str(a.person), "person_id": _id(a.person), "mode": a.mode}
            for a in room.present
        ],
        "quorum_needed": room.quorum.needed,
        "quorum_met": room.quorum.met,
        "progressive": moot.progressive,
    }


@router.get("/moots/{pk}/room", response=RoomOut, auth=OPTIONAL, summary="The live room now")
def get_room(request: HttpRequest, pk: int) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    return _room(request, ctx, moot)


@router.post(
    "/moots/{pk}/room/point",
    response=RoomOut,
    auth=REQUIRED,
    summary="Take up a point of the agenda (the facilitator)",
)
def room_point(request: HttpRequest, pk: int, payload: TakeUpIn) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    point = None
    if payload.point is not None:
        point = moot.points.filter(pk=payload.point).first()
        if point is None:
            raise NotFound(payload.point)
    live.check_take_up(request.user, ctx, moot, point)
    return _room(request, ctx, moot)


@router.post(
    "/moots/{pk}/room/hand", response=RoomOut, auth=REQUIRED, summary="Raise or lower one's hand"
)
def room_hand(request: HttpRequest, pk: int, payload: HandIn) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    if payload.kind is None:
        live.check_lower_hand(request.user, moot)
    else:
        live.check_raise_hand(request.user, ctx, moot, kind=payload.kind)
    return _room(request, ctx, moot)


@router.post(
    "/moots/{pk}/room/floor",
    response=RoomOut,
    auth=REQUIRED,
    summary="Give the floor, or end the turn (the facilitator)",
)
def room_floor(request: HttpRequest, pk: int, payload: FloorIn) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    if payload.hand is None:
        live.check_end_floor(request.user, ctx, moot)
    else:
        hand = moot.hands.filter(pk=payload.hand).first()
        if hand is None:
            raise NotFound(payload.hand)
        live.check_give_floor(request.user, ctx, moot, hand)
    return _room(request, ctx, moot)


@router.post(
    "/moots/{pk}/room/presence",
    response=RoomOut,
    auth=REQUIRED,
    summary="Check in, or mark someone present (the facilitator or minute-taker)",
)
def room_presence(request: HttpRequest, pk: int, payload: PresenceIn) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    if payload.person is None:
        live.check_check_in(request.user, ctx, moot, mode=payload.mode)
    else:
        registration = moot.registrations.filter(person__public_id=payload.person).first()
        if registration is None:
            raise NotFound(payload.person)
        live.check_mark_present(request.user, ctx, moot, registration.person, mode=payload.mode)
    return _room(request, ctx, moot)


class MootCheckIn(Schema):
    action: Literal["open", "close"]


class MootRespondIn(Schema):
    response: Literal["agree", "stand_aside", "block"]
    reason: str = Field("", max_length=2000, description="needed to block")


class MootCheckOut(Schema):
    id: int
    proposal: int
    round: int
    open: bool
    outcome: str = Field(description="reached, another_round or vote, once closed")
    agree: int
    stand_aside: int
    block: int
    blocks: list[dict[str, str]] = Field(description="who (where blocks are public) and why")


def _check(check: Any) -> dict[str, Any]:
    tally = checks.tally_of(check)
    return {
        "id": check.pk,
        "proposal": check.proposal_id,
        "round": check.round,
        "open": check.closed_at is None,
        "outcome": check.outcome,
        "agree": tally.agree,
        "stand_aside": tally.stand_aside,
        "block": tally.block,
        "blocks": [{"who": who, "why": why} for who, why in tally.blocks],
    }


@router.post(
    "/moots/{pk}/room/check",
    response=MootCheckOut,
    auth=REQUIRED,
    summary="Open a consensus check on the current point, or close it (the facilitator)",
)
def room_check(request: HttpRequest, pk: int, payload: MootCheckIn) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    if payload.action == "open":
        check = checks.check_open_check(request.user, ctx, moot)
    else:
        check = checks.check_close_check(request.user, ctx, moot)
    return _check(check)


@router.post(
    "/moots/{pk}/room/response",
    response=MootCheckOut,
    auth=REQUIRED,
    summary="Respond to the open consensus check (a response in the proposal's round)",
)
def room_response(request: HttpRequest, pk: int, payload: MootRespondIn) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    checks.check_respond_live(
        request.user, ctx, moot, response=payload.response, reason=payload.reason
    )
    check = checks.open_check(moot)
    assert check is not None
    return _check(check)


class MinutesIn(Schema):
    body: str = Field(max_length=20_000, description="Markdown")


class PublishIn(Schema):
    deferred: list[int] = Field(default_factory=list, description="points for the next moot")


class MinutesPointOut(Schema):
    id: int
    title: str
    outcome: str
    proposal: int | None
    minutes: str = Field(description="Markdown, as written")
    carried_to: int | None


class MinutesOut(Schema):
    published_at: datetime | None
    present: list[dict[str, Any]]
    points: list[MinutesPointOut]


@router.post(
    "/moots/{pk}/points/{point_id}/minutes",
    response=dict[str, str],
    auth=REQUIRED,
    summary="Write a point's minutes (the minute-taker)",
)
def write_minutes(
    request: HttpRequest, pk: int, point_id: int, payload: MinutesIn
) -> dict[str, str]:
    ctx, moot = actions.access_moot(request.user, pk)
    point = moot.points.filter(pk=point_id).first()
    if point is None:
        raise NotFound(point_id)
    saved = minutes.check_write_minutes(request.user, ctx, moot, point, body=payload.body)
    return {"body": saved.body}


@router.get(
    "/moots/{pk}/minutes",
    response=MinutesOut,
    auth=OPTIONAL,
    summary="The minutes: published, or the draft for the facilitator and minute-taker",
)
def get_minutes(request: HttpRequest, pk: int) -> dict[str, Any]:
    from .models import Attendance

    _ctx, moot = actions.access_moot(request.user, pk)
    drafting = request.user.is_authenticated and (
        minutes.writes_minutes(request.user, moot) or actions.runs(request.user, moot)
    )
    if moot.published_at is None and not drafting:
        raise NotFound(pk)
    points = moot.points.filter(state=AgendaPoint.State.ACCEPTED).select_related("minutes_of")
    return {
        "published_at": moot.published_at,
        "present": [
            {"person": str(a.person), "person_id": _id(a.person), "mode": a.mode}
            for a in Attendance.objects.filter(moot=moot).select_related("person")
        ],
        "points": [
            {
                "id": p.pk,
                "title": p.title,
                "outcome": p.outcome,
                "proposal": p.proposal_id,
                "minutes": getattr(getattr(p, "minutes_of", None), "body", ""),
                "carried_to": p.carried_to_id,
            }
            for p in points
        ],
    }


@router.post(
    "/moots/{pk}/minutes/publication",
    response=MinutesOut,
    auth=REQUIRED,
    summary="Publish the minutes once the moot is over",
)
def publish_minutes(request: HttpRequest, pk: int, payload: PublishIn) -> dict[str, Any]:
    ctx, moot = actions.access_moot(request.user, pk)
    minutes.check_publish(request.user, ctx, moot, deferred=payload.deferred)
    return get_minutes(request, pk)
