"""The person picker (issue 13): wherever someone is chosen (an appointment, a sanction, a
member's status), type part of a name and choose among the people who take part in the
federation. It is a plain search form, so it works without JavaScript; the API takes the
chosen person's public id."""

from __future__ import annotations

from typing import Any

from .models import User

FOUND_AT_MOST = 20


def find_people(query: str, federation_id: int, *, limit: int = FOUND_AT_MOST) -> list[Any]:
    """People taking part in the federation whose name contains `query`, by name. Fewer than
    two characters find nobody: a picker is for choosing, not for listing everyone."""
    from folkmoot.federation.models import Membership

    query = query.strip()
    if len(query) < 2:
        return []
    members = Membership.objects.active().filter(assembly_id=federation_id).values("user_id")
    return list(
        User.objects.filter(pk__in=members, is_active=True, display_name__icontains=query)
        .order_by("display_name", "pk")
        .only("pk", "public_id", "display_name")[:limit]
    )


def by_public_id(public_id: str) -> User | None:
    return User.objects.filter(public_id=public_id, is_active=True).first()
