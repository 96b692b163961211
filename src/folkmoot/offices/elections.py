"""Office elections (OFF-1..4, VOTE-10): an election opens and closes with its window on the
protocol's calendar, computed from time. Its vote is created the first time anyone (a page,
the worker) looks during the window — once: the row is unique per (office, opening) — with
the candidates standing and the electorate eligible at that moment. At the close the
winners take office, and a resignation passes the seat to the next in the last result: who
holds an office is kept below, in `offices.tenures`, which the count calls."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from folkmoot.audit.log import record
from folkmoot.federation.models import Assembly
from folkmoot.governance.appointment import elected_here
from folkmoot.governance.audience import may_vote_in_election
from folkmoot.governance.protocol import Office as OfficeRule
from folkmoot.governance.protocol import Protocol
from folkmoot.governance.schedule import Window, ballot_fixed_at
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.sealed.launch import guardians_for, seal

from .models import Candidacy, Office, Tenure
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
    # A sealed election is prepared before it opens (issue 16): its guardians make the key
    # and voters register theirs in the meantime.
    if now < ballot_fixed_at(rule, window) or assembly.closed_at is not None:
        return None  # a closed assembly elects nobody (issue 13)
    office, _ = Office.objects.get_or_create(
        assembly=assembly, slug=office_key, defaults={"seats": rule.seats}
    )
    existing = Vote.objects.filter(office=office, opens_at=window.opens_at).first()
    if existing is not None:
        if existing.sealed_ballots and existing.opens_at and now >= existing.opens_at:
            _unseal_if_keyless(existing)
        return existing
    try:
        with transaction.atomic():
            # The office's row, as one standing takes it (candidacies.do_stand): nobody joins
            # this race between the reading of its candidates and the making of its vote.
            # FOR NO KEY UPDATE: a count seating holders (Tenure rows naming the office) is
            # not blocked by it, so the two never wait on each other.
            Office.objects.select_for_update(no_key=True).filter(pk=office.pk).first()
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
            sealing = _sealing(assembly, rule, window, now, candidates=len(names))
            vote = Vote.objects.create(
                assembly=assembly,
                office=office,
                kind="",
                title=election_title(rule),
                description=sealing.note,
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
                created_at=ballot_fixed_at(rule, window),
                sealed_ballots=True if sealing.guardians else None,
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
            if sealing.guardians:
                assert rule.sealed is not None
                seal(
                    vote,
                    assembly,
                    sealing.guardians,
                    threshold=sealing.threshold,
                    shuffle_hours=rule.sealed.shuffle_hours,
                )
            elif sealing.note:
                record(
                    "office.election_unsealed",
                    assembly=assembly,
                    subject=vote,
                    office=office_key,
                    why=sealing.why,
                )
    except IntegrityError:
        return Vote.objects.get(office=office, opens_at=window.opens_at)
    from folkmoot.decisions import notify

    # An election prepared before its window (issue 16) is announced when it opens.
    notify.announce_when_open(vote)
    return vote


def _unseal_if_keyless(vote: Any) -> None:
    """Issue 16: a sealed election whose guardians made no key by its opening is held all
    the same, with the server's secret ballot box, and says why: one guardian staying away
    must not cancel an election (and keep its holders in their seats)."""
    from folkmoot.decisions.models import Vote
    from folkmoot.sealed.models import SealedElection

    # Read first: once the key exists (the usual case, every look while it is open), no
    # write at all, which would renew the agenda's token (agenda.changes) every minute.
    if not SealedElection.objects.filter(vote=vote, threshold_params="").exists():
        return
    with translation.override(settings.LANGUAGE_CODE):
        note = gettext(
            "This election was to be sealed, but its guardians did not make the key before it"
            " opened: its ballots are secret in the server's ballot box instead."
        )
    with transaction.atomic():
        # Only while the key is still missing: a key made at this moment keeps it sealed.
        unsealed = Vote.objects.filter(
            pk=vote.pk, sealed_ballots=True, sealed__threshold_params=""
        ).update(sealed_ballots=None, description=note)
        if unsealed:
            record(
                "office.election_unsealed",
                assembly=vote.assembly,
                subject=vote,
                office=vote.office.slug,
                why="no_key",
            )
            vote.sealed_ballots, vote.description = None, note


@dataclass(frozen=True)
class _Sealing:
    guardians: list[Any] = field(default_factory=list)  # none: not sealed
    threshold: int = 0
    note: str = ""  # why an election the protocol seals is not, said on its page
    why: str = ""


def _sealing(
    assembly: Assembly, rule: OfficeRule, window: Window, now: datetime, *, candidates: int
) -> _Sealing:
    """Issue 16: an election the protocol seals is sealed when it has candidates, its
    guardians are enough, and it was prepared in time (the worker was not stopped through
    more than half the preparing time). Otherwise it is still held, with the server's secret
    ballot box, and its page says why: seats must not stay empty for want of a key."""
    if rule.sealed is None or not candidates:
        return _Sealing()  # nobody stood: nothing to seal, and nobody is elected
    with translation.override(settings.LANGUAGE_CODE):
        if now >= window.opens_at - timedelta(hours=rule.sealed.prepare_hours / 2):
            return _Sealing(
                note=gettext(
                    "This election was to be sealed, but it was prepared too late for its"
                    " guardians to make the key: its ballots are secret in the server's ballot"
                    " box instead."
                ),
                why="late",
            )
        people, threshold, enough = guardians_for(assembly, rule.sealed)
        if not enough:
            return _Sealing(
                note=ngettext(
                    "This election was to be sealed, but only %(count)s holder of its"
                    " guardians' office could act, too few to make the key: its ballots are"
                    " secret in the server's ballot box instead.",
                    "This election was to be sealed, but only %(count)s holders of its"
                    " guardians' office could act, too few to make the key: its ballots are"
                    " secret in the server's ballot box instead.",
                    len(people),
                )
                % {"count": len(people)},
                why="too_few_guardians",
            )
    return _Sealing(people, threshold)


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
        if ballot_fixed_at(rule, current) <= now:
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
