"""Reading conversations, in a fixed number of queries whatever their number: the inbox a
page of conversations at a time, a conversation a page of messages at a time (the newest
first shown, "earlier messages" going back by message id, which the index
`messages_in_order` serves), so that one with thousands of messages opens as fast as one
with ten."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce, Greatest

from .models import Block, Message, Participant

INBOX_PAGE = 50  # conversations a page of the inbox shows
MESSAGES_PAGE = 50  # messages a page of a conversation shows
MESSAGES_PAGE_AT_MOST = 200  # what the API's `limit` may ask for


def _unseen(user: Any) -> Q:
    """What counts as unread for `user`: written by someone else, not hidden by the staff,
    not by someone they block."""
    return (
        Q(hidden_at__isnull=True)
        & ~Q(author_id=user.pk)
        & ~Q(author_id__in=Block.objects.filter(blocker_id=user.pk).values("blocked_id"))
    )


def unread_messages(user: Any) -> Any:
    """The messages waiting for `user` in the conversations they are still in: over the
    person's open seats (indexed), then each conversation's messages after their marker
    (indexed). A person has one seat per conversation: no row twice. Also counted with the
    notifications' count in one query (notifications.reading)."""
    return Message.objects.filter(
        _unseen(user),
        conversation__participants__person_id=user.pk,
        conversation__participants__left_at__isnull=True,
        id__gt=F("conversation__participants__last_read_id"),
    )


def unread_in(seat: Participant) -> int:
    """How many messages wait for the person in this conversation (as the inbox counts)."""
    return Message.objects.filter(
        _unseen(seat.person), conversation_id=seat.conversation_id, id__gt=seat.last_read_id
    ).count()


@dataclass
class InboxRow:
    seat: Participant
    others: list[Any]  # the other people, present or gone
    unread: int
    at: datetime  # when the last message this person may read was written (`seen_until`)


def _last_written_until(conversation_id: Any, moment: Any) -> Any:
    """When the last message of the conversation until `moment` was written (values, or
    OuterRefs for a subquery)."""
    return (
        Message.objects.filter(conversation_id=conversation_id, created_at__lte=moment)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:1]
    )


def seen_until(seat: Participant) -> datetime:
    """When the conversation last moved for this person: its last message, or, once they
    left, the last message written until then. What the others write afterwards reaches
    them no more, so it must neither bring the conversation back up their inbox nor change
    the time it shows (FOR-6). Not simply the earlier of the last message and the leaving:
    that would still move, from the one to the other, at the first message after it.
    Someone added later finds the conversation when they were added, until the next
    message."""
    if seat.left_at is None:
        return max(seat.conversation.last_message_at, seat.joined_at)
    last = _last_written_until(seat.conversation_id, seat.left_at).first()
    return max(last if last is not None else seat.left_at, seat.joined_at)


@dataclass
class Inbox:
    rows: list[InboxRow]
    page: Page[Any]  # Django's, for the page's navigation (`_pagination.html`)


def inbox(user: Any, number: int | str | None = 1, *, strict: bool = False) -> Inbox:
    """A page of the person's conversations, newest first, with their unread counts: three
    queries (the count, the page, its people). `strict`: a page past the last is empty
    (the API's), rather than the last one (a page's link)."""
    unread = (
        Message.objects.filter(
            _unseen(user),
            conversation_id=OuterRef("conversation_id"),
            id__gt=OuterRef("last_read_id"),
        )
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    seats = (
        Participant.objects.filter(person_id=user.pk)
        .select_related("conversation")
        .prefetch_related(
            Prefetch(
                "conversation__participants",
                queryset=Participant.objects.select_related("person").order_by("pk"),
            )
        )
        .annotate(
            unread=Case(
                When(left_at__isnull=True, then=Coalesce(Subquery(unread), 0)),
                default=0,
                output_field=IntegerField(),
            ),
            # `seen_until` in the database, to sort by: someone added later finds it when
            # they were added (for anyone else, joining is never later than the rest).
            at=Greatest(
                Case(
                    When(
                        left_at__isnull=False,
                        then=Coalesce(
                            Subquery(
                                _last_written_until(
                                    OuterRef("conversation_id"), OuterRef("left_at")
                                )
                            ),
                            F("left_at"),
                        ),
                    ),
                    default=F("conversation__last_message_at"),
                ),
                F("joined_at"),
            ),
        )
        .order_by("-at", "-conversation_id")
    )
    paginator = Paginator(seats, INBOX_PAGE)
    try:
        page = paginator.page(number or 1) if strict else paginator.get_page(number)
    except InvalidPage:
        page = Page([], 0, paginator)
    on_page: list[Any] = list(page.object_list)  # annotated with `unread` and `at`
    rows = [
        InboxRow(
            seat,
            [p.person for p in seat.conversation.participants.all() if p.person_id != user.pk],
            seat.unread,
            seat.at,  # `seen_until`, read with the seat
        )
        for seat in on_page
    ]
    return Inbox(rows, page)


def readable(seat: Participant, blocked: set[int]) -> Any:
    """What the person reads in the conversation: what was written while they were in it
    (from when they were added, if they were, until they left, if they did), less the
    messages of people they block (FOR-6). Hidden messages stay in their place, without
    their text (the template says they were hidden)."""
    rows = Message.objects.filter(conversation_id=seat.conversation_id).exclude(
        author_id__in=blocked
    )
    if seat.reads_after is not None:
        rows = rows.filter(id__gt=seat.reads_after)
    if seat.left_at is not None:
        rows = rows.filter(created_at__lte=seat.left_at)
    return rows


@dataclass
class Line:
    """One line of a conversation as shown: a message, or someone added ("X added Y")."""

    message: Message | None = None
    added: Participant | None = None  # the newcomer's seat: `added_by`, `person`, `joined_at`


@dataclass
class MessagePage:
    messages: list[Message]  # oldest first
    # The `before` that reads the messages written before these; None: there are none.
    earlier: int | None
    latest: bool  # these are the newest messages the person may read
    added: list[Participant] = field(default_factory=list)  # people added among them

    @property
    def lines(self) -> list[Line]:
        """The messages and the additions in the order they happened."""
        lines: list[Line] = []
        waiting = sorted(self.added, key=lambda p: (p.joined_at, p.pk))
        for message in self.messages:
            while waiting and waiting[0].joined_at < message.created_at:
                lines.append(Line(added=waiting.pop(0)))
            lines.append(Line(message=message))
        lines.extend(Line(added=p) for p in waiting)
        return lines


def page_of(
    seat: Participant, blocked: set[int], *, before: int | None = None, limit: int = MESSAGES_PAGE
) -> MessagePage:
    """The newest `limit` messages the person may read that were written before message
    `before` (all of them if None), oldest first, and the people added meanwhile: three
    queries at most, whatever the length of the conversation."""
    rows = readable(seat, blocked)
    found = list(
        (rows if before is None else rows.filter(id__lt=before))
        .select_related("author")
        .order_by("-id")[: limit + 1]
    )
    more = len(found) > limit
    messages = found[:limit][::-1]
    # Each addition shows on one page, after the last message written before it: from the
    # first message of this page (unless it is the first page) until the first of the next
    # (unless this one is the newest).
    added = Participant.objects.filter(
        conversation_id=seat.conversation_id,
        added_by__isnull=False,
        joined_at__gte=seat.joined_at,  # nobody reads of those added before they came
    ).select_related("person", "added_by")
    if seat.left_at is not None:
        added = added.filter(joined_at__lte=seat.left_at)
    if more:
        added = added.filter(joined_at__gte=messages[0].created_at)
    following = None
    if before is not None:
        following = (
            rows.filter(id__gte=before).order_by("id").values_list("created_at", flat=True).first()
        )
        if following is not None:
            added = added.filter(joined_at__lt=following)
    return MessagePage(
        messages=messages,
        earlier=messages[0].pk if more else None,
        latest=following is None,
        added=list(added.order_by("joined_at", "pk")),
    )


def people_in(seat: Participant) -> list[Participant]:
    return list(
        Participant.objects.filter(conversation_id=seat.conversation_id)
        .select_related("person")
        .order_by("pk")
    )
