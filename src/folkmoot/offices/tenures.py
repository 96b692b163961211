"""Who holds an office (OFF-4): the winners of an election take office at its close, a
resignation (or a carried recall) passes the seat to the next in the last result, and whoever
reads the holders reads them with the elections already seated.

An election takes effect when read (DESIGN.md "Time", issue 10): whoever reads the holders of
an assembly's offices — the offices page and API, the facts every permission check is made
of — first seats the winners of any election of that assembly whose vote has closed and whose
result is not materialised yet. The worker does the same on its rounds; neither has to come
first, and a late worker changes nothing anyone sees.

Tenures sit below elections and votes: this module imports neither `offices.elections` nor
`decisions.settle` (tests/test_layers.py). Elections and the count call down into it; the one
call that goes up — counting a closed election's vote before reading its holders — is handed
down by the decisions app when Django starts (`settle_elections_with`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import BigIntegerField, F, Value
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.federation.models import Assembly
from folkmoot.governance.reasons import Reason, gettext_noop
from folkmoot.refusals import Refused

from .models import Office, Tenure

log = logging.getLogger(__name__)

NOT_A_HOLDER = Reason("not_a_holder", gettext_noop("You do not hold this office."))

# --- seating the elected when read ----------------------------------------------------------

# Counts a closed vote once and returns its result: `decisions.settle.settle_vote`, handed
# down by `DecisionsConfig.ready` so that reading the holders needs no import of the count.
_settle_vote: Callable[[Any, datetime], Any] | None = None


def settle_elections_with(settle_vote: Callable[[Any, datetime], Any]) -> None:
    """Called once when Django starts, by the decisions app, which counts votes."""
    global _settle_vote
    _settle_vote = settle_vote


def _settler() -> Callable[[Any, datetime], Any]:
    if _settle_vote is None:
        raise ImproperlyConfigured("folkmoot.decisions is not ready: no election can be settled.")
    return _settle_vote


def seat_the_elected(assembly: Assembly, now: datetime | None = None) -> None:
    """One query in the usual case (it finds nothing): the assembly's election votes closed by
    `now` without a result. Election votes are reached through the assembly's offices (a few
    rows, indexed), so the cost follows the number of elections, not of every vote ever held.

    Settling is idempotent and safe on several workers and requests at once: `settle_vote`
    materialises each result once, under the vote's row lock. The oldest is settled first, so
    the holders end up as the elections, in order, made them."""
    from folkmoot.decisions.models import Vote

    now = now or timezone.now()
    due = list(
        Vote.objects.filter(office__assembly=assembly, closes_at__lte=now, result__isnull=True)
        .select_related("assembly", "office")
        .order_by("closes_at", "pk")
    )
    if not due:
        return
    settle_vote = _settler()
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


# --- taking office and leaving it -----------------------------------------------------------


def take_office(vote: Any, result: Any) -> None:
    """OFF-4: the winners hold the office from the close; the holders they replace leave.
    A by-election's winners fill the vacant seats and unseat nobody (OFF-3)."""
    from folkmoot.decisions.models import VoteResult

    users = get_user_model()
    by_name = dict(zip(vote.options, vote.subjects, strict=False))
    winners = [by_name[name] for name in result.winners if name in by_name]
    if not winners:
        return
    # Results are materialised when first read, so an old election may be settled after a
    # later one of the same office took effect: its winners must not unseat the newer ones.
    if VoteResult.objects.filter(
        vote__office=vote.office, vote__closes_at__gt=vote.closes_at
    ).exists():
        return
    at = vote.closes_at
    if not vote.by_election:
        Tenure.objects.current().filter(office=vote.office).exclude(holder_id__in=winners).update(
            ended_at=at
        )
    # A winner still on an appointment for a term starts afresh: the elected term has no
    # appointment's end (issue 13).
    Tenure.objects.filter(
        office=vote.office, holder_id__in=winners, ended_at__isnull=True, until__isnull=False
    ).update(ended_at=at)
    for person in users.objects.filter(pk__in=winners):
        Tenure.objects.get_or_create(
            office=vote.office, holder=person, ended_at=None, defaults={"started_at": at}
        )
    record(
        "office.elected",
        assembly=vote.assembly,
        subject=vote,
        office=vote.office.slug,
        winners=result.winners,
    )


def successor(office: Office, leaving: Any) -> Any:
    """OFF-4: the next candidate of the last result who does not hold the seat already."""
    from folkmoot.decisions.models import VoteResult

    last = (
        VoteResult.objects.filter(vote__office=office)
        .select_related("vote")
        .order_by("-vote__closes_at")
        .first()
    )
    if last is None:
        return None
    holding = set(
        Tenure.objects.in_office(timezone.now())
        .filter(office=office)
        .values_list("holder_id", flat=True)
    )
    resigned = set(
        Tenure.objects.filter(office=office, started_at__gte=last.vote.closes_at).values_list(
            "holder_id", flat=True
        )
    )
    by_name = dict(zip(last.vote.options, last.vote.subjects, strict=False))
    users = get_user_model()
    active = set(
        users.objects.filter(pk__in=list(by_name.values()), is_active=True).values_list(
            "pk", flat=True
        )
    )
    for name in last.ranking:
        person_id = by_name.get(name)
        if person_id is None or person_id == leaving.pk or person_id in holding:
            continue
        if person_id in resigned or person_id not in active:  # left the seat, or the site
            continue
        return users.objects.get(pk=person_id)
    return None


def held_tenure(user: Any, assembly: Assembly, office_key: str) -> Tenure:
    """The tenure by which `user` holds this office now; refused when they do not."""
    tenure = (
        Tenure.objects.in_office(timezone.now())
        .filter(office__assembly=assembly, office__slug=office_key, holder=user)
        .select_related("office")
        .first()
    )
    if tenure is None:
        raise Refused.because(NOT_A_HOLDER)
    return tenure


def check_resign(user: Any, assembly: Assembly, office_key: str) -> Any:
    seat_the_elected(assembly)  # one elected at the last close may resign at once
    return do_resign(tenure=held_tenure(user, assembly, office_key), actor=user)


@transaction.atomic
def do_resign(*, tenure: Tenure, actor: Any) -> Any:
    """Returns the successor's tenure, or None: the seat is vacant."""
    now = timezone.now()
    # Take the office row first (a row lock on PostgreSQL, the write lock on SQLite): two
    # resignations at once must not both hand the seat to the same next candidate, and a
    # double click must not resign twice and seat two successors.
    Office.objects.filter(pk=tenure.office_id).update(seats=F("seats"))
    if not Tenure.objects.filter(pk=tenure.pk, ended_at__isnull=True).update(ended_at=now):
        raise Refused.because(NOT_A_HOLDER)
    record("office.resign", actor=actor, assembly=tenure.office.assembly, subject=tenure)
    nxt = successor(tenure.office, tenure.holder)
    if nxt is None:
        return None
    new = Tenure.objects.create(office=tenure.office, holder=nxt, started_at=now)
    record(
        "office.succeed", assembly=tenure.office.assembly, subject=new, office=tenure.office.slug
    )
    return new
