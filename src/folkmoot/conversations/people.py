"""Choosing whom to write to. Private messages are between people of the platform (FOR-6),
so the person picker here searches every active account, not one federation's members
(accounts.picker); otherwise it works the same way: two characters at least, a short list,
and the chosen people named by their public ids."""

from __future__ import annotations

from typing import Any

from folkmoot.accounts.models import User
from folkmoot.accounts.picker import FOUND_AT_MOST


def find_people(query: str, *, exclude: Any = None) -> list[User]:
    query = query.strip()
    if len(query) < 2:
        return []
    found = User.objects.filter(
        is_active=True, erased_at__isnull=True, display_name__icontains=query
    )
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return list(
        found.order_by("display_name", "pk").only("pk", "public_id", "display_name")[:FOUND_AT_MOST]
    )


def by_public_ids(ids: list[str]) -> tuple[list[User], list[str]]:
    """The active people named, in the order given, and the ids that name nobody (a typo,
    an erased or deactivated account): the caller refuses those by name."""
    wanted = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
    found = {
        u.public_id: u
        for u in User.objects.filter(public_id__in=wanted, is_active=True, erased_at__isnull=True)
    }
    return [found[i] for i in wanted if i in found], [i for i in wanted if i not in found]
