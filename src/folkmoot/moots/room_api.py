"""The live room through the API (MEET-3, UI-5, issue 14): its state, taking up points,
hands and the floor, presence, the consensus check, and the minutes. The same actions as
the room's page."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.refusals import NotFound

from . import actions, checks, live, minutes
from .api import PointOut, point_out, present_out, public_id_of
from .models import AgendaPoint, Moot

router = Router(tags=["moots"])


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
        "person_id": public_id_of(h.person),
        "kind": h.kind,
        "raised_at": h.raised_at,
        "floor_at": h.floor_at,
    }


def _room(request: HttpRequest, ctx: actions.MootContext, moot: Moot) -> dict[str, Any]:
    moot.refresh_from_db()
    room = live.room_of(ctx, moot)
    point = room.point
    return {
        "phase": actions.phase_of(moot),
        "point": point_out(point, author=False) if point is not None else None,
        "minutes_left": room.minutes_left,
        "speaking": _hand(room.speaking) if room.speaking else None,
        "queue": [_hand(h) for h in room.queue],
        "present": [present_out(a) for a in room.present],
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
            present_out(a) for a in Attendance.objects.filter(moot=moot).select_related("person")
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
