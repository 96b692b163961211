"""Private messages through the API (FOR-6, UI-5): the same actions and refusals as the
pages. Reading a conversation marks it read, as opening its page does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import REQUIRED
from folkmoot.refusals import reasons_text, require

from . import actions, blocks, holders, reports, selectors
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


class ConversationDetailOut(ConversationOut):
    messages: list[PrivateMessageOut] = Field(
        description="oldest first; not those of people you block"
    )
    may_write: bool
    write_reasons: list[str]


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


def _detail(seat: Participant) -> dict[str, Any]:
    rows = selectors.messages_for(seat, blocks.blocked_ids(seat.person))
    if rows:
        actions.do_mark_read(seat=seat, upto=rows[-1].pk)
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
        "unread": 0,
        "left": seat.left_at is not None,
        "messages": [_message(m) for m in rows],
        "may_write": may.allowed,
        "write_reasons": reasons_text(may),
    }


@router.get(
    "/conversations",
    response=list[ConversationOut],
    auth=REQUIRED,
    summary="Your private conversations, newest first, with unread counts",
)
def list_conversations(request: HttpRequest) -> list[dict[str, Any]]:
    return [_conversation(row) for row in selectors.inbox(request.user)]


@router.post(
    "/conversations",
    response={201: ConversationDetailOut},
    auth=REQUIRED,
    summary="Start a private conversation (one-to-one, or a group)",
)
def start(request: HttpRequest, payload: ConversationStartIn) -> Reply[dict[str, Any]]:
    conversation = actions.check_start(
        request.user, to=payload.to, subject=payload.subject, body=payload.body
    )
    return Reply(201, _detail(actions.access_conversation(request.user, conversation.pk)))


@router.post(
    "/assemblies/{key}/offices/{office}/conversations",
    response={201: ConversationDetailOut},
    auth=REQUIRED,
    summary="Write to the current holders of an office of an assembly",
)
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
    response={201: ConversationDetailOut},
    auth=REQUIRED,
    summary="Write to those who may sanction in an assembly (to appeal a sanction)",
)
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
    summary="Read a conversation (marks it read)",
)
def read(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    return _detail(actions.access_conversation(request.user, conversation_id))


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: PrivateMessageOut},
    auth=REQUIRED,
    summary="Write in a conversation",
)
def send(
    request: HttpRequest, conversation_id: int, payload: PrivateMessageIn
) -> Reply[dict[str, Any]]:
    seat = actions.access_conversation(request.user, conversation_id)
    return Reply(201, _message(actions.check_send(seat, payload.body)))


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
