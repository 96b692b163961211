"""Private messages through the API (FOR-6, UI-5): the same actions and refusals as the
pages. Reading a conversation's newest messages marks it read, as opening its page does;
reading earlier ones (`before`) marks nothing. Sending too fast is a 429 with Retry-After
and the reason, as a refusal carries it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import REQUIRED
from folkmoot.refusals import reasons_text, require

from . import actions, blocks, holders, pace, reports, selectors
from .models import Conversation, Message, MessageReport, Participant
from .rules import BODY_LENGTH, MAX_PEOPLE, REASON_LENGTH, SUBJECT_LENGTH

router = Router(tags=["private messages"])

# The OpenAPI document names each schema by its class name, across every app's API: these
# carry the app's name so that none stands for another app's (PersonOut, MessageOut, …).


class ConversationPersonOut(Schema):
    id: str = Field(description="the person's public id")
    name: str


class ConversationSeatOut(ConversationPersonOut):
    left: bool


class ConversationOut(Schema):
    id: int
    subject: str
    direct: bool = Field(description="started between two people (one-to-one)")
    people: list[ConversationSeatOut] = Field(description="everyone else in it, present or gone")
    last_message_at: datetime = Field(
        description="the last message you may read: once you left, no later than that"
    )
    unread: int
    left: bool = Field(description="you left it")


class PrivateMessageOut(Schema):
    id: int
    author: ConversationPersonOut
    body: str | None = Field(description="None when the platform's staff hid it")
    html: str | None = Field(description="the body rendered and sanitised")
    hidden: bool
    created_at: datetime


class ConversationAddedOut(Schema):
    kind: Literal["added"] = "added"
    by: ConversationPersonOut = Field(description="who added them")
    person: ConversationPersonOut = Field(description="who was added")
    at: datetime


class ConversationDetailOut(ConversationOut):
    messages: list[PrivateMessageOut] = Field(
        description=(
            "a page of them, oldest first: the newest unless `before` was given; not those of "
            "people you block; someone added later reads from when they were added"
        )
    )
    events: list[ConversationAddedOut] = Field(
        description="the people added while these messages were written (X added Y)"
    )
    earlier: int | None = Field(
        description="pass it as `before` to read the messages before these; null: none"
    )
    latest: bool = Field(description="these are the newest messages")
    may_write: bool
    write_reasons: list[str]


class ConversationAddIn(Schema):
    to: list[str] = Field(
        min_length=1,
        max_length=MAX_PEOPLE,
        description="the public ids of the people to add",
    )


class ConversationPeopleAddedOut(Schema):
    added: list[ConversationPersonOut]


class ConversationTooFastReason(Schema):
    code: str
    message: str


class ConversationTooFastOut(Schema):
    detail: str
    reasons: list[ConversationTooFastReason]


class ConversationStartIn(Schema):
    to: list[str] = Field(
        min_length=1,
        max_length=MAX_PEOPLE - 1,
        description=f"the public ids of the people to write to (at most {MAX_PEOPLE - 1})",
    )
    subject: str = Field("", max_length=SUBJECT_LENGTH)
    body: str = Field(min_length=1, max_length=BODY_LENGTH)


class ConversationToHoldersIn(Schema):
    subject: str = Field("", max_length=SUBJECT_LENGTH)
    body: str = Field(min_length=1, max_length=BODY_LENGTH)


class PrivateMessageIn(Schema):
    body: str = Field(min_length=1, max_length=BODY_LENGTH)


class PrivateMessageReportIn(Schema):
    reason: str = Field(min_length=1, max_length=REASON_LENGTH)


class ConversationBlockIn(Schema):
    person: str = Field(min_length=1, max_length=16, description="the person's public id")


class ConversationBlockOut(Schema):
    person: ConversationPersonOut
    since: datetime


class PrivateMessageReportOut(Schema):
    id: int
    message: PrivateMessageOut
    reason: str
    created_at: datetime


class PrivateMessageReportsClosed(Schema):
    closed: int


class ConversationDone(Schema):
    ok: bool


def _person(user: Any) -> dict[str, str]:
    return {"id": user.public_id, "name": str(user)}


def _message(m: Message) -> dict[str, Any]:
    hidden = m.hidden_at is not None
    return {
        "id": m.pk,
        "author": _person(m.author),
        "body": None if hidden else m.body,
        "html": None if hidden else m.body_html,
        "hidden": hidden,
        "created_at": m.created_at,
    }


def _conversation(row: selectors.InboxRow) -> dict[str, Any]:
    c: Conversation = row.seat.conversation
    left = {p.person_id for p in c.participants.all() if p.left_at is not None}
    return {
        "id": c.pk,
        "subject": c.subject,
        "direct": c.direct,
        "people": [{**_person(p), "left": p.pk in left} for p in row.others],
        "last_message_at": row.at,
        "unread": row.unread,
        "left": row.seat.left_at is not None,
    }


def _paced[**P](endpoint: Callable[P, Any]) -> Callable[P, Any]:
    """A message sent too fast: 429, how long to wait in Retry-After, and the reason as any
    refusal gives it (`code`: too_fast)."""

    @wraps(endpoint)
    def paced(*args: P.args, **kwargs: P.kwargs) -> Any:
        try:
            return endpoint(*args, **kwargs)
        except pace.TooFast as refused:
            reasons = [
                {"code": c, "message": m}
                for c, m in zip(refused.codes, refused.messages, strict=True)
            ]
            response: HttpResponse = JsonResponse(
                {"detail": " ".join(refused.messages), "reasons": reasons}, status=429
            )
            response["Retry-After"] = str(refused.seconds)
            return response

    return paced


def _detail(
    seat: Participant, *, before: int | None = None, limit: int = selectors.MESSAGES_PAGE
) -> dict[str, Any]:
    page = selectors.page_of(seat, blocks.blocked_ids(seat.person), before=before, limit=limit)
    if page.latest and page.messages:
        actions.do_mark_read(seat=seat, upto=page.messages[-1].pk)
    people = selectors.people_in(seat)
    may = actions.may_write(seat)
    c = seat.conversation
    return {
        "id": c.pk,
        "subject": c.subject,
        "direct": c.direct,
        "people": [
            {**_person(p.person), "left": p.left_at is not None}
            for p in people
            if p.person_id != seat.person_id
        ],
        "last_message_at": selectors.seen_until(seat),
        "unread": 0 if page.latest else _unread(seat),
        "left": seat.left_at is not None,
        "messages": [_message(m) for m in page.messages],
        "events": [
            {
                "kind": "added",
                "by": _person(a.added_by),
                "person": _person(a.person),
                "at": a.joined_at,
            }
            for a in page.added
        ],
        "earlier": page.earlier,
        "latest": page.latest,
        "may_write": may.allowed,
        "write_reasons": reasons_text(may),
    }


def _unread(seat: Participant) -> int:
    """The seat's unread count, when reading an earlier page left it as it was."""
    if seat.left_at is not None:
        return 0
    return int(selectors.unread_in(seat))


@router.get(
    "/conversations",
    response=list[ConversationOut],
    auth=REQUIRED,
    summary="Your private conversations, newest first, with unread counts",
    description=(
        f"{selectors.INBOX_PAGE} a page; `page` counts from 1, and a page past the last is "
        "an empty list."
    ),
)
def list_conversations(request: HttpRequest, page: int = Query(1, ge=1)) -> list[dict[str, Any]]:
    return [_conversation(row) for row in selectors.inbox(request.user, page, strict=True).rows]


@router.post(
    "/conversations",
    response={201: ConversationDetailOut, 429: ConversationTooFastOut},
    auth=REQUIRED,
    summary="Start a private conversation (one-to-one, or a group)",
)
@_paced
def start(request: HttpRequest, payload: ConversationStartIn) -> Reply[dict[str, Any]]:
    conversation = actions.check_start(
        request.user, to=payload.to, subject=payload.subject, body=payload.body
    )
    return Reply(201, _detail(actions.access_conversation(request.user, conversation.pk)))


@router.post(
    "/assemblies/{key}/offices/{office}/conversations",
    response={201: ConversationDetailOut, 429: ConversationTooFastOut},
    auth=REQUIRED,
    summary="Write to the current holders of an office of an assembly",
)
@_paced
def to_office(
    request: HttpRequest, key: str, office: str, payload: ConversationToHoldersIn
) -> Reply[dict[str, Any]]:
    found = holders.office_holders(request.user, key, office)
    conversation = holders.check_write_to(
        request.user, found, subject=payload.subject, body=payload.body
    )
    return Reply(201, _detail(actions.access_conversation(request.user, conversation.pk)))


@router.post(
    "/assemblies/{key}/appeals",
    response={201: ConversationDetailOut, 429: ConversationTooFastOut},
    auth=REQUIRED,
    summary="Write to those who may sanction in an assembly (to appeal a sanction)",
)
@_paced
def appeal(
    request: HttpRequest, key: str, payload: ConversationToHoldersIn
) -> Reply[dict[str, Any]]:
    found = holders.appeal_to(request.user, key)
    conversation = holders.check_write_to(
        request.user, found, subject=payload.subject, body=payload.body
    )
    return Reply(201, _detail(actions.access_conversation(request.user, conversation.pk)))


@router.get(
    "/conversations/{conversation_id}",
    response=ConversationDetailOut,
    auth=REQUIRED,
    summary="Read a conversation, a page of messages at a time (the newest mark it read)",
)
def read(
    request: HttpRequest,
    conversation_id: int,
    before: int | None = Query(
        None, ge=1, description="the messages before this one (`earlier` of the page after)"
    ),
    limit: int = Query(
        selectors.MESSAGES_PAGE, ge=1, le=selectors.MESSAGES_PAGE_AT_MOST, description="how many"
    ),
) -> dict[str, Any]:
    seat = actions.access_conversation(request.user, conversation_id)
    return _detail(seat, before=before, limit=limit)


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: PrivateMessageOut, 429: ConversationTooFastOut},
    auth=REQUIRED,
    summary="Write in a conversation",
)
@_paced
def send(
    request: HttpRequest, conversation_id: int, payload: PrivateMessageIn
) -> Reply[dict[str, Any]]:
    seat = actions.access_conversation(request.user, conversation_id)
    return Reply(201, _message(actions.check_send(seat, payload.body)))


@router.post(
    "/conversations/{conversation_id}/people",
    response={201: ConversationPeopleAddedOut},
    auth=REQUIRED,
    summary="Add people to a group conversation you are in",
    description=(
        "Under the rules a conversation starts with (its size, blocks both ways, your "
        "sanctions). Whoever is added reads what is written from then on; the others see "
        "who added them (`events`)."
    ),
)
def add_people(
    request: HttpRequest, conversation_id: int, payload: ConversationAddIn
) -> Reply[dict[str, Any]]:
    seat = actions.access_conversation(request.user, conversation_id)
    added = actions.check_add_people(seat, to=payload.to)
    return Reply(201, {"added": [_person(p) for p in added]})


@router.post(
    "/conversations/{conversation_id}/leave",
    response=ConversationDone,
    auth=REQUIRED,
    summary="Leave a conversation (what was written stays)",
)
def leave(request: HttpRequest, conversation_id: int) -> dict[str, bool]:
    actions.check_leave(actions.access_conversation(request.user, conversation_id))
    return {"ok": True}


@router.post(
    "/private-messages/{message_id}/reports",
    response={201: ConversationDone},
    auth=REQUIRED,
    summary="Report a private message to the platform's staff",
)
def report(
    request: HttpRequest, message_id: int, payload: PrivateMessageReportIn
) -> Reply[dict[str, bool]]:
    message = reports.access_message(request.user, message_id)
    reports.check_report(request.user, message, payload.reason)
    return Reply(201, {"ok": True})


@router.get(
    "/me/blocks", response=list[ConversationBlockOut], auth=REQUIRED, summary="The people you block"
)
def list_blocks(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"person": _person(b.blocked), "since": b.created_at}
        for b in blocks.blocks_of(request.user)
    ]


@router.post(
    "/me/blocks", response={201: ConversationBlockOut}, auth=REQUIRED, summary="Block a person"
)
def block(request: HttpRequest, payload: ConversationBlockIn) -> Reply[dict[str, Any]]:
    done = blocks.check_block(request.user, payload.person)
    return Reply(201, {"person": _person(done.blocked), "since": done.created_at})


@router.delete(
    "/me/blocks/{person}", response={204: None}, auth=REQUIRED, summary="Unblock a person"
)
def unblock(request: HttpRequest, person: str) -> Reply[None]:
    blocks.check_unblock(request.user, person)
    return Reply(204, None)


@router.get(
    "/private-message-reports",
    response=list[PrivateMessageReportOut],
    auth=REQUIRED,
    summary="Reported private messages waiting (platform staff)",
)
def list_reports(request: HttpRequest) -> list[dict[str, Any]]:
    require(reports.check_staff(request.user))
    return [_report(r) for r in reports.open_reports(request.user)]


def _report(r: MessageReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "message": _message(r.message),
        "reason": r.reason,
        "created_at": r.created_at,
    }


@router.post(
    "/private-message-reports/{report_id}/hide",
    response=PrivateMessageReportsClosed,
    auth=REQUIRED,
    summary="Hide a reported message (kept, never deleted); its reports close",
)
def hide(request: HttpRequest, report_id: int) -> dict[str, int]:
    found = reports.access_report(request.user, report_id)
    return {"closed": reports.do_hide(staff=request.user, report=found)}


@router.post(
    "/private-message-reports/{report_id}/dismiss",
    response=PrivateMessageReportsClosed,
    auth=REQUIRED,
    summary="Dismiss the reports on a message; it stays as it was",
)
def dismiss(request: HttpRequest, report_id: int) -> dict[str, int]:
    found = reports.access_report(request.user, report_id)
    return {"closed": reports.do_dismiss(staff=request.user, report=found)}
