"""Private messages (FOR-6): start a conversation, write, read, add people to a group,
leave; for the page, the API and the "write to the holders of an office" shortcut alike.
The rules are asked in `rules` (blocks, sanctions and their appeal, sizes, the pace of
sending); here the facts are gathered and the rows written.

Privacy against the operator: the audit log says who wrote to which conversation, never
what (no text, no subject), and no URL carries either."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.forums.text import render
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.notifications.send import notify
from folkmoot.refusals import Invalid, NotFound, Refused, require

from . import pace, rules
from .models import Block, Conversation, Message, Participant
from .people import by_public_ids
from .standing import standings_of

KIND = "private_message"


def access_conversation(user: Any, pk: int) -> Participant:
    """The person's seat in conversation `pk`, with the conversation; someone who does not
    take part in it finds nothing, exactly as if it did not exist (DESIGN.md `access_*`):
    staff included."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound(pk)
    seat = (
        Participant.objects.select_related("conversation", "person")
        .filter(conversation_id=pk, person_id=user.pk)
        .first()
    )
    if seat is None:
        raise NotFound(pk)
    return seat


def blocker_ids_among(user: Any, people: list[Any]) -> set[int]:
    """The ids of those among `people` who block `user`."""
    return set(
        Block.objects.filter(blocked=user, blocker__in=[p.pk for p in people]).values_list(
            "blocker_id", flat=True
        )
    )


def blockers_among(user: Any, people: list[Any]) -> list[str]:
    """The names of those among `people` who block `user`."""
    ids = blocker_ids_among(user, people)
    return [str(p) for p in people if p.pk in ids]


def _named_people(to: list[str]) -> list[Any]:
    """The people a form or a call names by their public ids; too many names, or one that
    names nobody, is bad input about `to`."""
    named = rules.check_named(len(to))
    if not named:
        raise Invalid(named, ["to"])
    people, unknown = by_public_ids(to)
    if unknown:
        raise Invalid(
            Answer.no(
                Reason(
                    "unknown_person",
                    gettext_noop("Nobody on the platform has this id: %(ids)s."),
                    {"ids": ", ".join(unknown)},
                )
            ),
            ["to"],
        )
    return people


def check_start(user: Any, *, to: list[str], subject: str = "", body: str = "") -> Conversation:
    """Start a conversation with the people named by their public ids; the first message
    goes with it. One-to-one when one person is chosen."""
    people = [p for p in _named_people(to) if p.pk != user.pk]
    subject, body = subject.strip(), body.strip()
    require(
        combine(
            rules.check_people(len(people)),
            rules.check_subject(subject),
            rules.check_body(body),
            rules.check_not_blocked(blockers_among(user, people)),
            rules.check_sanctions(standings_of(user), [p.pk for p in people]),
        )
    )
    pace.take(user)  # last: a refused message takes no place
    return do_start(author=user, people=people, subject=subject, body=body)


@transaction.atomic
def do_start(*, author: Any, people: list[Any], subject: str, body: str) -> Conversation:
    now = timezone.now()
    conversation = Conversation.objects.create(
        subject=subject, direct=len(people) == 1, started_by=author, created_at=now
    )
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, person=p, joined_at=now) for p in [author, *people]]
    )
    record("conversations.start", actor=author, subject=conversation, people=len(people) + 1)
    seat = Participant.objects.get(conversation=conversation, person=author)
    do_send(seat=seat, body=body)
    return conversation


def present_others(seat: Participant) -> list[Participant]:
    """The other people still in the conversation: whom a message reaches."""
    return list(
        Participant.objects.filter(conversation_id=seat.conversation_id, left_at__isnull=True)
        .exclude(person_id=seat.person_id)
        .select_related("person")
    )


def may_write(seat: Participant) -> Answer:
    """May this person write in this conversation now? Asked before the page offers the
    form (so a refusal is said before anything is typed) and again when they send."""
    if seat.left_at is not None:
        return Answer.no(
            Reason("left", gettext_noop("You left this conversation: you no longer write in it."))
        )
    people = [o.person for o in present_others(seat)]
    answers = [rules.check_someone_listens(len(people))]
    if seat.conversation.direct:
        # One-to-one: a block stops the blocked person writing at all. In a group the others
        # still read them; the blocker alone no longer does.
        answers.append(rules.check_not_blocked(blockers_among(seat.person, people)))
    answers.append(rules.check_sanctions(standings_of(seat.person), [p.pk for p in people]))
    return combine(*answers)


def check_send(seat: Participant, body: str) -> Message:
    body = body.strip()
    require(combine(rules.check_body(body), may_write(seat)))
    pace.take(seat.person)  # last: a refused message takes no place
    return do_send(seat=seat, body=body)


@transaction.atomic
def do_send(*, seat: Participant, body: str) -> Message:
    now = timezone.now()
    author = seat.person
    message = Message.objects.create(
        conversation_id=seat.conversation_id,
        author=author,
        body=body,
        body_html=render(body),
        created_at=now,
    )
    Conversation.objects.filter(pk=seat.conversation_id).update(last_message_at=now)
    Participant.objects.filter(pk=seat.pk).update(last_read_id=message.pk)
    seat.last_read_id = message.pk
    # Who wrote to which conversation: never what.
    record(
        "conversations.message",
        actor=author,
        subject=seat.conversation,
        message=message.pk,
    )
    _tell_the_others(seat, message)
    return message


def _tell_the_others(seat: Participant, message: Message) -> None:
    """Each other person is told once per unread spell: the occasion is the last message
    they had read, so ten messages in a row make one notice, and the next after they read
    makes a new one. Whoever blocks the author is not told (they will not see it). The
    notice names the author, never the text."""
    blockers = set(
        Block.objects.filter(blocked_id=seat.person_id).values_list("blocker_id", flat=True)
    )
    spells: dict[int, list[int]] = defaultdict(list)
    for other in Participant.objects.filter(
        conversation_id=seat.conversation_id, left_at__isnull=True
    ).exclude(person_id=seat.person_id):
        if other.person_id not in blockers:
            spells[other.last_read_id].append(other.person_id)
    for last_read, people in spells.items():
        notify(
            KIND,
            people,
            actor=seat.person,
            subject=seat.conversation,
            occasion=f"after:{last_read}",
        )


def _unread_notices(seat: Participant) -> Any:
    """The person's unread notices of this conversation."""
    from django.contrib.contenttypes.models import ContentType

    from folkmoot.notifications.models import Notification

    return Notification.objects.filter(
        user_id=seat.person_id,
        kind=KIND,
        subject_type=ContentType.objects.get_for_model(Conversation),
        subject_id=seat.conversation_id,
        read_at__isnull=True,
    )


def do_mark_read(*, seat: Participant, upto: int) -> None:
    """Reading is not an act worth auditing: only the seat's marker moves, and the
    notices of this conversation are read."""
    if upto > seat.last_read_id:
        Participant.objects.filter(pk=seat.pk, last_read_id__lt=upto).update(last_read_id=upto)
        seat.last_read_id = upto
    _unread_notices(seat).update(read_at=timezone.now())


def may_add(seat: Participant) -> Answer:
    """Whether the page offers to add people: in a group conversation, to those still in it."""
    if seat.left_at is not None:
        return Answer.no(
            Reason("left", gettext_noop("You left this conversation: you no longer write in it."))
        )
    return rules.check_group(direct=seat.conversation.direct)


def check_add_people(seat: Participant, *, to: list[str]) -> list[Any]:
    """Someone in a group conversation adds the people named by their public ids, under the
    rules a conversation starts with: its size, blocks (here both ways: nobody joins a
    conversation with someone they block or who blocks them) and the adder's sanctions (a
    sanctioned person may bring in only those who hear their appeal, as they may write only
    to them). Returns the people added."""
    people = _named_people(to)
    require(may_add(seat))
    with transaction.atomic():
        # One addition at a time per conversation: two at once cannot both take the last
        # places, nor add the same person twice.
        Conversation.objects.select_for_update().filter(pk=seat.conversation_id).first()
        seats = {
            s.person_id: s for s in Participant.objects.filter(conversation_id=seat.conversation_id)
        }
        present = [pk for pk, s in seats.items() if s.left_at is None]
        new = [p for p in people if p.pk not in seats]
        blocking = _blocks_with(new, present)
        require(
            combine(
                rules.check_adding(
                    direct=seat.conversation.direct,
                    present=len(present),
                    chosen=len(new),
                    already_in=[str(p) for p in people if p.pk in present],
                    left=[str(p) for p in people if p.pk in seats and p.pk not in present],
                    blocked=[str(p) for p in new if p.pk in blocking],
                ),
                rules.check_sanctions(
                    standings_of(seat.person),
                    [pk for pk in present if pk != seat.person_id] + [p.pk for p in new],
                ),
            )
        )
        do_add_people(seat=seat, people=new)
    return new


def _blocks_with(new: list[Any], present: list[int]) -> set[int]:
    """The ids of those among `new` who block someone of `present`, or are blocked by one."""
    ids = [p.pk for p in new]
    if not ids:
        return set()
    pairs = Block.objects.filter(
        Q(blocker_id__in=ids, blocked_id__in=present)
        | Q(blocker_id__in=present, blocked_id__in=ids)
    ).values_list("blocker_id", "blocked_id")
    return {pk for pair in pairs for pk in pair if pk in ids}


@transaction.atomic
def do_add_people(*, seat: Participant, people: list[Any]) -> None:
    """The others see "X added Y" in the conversation, where it happened
    (`selectors.page_of`).

    What the newcomer reads: what is written from the moment they join, not what was
    written before. Those who wrote earlier wrote to the people then in the conversation,
    and one of them adding someone must not hand everyone's words to a reader the others
    did not choose (nor the words of someone who has left, who cannot object). It is the
    mirror of leaving, where a person keeps what was written while they were in it, and
    what Signal and WhatsApp groups do. Whoever wants the newcomer to know something from
    before can tell them in a message. `reads_after` holds the last message written before
    they came; their unread count starts after it as well."""
    now = timezone.now()
    last = (
        Message.objects.filter(conversation_id=seat.conversation_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    ) or 0
    Participant.objects.bulk_create(
        [
            Participant(
                conversation_id=seat.conversation_id,
                person=person,
                joined_at=now,
                added_by=seat.person,
                reads_after=last,
                last_read_id=last,
            )
            for person in people
        ]
    )
    # Who added how many people to which conversation: never who they are (as `start`).
    record("conversations.add", actor=seat.person, subject=seat.conversation, people=len(people))
    notify(
        "conversation_added",
        [p.pk for p in people],
        actor=seat.person,
        subject=seat.conversation,
        occasion=f"added:{now.isoformat()}",
    )


def check_leave(seat: Participant) -> None:
    if seat.left_at is not None:
        raise Refused.because(
            Reason("left_already", gettext_noop("You have already left this conversation."))
        )
    do_leave(seat=seat)


@transaction.atomic
def do_leave(*, seat: Participant) -> None:
    """Whoever leaves receives nothing more (FOR-6): the notices still waiting from this
    conversation are read, and those not mailed yet are not mailed (the mailer sends every
    row without `mailed_at`, read or not, so it is set here as for a site-only notice)."""
    now = timezone.now()
    seat.left_at = now
    seat.save(update_fields=["left_at"])
    waiting = _unread_notices(seat)
    waiting.filter(mailed_at__isnull=True).update(read_at=now, mailed_at=now)
    waiting.update(read_at=now)
    record("conversations.leave", actor=seat.person, subject=seat.conversation)
