"""Office elections (OFF-1..4, VOTE-10): an election opens and closes with its window on the
protocol's calendar, computed from time. Its vote is created the first time anyone (a page,
the worker) looks during the window — once: the row is unique per (office, opening) — with
the candidates standing and the electorate eligible at that moment. At the close the
winners take office; a resignation passes the seat to the next in the last result."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext

from folkmoot.audit.log import record
from folkmoot.federation.models import Assembly
from folkmoot.governance.appointment import elected_here
from folkmoot.governance.audience import may_vote_in_election
from folkmoot.governance.protocol import Office as OfficeRule
from folkmoot.governance.protocol import Protocol
from folkmoot.governance.reasons import Reason, gettext_noop
from folkmoot.governance.schedule import Window
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import Refused

from .models import Candidacy, Office, Tenure
from .seating import seat_the_elected
from .windows import elections_of

log = logging.getLogger(__name__)


def election_method(rule: OfficeRule) -> str:
    """OFF-4: RED15M fills seats with the most votes; Harmony elects by STAR (Bloc STAR for
    several seats)."""
    if rule.voting_method in ("star", "bloc_star"):
        return "star" if rule.seats == 1 else "bloc-star"
    if rule.voting_method == "approval":
        return "approval"
    return "top-n"


def election_title(rule: OfficeRule) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Election: %(office)s") % {"office": rule.name.get(settings.LANGUAGE_CODE)}


def election_for(
    assembly: Assembly,
    protocol: Protocol,
    office_key: str,
    window: Window,
    now: datetime,
    *,
    by_election: bool = False,
) -> Any:
    """The election vote of this window, created once when it is first needed after opening."""
    from folkmoot.decisions.electorate import electorate
    from folkmoot.decisions.models import Eligible, Vote

    rule = protocol.offices[office_key]
    if now < window.opens_at or assembly.closed_at is not None:
        return None  # a closed assembly elects nobody (issue 13)
    office, _ = Office.objects.get_or_create(
        assembly=assembly, slug=office_key, defaults={"seats": rule.seats}
    )
    existing = Vote.objects.filter(office=office, opens_at=window.opens_at).first()
    if existing is not None:
        return existing
    candidacies = list(
        Candidacy.objects.filter(
            office=office, election_opens_at=window.opens_at, withdrawn_at__isnull=True
        )
        .select_related("person")
        .order_by("created_at", "pk")
    )
    if by_election and not candidacies:
        return None  # a by-election nobody stood in is not held
    names: list[str] = []
    for c in candidacies:
        name = c.person.display_name or f"#{c.person.pk}"
        # Two candidates with one name stay distinguishable on the ballot.
        names.append(name if name not in names else f"{name} (#{c.person.pk})")
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                assembly=assembly,
                office=office,
                kind="",
                title=election_title(rule),
                method=election_method(rule),
                options=names,
                subjects=[c.person.pk for c in candidacies],
                # Fewer candidates than seats: every one of them is elected, the rest stay
                # vacant (a count cannot fill more seats than it has options). A by-election
                # fills the vacant seats only (OFF-3).
                seats=max(1, min(_open_seats(office, rule, by_election, now), len(names))),
                by_election=True if by_election else None,
                secret=True,
                random_order=True,
                opens_at=window.opens_at,
                closes_at=window.closes_at,
                created_at=window.opens_at,
            )
            people = electorate(
                assembly,
                protocol,
                rule.electorate,
                lambda v: may_vote_in_election(protocol, office_key, v, timezone.localdate()),
            )
            Eligible.objects.bulk_create(
                [Eligible(vote=vote, person=p, member_since=since) for p, since in people]
            )
            record("office.election_open", assembly=assembly, subject=vote, office=office_key)
    except IntegrityError:
        return Vote.objects.get(office=office, opens_at=window.opens_at)
    from folkmoot.decisions import notify

    transaction.on_commit(lambda: notify.announce_in_chat(vote))
    return vote


def elections_now(assembly: Assembly, protocol: Protocol, now: datetime) -> list[Any]:
    """The election votes of the windows open now and of those that closed last."""
    from folkmoot.decisions.models import Vote

    votes = []
    for key, rule in protocol.offices.items():
        if rule.election is None or not elected_here(
            key, rule, secretary_elected=assembly.secretary_elected
        ):
            continue
        found = elections_of(assembly, key, rule, protocol.timezone, now)
        assert found is not None
        current = found.current
        if current.opens_at <= now:
            # A by-election with nobody standing is not held: the seat waits for the next.
            vote = election_for(
                assembly, protocol, key, current, now, by_election=found.by_election
            )
            if vote is not None:
                votes.append(vote)
        # The last closed election only if it ran: one created after its close would be an
        # election nobody could vote in.
        if found.last is not None:
            votes.extend(
                Vote.objects.filter(
                    office__assembly=assembly, office__slug=key, opens_at=found.last.opens_at
                ).select_related("office")
            )
    return votes


def _open_seats(office: Office, rule: OfficeRule, by_election: bool, now: datetime) -> int:
    """Every seat at a calendar election; the vacant ones at a by-election (OFF-3)."""
    if not by_election:
        return rule.seats
    held = Tenure.objects.in_office(now).filter(office=office).count()
    return max(1, rule.seats - held)


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


NOT_A_HOLDER = Reason("not_a_holder", gettext_noop("You do not hold this office."))


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


def settle_elections(now: datetime) -> int:
    """The worker's pass: open the elections whose windows are open, settle those closed."""
    from folkmoot.decisions.settle import settle_vote

    done = 0
    for assembly in Assembly.objects.open().select_related("root"):
        in_force = protocol_in_force(assembly)
        if in_force is None or not any(r.election for r in in_force.protocol.offices.values()):
            continue
        try:
            for vote in elections_now(assembly, in_force.protocol, now):
                if settle_vote(vote, now) is not None:
                    done += 1
        except Exception:
            log.exception("elections of %s failed", assembly.slug)
    return done
