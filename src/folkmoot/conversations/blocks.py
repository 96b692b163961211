"""Blocking (FOR-6): a person blocks another, who can then neither start a conversation with
them nor write in their one-to-one; in a group the blocked person's messages are hidden from
the blocker alone. A block is the blocker's own setting: unblocking removes it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from folkmoot.audit.log import record
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.refusals import Invalid, NotFound, Refused, create_once

from .models import Block
from .people import by_public_ids


def _person(public_id: str) -> Any:
    """The person named in the form or the call. Naming nobody is bad input, said about the
    field (the API's 422), not a missing page: the path names nothing."""
    if not public_id.strip():
        raise Invalid(
            Answer.no(Reason("person_none", gettext_noop("Choose the person to block."))),
            ["person"],
        )
    found, unknown = by_public_ids([public_id])
    if not found:
        raise Invalid(
            Answer.no(
                Reason(
                    "unknown_person",
                    gettext_noop("Nobody on the platform has this id: %(ids)s."),
                    {"ids": ", ".join(unknown)},
                )
            ),
            ["person"],
        )
    return found[0]


def check_block(user: Any, public_id: str) -> Block:
    person = _person(public_id)
    if person.pk == user.pk:
        raise Refused.because(Reason("block_self", gettext_noop("You cannot block yourself.")))
    return do_block(blocker=user, blocked=person)


@transaction.atomic
def do_block(*, blocker: Any, blocked: Any) -> Block:
    block = create_once(
        Block,
        Reason("blocked_already", gettext_noop("You already block this person.")),
        blocker=blocker,
        blocked=blocked,
    )
    record("conversations.block", actor=blocker, subject=block)
    return block


def check_unblock(user: Any, public_id: str) -> None:
    block = Block.objects.filter(blocker=user, blocked__public_id=public_id).first()
    if block is None:
        raise NotFound(public_id)
    do_unblock(block=block)


@transaction.atomic
def do_unblock(*, block: Block) -> None:
    record("conversations.unblock", actor=block.blocker, subject=block)
    block.delete()


def blocked_ids(user: Any) -> set[int]:
    return set(Block.objects.filter(blocker=user).values_list("blocked_id", flat=True))


def blocks_of(user: Any) -> list[Block]:
    return list(Block.objects.filter(blocker=user).select_related("blocked"))
