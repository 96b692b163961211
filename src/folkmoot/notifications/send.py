"""Writing notifications: one function for every kind, so each is stored once per person and
occasion (the unique constraints), in the channel the person chose for its kind, and not at
all where they chose "off". Called in the acting transaction for the few people an action
concerns, and by the worker for a whole electorate (DESIGN.md "Time")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .kinds import CHANNELS, KINDS
from .models import EmailPreference, Notification
from .tasks import ask_for_delivery

CHUNK = 5_000  # ids per statement: far under every database's limit on parameters


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def channels_of(kind: str, ids: list[int]) -> dict[int, str]:
    """Person id → how they hear of `kind`: their choice, else the kind's default."""
    default = KINDS[kind].default
    chosen = {pk: default for pk in ids}
    for chunk in _chunks(ids):
        for user_id, channels in EmailPreference.objects.filter(user_id__in=chunk).values_list(
            "user_id", "channels"
        ):
            value = (channels or {}).get(kind)
            if value in CHANNELS:
                chosen[user_id] = value
    return chosen


def notify(
    kind: str,
    people: Iterable[Any],
    *,
    actor: Any = None,
    assembly: Any = None,
    post: Any = None,
    vote: Any = None,
    proposal: Any = None,
    subject: Any = None,
    occasion: str = "",
) -> int:
    """Tell `people` (users or ids) of `kind`; never the actor of it. Returns how many were
    told now (those told before, or who turned the kind off, are not counted).

    Who turned the kind off gets a row all the same, in the "off" channel, never shown nor
    mailed: the home page finds what asks something of a person through these rows, and
    turning off a notice must not hide the task."""
    assert kind in KINDS, kind
    actor_id = getattr(actor, "pk", actor)
    ids = sorted({getattr(p, "pk", p) for p in people if p is not None} - {actor_id, None})
    if not ids:
        return 0
    about: dict[str, Any] = {
        "kind": kind,
        "actor_id": actor_id,
        "assembly_id": getattr(assembly, "pk", assembly),
        "post_id": getattr(post, "pk", post),
        "vote_id": getattr(vote, "pk", vote),
        "proposal_id": getattr(proposal, "pk", proposal),
        "occasion": occasion,
    }
    same = Q(kind=kind, occasion=occasion)
    if subject is not None:
        about["subject_type_id"] = ContentType.objects.get_for_model(subject).pk
        about["subject_id"] = subject.pk
        same &= Q(subject_type_id=about["subject_type_id"], subject_id=subject.pk)
    elif post is not None:
        same &= Q(post_id=about["post_id"])
    elif vote is not None:
        same &= Q(vote_id=about["vote_id"])
    elif proposal is not None:
        same &= Q(proposal_id=about["proposal_id"])
    channels = channels_of(kind, ids)
    told = 0
    emails = False
    for chunk in _chunks(ids):
        already = set(
            Notification.objects.filter(same, user_id__in=chunk).values_list("user_id", flat=True)
        )
        fresh = [pk for pk in chunk if pk not in already]
        now = timezone.now()
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=pk,
                    channel=channels[pk],
                    created_at=now,
                    # Nothing to mail for "site" and "off": dealt with when written, so the
                    # mailing index holds only what may still be mailed.
                    mailed_at=None if channels[pk] in ("email", "digest") else now,
                    **about,
                )
                for pk in fresh
            ],
            ignore_conflicts=True,
        )
        told += sum(channels[pk] != "off" for pk in fresh)
        if any(channels[pk] == "email" for pk in fresh):
            emails = True
    if emails:
        # Sent by the task worker once this commits (notifications.tasks).
        transaction.on_commit(ask_for_delivery)
    return told
