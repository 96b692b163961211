"""An election takes effect when read (OFF-4, DESIGN.md "Time", issue 10): whoever reads the
holders of an assembly's offices — the offices page and API, the facts every permission check
is made of — first seats the winners of any election of that assembly whose vote has closed
and whose result is not materialised yet. The worker does the same on its rounds; neither
has to come first, and a late worker changes nothing anyone sees."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import BigIntegerField, Value
from django.utils import timezone

from folkmoot.federation.models import Assembly

log = logging.getLogger(__name__)


def seat_the_elected(assembly: Assembly, now: datetime | None = None) -> None:
    """One query in the usual case (it finds nothing): the assembly's election votes closed by
    `now` without a result. Election votes are reached through the assembly's offices (a few
    rows, indexed), so the cost follows the number of elections, not of every vote ever held.

    Settling is idempotent and safe on several workers and requests at once: `settle_vote`
    materialises each result once, under the vote's row lock. The oldest is settled first, so
    the holders end up as the elections, in order, made them."""
    from folkmoot.decisions.models import Vote
    from folkmoot.decisions.settle import settle_vote

    now = now or timezone.now()
    due = list(
        Vote.objects.filter(office__assembly=assembly, closes_at__lte=now, result__isnull=True)
        .select_related("assembly", "office")
        .order_by("closes_at", "pk")
    )
    for vote in due:
        try:
            # A savepoint: a failed count must not break the reader's own transaction.
            with transaction.atomic():
                settle_vote(vote, now)
        except Exception:
            # Reading the holders must not fail because one count failed: the reader sees
            # the holders as they were, the worker retries and reports it.
            log.exception("settling election vote %s failed", vote.pk)


def held_offices(user: Any, assembly: Assembly, now: datetime | None = None) -> frozenset[str]:
    """The keys of the offices `user` holds in `assembly` now (see `offices_held_by`)."""
    return frozenset(offices_held_by([user.pk], assembly, now).get(user.pk, ()))


def offices_held_by(
    ids: list[Any], assembly: Assembly, now: datetime | None = None
) -> dict[Any, set[str]]:
    """Person id → the keys of the offices they hold in `assembly` now, the winners of any
    closed election seated first. One query in the usual case, as reading the tenures alone
    took: the same statement also lists the elections waiting to take effect."""
    now = now or timezone.now()
    rows = _held_or_due(ids, assembly, now)
    if any(holder is None for holder, _slug in rows):
        seat_the_elected(assembly, now)
        rows = _held_or_due(ids, assembly, now)  # once: a failed count is only logged
    out: dict[Any, set[str]] = {}
    for holder, slug in rows:
        if holder is not None:
            out.setdefault(holder, set()).add(slug)
    return out


def _held_or_due(ids: list[Any], assembly: Assembly, now: datetime) -> list[tuple[Any, str]]:
    """(holder id, office) for each current tenure of these people, and (None, office) for
    each election of the assembly closed without a result, in one UNION ALL."""
    from folkmoot.decisions.models import Vote

    from .models import Tenure

    held = (
        Tenure.objects.in_office(now)
        .filter(office__assembly=assembly, holder_id__in=ids)
        .values_list("holder_id", "office__slug")
        .order_by()
    )
    due = (
        Vote.objects.filter(office__assembly=assembly, closes_at__lte=now, result__isnull=True)
        .annotate(nobody=Value(None, output_field=BigIntegerField()))
        .values_list("nobody", "office__slug")
        .order_by()
    )
    return list(held.union(due, all=True).order_by())
