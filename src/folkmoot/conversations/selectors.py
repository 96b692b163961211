"""Reading conversations, in a fixed number of queries whatever their number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce

from .models import Block, Message, Participant

INBOX_AT_MOST = 200
MESSAGES_AT_MOST = 500


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
    that would still move, from the one to the other, at the first message after it."""
    if seat.left_at is None:
        return seat.conversation.last_message_at
    last = _last_written_until(seat.conversation_id, seat.left_at).first()
    return last if last is not None else seat.left_at


def inbox(user: Any) -> list[InboxRow]:
    """The person's conversations, newest first, with their unread counts: two queries."""
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
            # `seen_until` in the database, to sort by.
            at=Case(
                When(
                    left_at__isnull=False,
                    then=Coalesce(
                        Subquery(
                            _last_written_until(OuterRef("conversation_id"), OuterRef("left_at"))
                        ),
                        F("left_at"),
                    ),
                ),
                default=F("conversation__last_message_at"),
            ),
        )
        .order_by("-at", "-conversation_id")[:INBOX_AT_MOST]
    )
    return [
        InboxRow(
            seat,
            [p.person for p in seat.conversation.participants.all() if p.person_id != user.pk],
            seat.unread,
            seat.at,  # `seen_until`, read with the seat
        )
        for seat in seats
    ]


def messages_for(seat: Participant, blocked: set[int]) -> list[Message]:
    """What the person reads in the conversation: everything until they left, less the
    messages of people they block (FOR-6). Hidden messages stay in their place, without
    their text (the template says they were hidden)."""
    rows = Message.objects.filter(conversation_id=seat.conversation_id).exclude(
        author_id__in=blocked
    )
    if seat.left_at is not None:
        rows = rows.filter(created_at__lte=seat.left_at)
    latest = rows.select_related("author").order_by("-id")[:MESSAGES_AT_MOST]
    return list(latest)[::-1]


def people_in(seat: Participant) -> list[Participant]:
    return list(
        Participant.objects.filter(conversation_id=seat.conversation_id)
        .select_related("person")
        .order_by("pk")
    )
