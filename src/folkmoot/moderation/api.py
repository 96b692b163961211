"""Moderation and sanctions through the API: the same actions as the pages (UI-5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.accounts.models import User
from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.federation.actions import access_assembly
from folkmoot.forums.actions import access_thread, forum_context
from folkmoot.forums.models import Post
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound

from . import actions, misconduct, selectors
from .models import OfficeMisconduct, Sanction

router = Router(tags=["moderation"])


class ReportIn(Schema):
    kind: Literal["spam", "offensive", "off_topic"]


class TrashIn(Schema):
    reason: str = Field(min_length=1, max_length=300)
    minutes: int
    scope: Literal["post", "thread"] = "post"


class ScopeIn(Schema):
    scope: Literal["post", "thread"] = "post"


_PERSON = "the person's public id (a number: their old internal id, still taken)"


def _person(value: int | str) -> Any:
    person = (
        User.objects.filter(pk=value).first()
        if isinstance(value, int)
        else User.objects.filter(public_id=value).first()
    )
    if person is None:
        raise NotFound(value)
    return person


class SanctionIn(Schema):
    person: int | str = Field(description=_PERSON)
    level: str = Field(min_length=1, max_length=40)
    reason: str = Field(min_length=1, max_length=2000)
    decision_reference: str = Field("", max_length=300)
    hours: float | None = None


class SanctionOut(Schema):
    id: int
    person: str
    person_id: str
    level: str
    reason: str
    repeat: int
    non_grata: bool
    imposed_by: str
    imposed_at: datetime
    ends_at: datetime | None
    in_force: bool
    backing: str
    backing_deadline: datetime | None


class Done(Schema):
    ok: bool


def _post(request: HttpRequest, post_id: int) -> tuple[Any, Post]:
    post = Post.objects.select_related("thread", "author").filter(pk=post_id).first()
    if post is None:
        raise NotFound(post_id)
    ctx, _thread, _place = access_thread(request.user, post.thread_id)
    return ctx, post


def _sanction(row: Any) -> dict[str, Any]:
    s = row.sanction
    return {
        "id": s.pk,
        "person": str(s.person),
        "person_id": s.person.public_id,
        "level": s.level,
        "reason": s.reason,
        "repeat": s.repeat,
        "non_grata": s.non_grata,
        "imposed_by": str(s.imposed_by),
        "imposed_at": s.imposed_at,
        "ends_at": None if s.non_grata else row.ends_at,
        "in_force": row.in_force,
        "backing": row.state.value,
        "backing_deadline": row.deadline,
    }


@router.post(
    "/posts/{post_id}/reports", response={201: Done}, auth=REQUIRED, summary="Report a post (once)"
)
def report(request: HttpRequest, post_id: int, payload: ReportIn) -> Reply[dict[str, bool]]:
    ctx, post = _post(request, post_id)
    actions.check_report(ctx, request.user, post, payload.kind)
    return Reply(201, {"ok": True})


@router.post(
    "/posts/{post_id}/trash",
    response=SanctionOut,
    auth=REQUIRED,
    summary="Move a reply or its thread to the trash",
)
def trash(request: HttpRequest, post_id: int, payload: TrashIn) -> dict[str, Any]:
    ctx, post = _post(request, post_id)
    sanction = actions.check_trash(
        ctx,
        request.user,
        post=post if payload.scope == "post" else None,
        thread=post.thread if payload.scope == "thread" else None,
        reason=payload.reason,
        minutes=payload.minutes,
    )
    assert ctx.protocol.sanctions is not None
    return _sanction(selectors.state_of(ctx.protocol.sanctions, sanction, timezone.now()))


class KeptOut(Schema):
    closed: int


@router.post(
    "/posts/{post_id}/reports/keep",
    response=KeptOut,
    auth=REQUIRED,
    summary="Keep a reported post: its open reports close and the reporters are told",
)
def keep(request: HttpRequest, post_id: int) -> dict[str, int]:
    ctx, post = _post(request, post_id)
    return {"closed": actions.check_keep(ctx, request.user, post)}


@router.post(
    "/posts/{post_id}/restore", response=Done, auth=REQUIRED, summary="Restore from the trash"
)
def restore(request: HttpRequest, post_id: int, payload: ScopeIn) -> dict[str, bool]:
    ctx, post = _post(request, post_id)
    actions.check_restore(
        ctx, request.user, post=post, thread=post.thread if payload.scope == "thread" else None
    )
    return {"ok": True}


@router.get(
    "/assemblies/{key}/sanctions",
    response=list[SanctionOut],
    auth=OPTIONAL,
    summary="The public list of sanctions",
)
def list_sanctions(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    ctx = forum_context(request.user, access_assembly(request.user, key))
    if ctx.protocol.sanctions is None:
        return []
    return [
        _sanction(row)
        for row in selectors.public_list(ctx.assembly, ctx.protocol.sanctions, timezone.now())
    ]


@router.post(
    "/assemblies/{key}/sanctions",
    response={201: SanctionOut},
    auth=REQUIRED,
    summary="Impose a sanction",
)
def impose(request: HttpRequest, key: str, payload: SanctionIn) -> Reply[dict[str, Any]]:
    ctx = forum_context(request.user, access_assembly(request.user, key))
    person = _person(payload.person)
    sanction = actions.check_sanction(
        ctx,
        request.user,
        person,
        level=payload.level,
        reason=payload.reason,
        decision_reference=payload.decision_reference,
        off_protocol_hours=payload.hours,
    )
    assert ctx.protocol.sanctions is not None
    return Reply(
        201, _sanction(selectors.state_of(ctx.protocol.sanctions, sanction, timezone.now()))
    )


@router.post(
    "/sanctions/{sanction_id}/endorsements",
    response={201: SanctionOut},
    auth=REQUIRED,
    summary="Back a sanction",
)
def endorse(request: HttpRequest, sanction_id: int) -> Reply[dict[str, Any]]:
    sanction = Sanction.objects.select_related("assembly").filter(pk=sanction_id).first()
    if sanction is None:
        raise NotFound(sanction_id)
    ctx = forum_context(request.user, access_assembly(request.user, sanction.assembly.slug))
    actions.check_endorse(ctx, request.user, sanction)
    assert ctx.protocol.sanctions is not None
    return Reply(
        201, _sanction(selectors.state_of(ctx.protocol.sanctions, sanction, timezone.now()))
    )


class LiftIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


@router.post(
    "/sanctions/{sanction_id}/liftings",
    response={201: SanctionOut},
    auth=REQUIRED,
    summary="Back lifting a persona non grata (SAN-3)",
)
def lift(request: HttpRequest, sanction_id: int, payload: LiftIn) -> Reply[dict[str, Any]]:
    sanction = Sanction.objects.select_related("assembly").filter(pk=sanction_id).first()
    if sanction is None:
        raise NotFound(sanction_id)
    ctx = forum_context(request.user, access_assembly(request.user, sanction.assembly.slug))
    actions.check_back_lifting(ctx, request.user, sanction, reason=payload.reason)
    assert ctx.protocol.sanctions is not None
    fresh = Sanction.objects.prefetch_related("endorsements", "liftings").get(pk=sanction.pk)
    return Reply(201, _sanction(selectors.state_of(ctx.protocol.sanctions, fresh, timezone.now())))


class SuspensionIn(Schema):
    person: int | str = Field(description=_PERSON)
    office: str = Field(min_length=1, max_length=40)
    reason: str = Field(min_length=1, max_length=2000)


class SuspensionOut(Schema):
    id: int
    holder: str
    holder_id: str
    office: str
    repeat: int
    days: float | None


@router.post(
    "/assemblies/{key}/suspensions",
    response={201: SuspensionOut},
    auth=REQUIRED,
    summary="Suspend a holder from office",
)
def suspend(request: HttpRequest, key: str, payload: SuspensionIn) -> Reply[dict[str, Any]]:
    ctx = forum_context(request.user, access_assembly(request.user, key))
    holder = _person(payload.person)
    s = actions.check_suspend(
        ctx, request.user, holder, office=payload.office, reason=payload.reason
    )
    days = s.duration.total_seconds() / 86400 if s.duration is not None else None
    return Reply(
        201,
        {
            "id": s.pk,
            "holder": str(s.holder),
            "holder_id": s.holder.public_id,
            "office": s.office,
            "repeat": s.repeat,
            "days": days,
        },
    )


class MisconductIn(Schema):
    person: int | str = Field(description=_PERSON)
    office: str = Field(min_length=1, max_length=40)
    days: float = Field(description="picked in the office's range (RED15M coordinators: 3–6)")
    reason: str = Field(min_length=1, max_length=2000)


class MisconductOut(Schema):
    id: int
    holder: str
    holder_id: str
    office: str
    days: float
    repeat: int
    reason: str
    imposed_at: datetime
    serves_from: datetime = Field(description="the opening of the next election to the office")
    ends_at: datetime | None = Field(description="None: barred from the office for good")
    backing: Literal["not_needed", "pending", "endorsed", "lapsed"] = Field(
        description="SAN-4: backed by others in time, or lapsed (then it bars nobody)"
    )
    backing_deadline: datetime | None


def _misconduct(m: Any, rules: Any) -> dict[str, Any]:
    state, deadline = selectors.misconduct_backing(rules, m, timezone.now())
    return {
        "backing": state.value,
        "backing_deadline": deadline,
        "id": m.pk,
        "holder": str(m.holder),
        "holder_id": m.holder.public_id,
        "office": m.office,
        "days": m.days,
        "repeat": m.repeat,
        "reason": m.reason,
        "imposed_at": m.imposed_at,
        "serves_from": m.serves_from,
        "ends_at": m.ends_at,
    }


@router.post(
    "/assemblies/{key}/misconducts",
    response={201: MisconductOut},
    auth=REQUIRED,
    summary="Find misconduct in office (art. 7): served on the next election to it",
)
def find_misconduct(request: HttpRequest, key: str, payload: MisconductIn) -> Reply[dict[str, Any]]:
    ctx = forum_context(request.user, access_assembly(request.user, key))
    found = misconduct.check_misconduct(
        ctx,
        request.user,
        _person(payload.person),
        office=payload.office,
        days=payload.days,
        reason=payload.reason,
    )
    return Reply(201, _misconduct(found, ctx.protocol.sanctions))


@router.post(
    "/assemblies/{key}/misconducts/{misconduct_id}/endorsements",
    response={201: MisconductOut},
    auth=REQUIRED,
    summary="Back a finding of misconduct (SAN-4: it lapses unless enough others back it)",
)
def back_misconduct(request: HttpRequest, key: str, misconduct_id: int) -> Reply[dict[str, Any]]:
    ctx = forum_context(request.user, access_assembly(request.user, key))
    found = OfficeMisconduct.objects.filter(pk=misconduct_id, assembly=ctx.assembly).first()
    if found is None:
        raise NotFound(misconduct_id)
    misconduct.check_back_misconduct(ctx, request.user, found)
    fresh = OfficeMisconduct.objects.prefetch_related("endorsements").get(pk=found.pk)
    return Reply(201, _misconduct(fresh, ctx.protocol.sanctions))


@router.get(
    "/assemblies/{key}/misconducts",
    response=list[MisconductOut],
    auth=OPTIONAL,
    summary="Misconduct in office, public as sanctions are",
)
def misconducts(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    assembly = access_assembly(request.user, key)
    in_force = protocol_in_force(assembly)
    rules = in_force.protocol.sanctions if in_force is not None else None
    rows = (
        OfficeMisconduct.objects.filter(assembly=assembly)
        .select_related("holder")
        .prefetch_related("endorsements")[:200]
    )
    return [_misconduct(m, rules) for m in rows]
