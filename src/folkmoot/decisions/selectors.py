"""Reads for the decision pages, each in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy, pgettext_lazy

from folkmoot.accounts.models import FORMER_MEMBER
from folkmoot.federation.models import Assembly
from folkmoot.forums.models import Reaction
from folkmoot.governance.casting import count_shown_while_open, marks_as_ballot
from folkmoot.governance.reasons import Reason
from folkmoot.refusals import reasons_text

from .ballots import grouped
from .models import Ballot, ConsensusResponse, Proposal, Vote, VoteTally
from .state import ProposalState, known_for, opening_post

OUTCOMES = {
    "carried": pgettext_lazy("decision outcome", "carried"),
    "not_carried": pgettext_lazy("decision outcome", "not carried"),
    "void": pgettext_lazy("decision outcome", "void"),
    "no_quorum": pgettext_lazy("decision outcome", "no quorum"),
    "tie": pgettext_lazy("decision outcome", "tie"),
    "decided": pgettext_lazy("decision outcome", "decided"),
    "consensus": pgettext_lazy("decision outcome", "consensus reached"),
    "no_winner": pgettext_lazy("decision outcome", "no winner"),
    "no_candidates": pgettext_lazy("decision outcome", "nobody stood"),
    "not_sealed": pgettext_lazy("decision outcome", "nobody could vote (no key)"),
    "no_ballots": pgettext_lazy("decision outcome", "no ballot counted"),
}

STAGES = {
    "debate": gettext_lazy("Debate and support"),
    "drafting": gettext_lazy("Drafting approval"),
    "ready": gettext_lazy("Ready to launch"),
    "voting": gettext_lazy("Voting"),
    "closed": gettext_lazy("Closed"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "consensus": gettext_lazy("Seeking consensus"),
    "decided": gettext_lazy("Consensus reached"),
}


def stage_name(stage: str) -> str:
    return str(STAGES.get(str(stage), stage))


def proposals_of(assembly: Assembly) -> QuerySet[Proposal]:
    return Proposal.objects.filter(assembly=assembly).select_related(
        "proposer", "vote", "vote__result", "validated_by"
    )


@dataclass
class ProposalRow:
    proposal: Proposal
    kind_name: str
    stage: str
    until: datetime | None


def proposal_rows(ctx: Any, proposals: list[Proposal], now: datetime) -> list[ProposalRow]:
    from django.utils.translation import get_language

    from .actions import state_of

    language = get_language() or "en"
    known = known_for(proposals)
    rows = []
    for p in proposals:
        kind = ctx.protocol.decision_kinds.get(p.kind)
        if kind is None:
            rows.append(ProposalRow(p, p.kind, "", None))
            continue
        state = state_of(ctx, p, now, known[p.pk])
        rows.append(ProposalRow(p, kind.name.get(language), stage_name(state.stage), state.until))
    return rows


def votes_of(assembly: Assembly, now: datetime) -> dict[str, list[Vote]]:
    """Votes open now, and the latest closed, of proposals and elections alike."""
    votes = Vote.objects.filter(assembly=assembly).select_related("office", "result")
    return {
        "open": list(votes.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")[:50]),
        "closed": list(votes.filter(closes_at__lte=now).order_by("-closes_at")[:10]),
    }


def election_votes(assembly: Assembly) -> QuerySet[Vote]:
    return (
        Vote.objects.filter(assembly=assembly, office__isnull=False)
        .select_related("office", "result")
        .order_by("-opens_at")[:10]
    )


def waiting_text(ctx: Any, state: ProposalState) -> list[str]:
    from folkmoot.governance.reasons import Answer

    if not state.waiting_for:
        return []
    return reasons_text(Answer.no(*state.waiting_for))


def support_rows(ctx: Any, state: ProposalState, language: str) -> list[dict[str, Any]]:
    rows = []
    for office, (have, need) in state.supports.items():
        rule = ctx.protocol.offices.get(office)
        rows.append(
            {
                "office": office,
                "name": rule.name.get(language) if rule else office,
                "have": have,
                "need": need,
            }
        )
    return rows


def my_supports(proposal: Proposal, user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    post = opening_post(proposal)
    if post is None:
        return set()
    return set(
        Reaction.objects.filter(post=post, user=user, value=1)
        .exclude(as_office="")
        .values_list("as_office", flat=True)
    )


def consensus_view(
    ctx: Any, proposal: Proposal, state: ProposalState, user: Any
) -> dict[str, Any] | None:
    if state.consensus is None:
        return None
    current = state.consensus.round if state.stage == "consensus" else None
    responses = list(
        ConsensusResponse.objects.filter(proposal=proposal)
        .select_related("person")
        .order_by("round", "created_at")
    )
    mine = next(
        (
            r
            for r in responses
            if current is not None
            and r.round == current
            and r.person_id == getattr(user, "pk", None)
        ),
        None,
    )
    rules = ctx.protocol.decision_kinds[proposal.kind].consensus
    rounds = []
    for number in range(1, (state.consensus.round if state.consensus else 1) + 1):
        outcome = next((o for o in state.consensus.outcomes if o.round == number), None)
        shown = [r for r in responses if r.round == number]
        rounds.append(
            {
                "number": number,
                "outcome": reasons_text_one(outcome.explanation) if outcome else "",
                "counts": {
                    "agree": sum(r.response == "agree" for r in shown),
                    "stand_aside": sum(r.response == "stand_aside" for r in shown),
                    "block": sum(r.response == "block" for r in shown),
                },
                # VOTE-1: blocks are public where the protocol says, with their reasons.
                "blocks": [r for r in shown if r.response == "block"],
                # Blocks only where blocks are public (VOTE-1), whatever else is shown.
                "responses": [
                    r
                    for r in shown
                    if r.response != "block" or (rules is None or rules.blocks_public)
                ],
                "current": number == current,
            }
        )
    return {
        "state": state.consensus,
        "current": current,
        "mine": mine,
        "rounds": rounds,
        "rules": rules,
        "blocks_public": rules.blocks_public if rules else True,
        "responses_public": (
            rules.responses_public
            if rules is not None and rules.responses_public is not None
            else (rules.blocks_public if rules else True)
        ),
    }


def reasons_text_one(reason: Reason) -> str:
    from folkmoot.governance.reasons import Answer

    return reasons_text(Answer.no(reason))[0]


def vote_counts(vote: Vote) -> dict[str, int]:
    """The electorate's size and how many have voted: a sum over the vote's tally rows,
    which database triggers keep (`VoteTally`), whatever the vote's size."""
    sums = VoteTally.objects.filter(vote=vote).aggregate(
        electorate=Sum("electorate"), voted=Sum("voted")
    )
    return {"electorate": sums["electorate"] or 0, "voted": sums["voted"] or 0}


def shows_live_results(vote: Vote, now: datetime) -> bool:
    """The count while the vote is open, where the core allows it (a vote stored before
    issue 10 may say `results_live` for a secret vote: the core still says no)."""
    return count_shown_while_open(secret=vote.secret, live=vote.results_live) and vote.is_open(now)


def live_result(vote: Vote, language: str) -> dict[str, Any]:
    from django.utils import translation
    from django.utils.translation import gettext

    from .settle import count_with_rules

    with translation.override(language):
        return count_with_rules(vote).as_dict(gettext, language)


def charts(shown: dict[str, Any], order: list[str] | None = None) -> list[dict[str, Any]]:
    """BEY-3: a bar chart for every step of the count that measured the candidates (score
    totals, the runoff head-to-head, shares), scaled to its largest value. Bars follow the
    vote's option order: a stored explanation comes back from PostgreSQL's jsonb with its
    keys re-sorted (shortest first), which must not reorder the chart."""
    rank = {name: i for i, name in enumerate(order or [])}
    out = []
    for rnd in shown.get("rounds", []):
        for step in rnd["steps"]:
            values = step.get("values") or {}
            numbers = {}
            for name, value in values.items():
                try:
                    numbers[name] = (
                        float(value)
                        if not isinstance(value, str) or "/" not in value
                        else float(value.split("/")[0]) / float(value.split("/")[1])
                    )
                except (TypeError, ValueError):
                    numbers = {}
                    break
            if not numbers:
                continue
            top = max(numbers.values()) or 1
            is_share = all(0 <= v <= 1 for v in numbers.values()) and step["kind"] == "threshold"
            out.append(
                {
                    "title": step["text"],
                    "kind": step["kind"],
                    "bars": [
                        {
                            "name": name,
                            "value": f"{v * 100:.1f} %" if is_share else values[name],
                            "percent": round(100 * v / top, 1),
                            "advances": name in step.get("advance", []),
                        }
                        for name, v in sorted(
                            numbers.items(), key=lambda kv: rank.get(kv[0], len(rank))
                        )
                    ],
                }
            )
    return out


@dataclass(frozen=True)
class PublicBallot:
    voter: str
    voter_id: str | None  # their public id; None once their account is erased (issue 13)
    marks: dict[str, object]
    valid: bool | None


def public_ballots(vote: Vote) -> list[PublicBallot]:
    """VOTE-11: public votes show who voted what. The ballot of an erased account stays
    counted and shown, and names nobody (issue 13)."""
    rows = Ballot.objects.filter(vote=vote).select_related("voter").order_by("voter__display_name")
    return [
        PublicBallot(
            str(b.voter) if b.voter is not None else str(FORMER_MEMBER),
            b.voter.public_id if b.voter is not None and b.voter.erased_at is None else None,
            marks_as_ballot(vote.method, vote.options, b.marks),
            b.valid,
        )
        for b in rows
    ]


def election_candidates(vote: Vote) -> list[Any]:
    if not vote.office_id or not vote.subjects:
        return []
    from folkmoot.accounts.models import User

    people = {u.pk: u for u in User.objects.filter(pk__in=vote.subjects)}
    return [people[pk] for pk in vote.subjects if pk in people]


def ballot_by_check_code(vote: Vote, code: str) -> dict[str, object] | None:
    """BEY-2: after the close, the counted ballot with this public check code."""
    if not code:
        return None
    ballot = Ballot.objects.filter(vote=vote, check_code=code).first()
    if ballot is None:
        return None
    return {
        "marks": marks_as_ballot(vote.method, vote.options, ballot.marks),
        "valid": ballot.valid,
    }


def published_ballots(vote: Vote) -> list[list[object]]:
    """The anonymised list (BEY-2), ordered by check code: no order of casting survives."""
    rows = Ballot.objects.filter(vote=vote).order_by("check_code").select_related("voter")
    out: list[list[object]] = []
    for b in rows:
        if vote.method == "choice":
            cells: list[object] = [
                "1" if b.marks == str(i) else "0" for i in range(len(vote.options))
            ]
        else:
            cells = list(b.marks)
        valid = "" if b.valid is None else ("valid" if b.valid else "null")
        row: list[object] = [grouped(b.check_code), *cells, valid]
        if not vote.secret:
            row.append(str(b.voter) if b.voter else "")
        out.append(row)
    return out


def tally_file(vote: Vote) -> dict[str, Any]:
    """`folkmoot tally --method <method> --seed <lot seed>` recounts this file."""
    ballots = []
    for marks, valid, n in (
        Ballot.objects.filter(vote=vote)
        .values_list("marks", "valid")
        .annotate(n=Count("*"))
        .order_by("marks", "valid")
    ):
        ballot = marks_as_ballot(vote.method, vote.options, marks)
        if vote.method == "choice" and valid is False:
            ballot["valid"] = False
        ballots.extend([ballot] * n)
    return {
        "candidates": list(vote.options),
        "method": vote.method,
        "seats": vote.seats,
        "lot_seed": vote.lot_seed,
        "recount": f"folkmoot tally FILE --method {vote.method} --seats {vote.seats} --seed {vote.lot_seed}",
        "ballots": ballots,
    }


def electorate_rule(vote: Vote) -> str:
    """The protocol's audience for this vote, in words ("citizens", "coordinators"…), with the
    seniority an election asks."""
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    from folkmoot.governance.audience import who
    from folkmoot.protocols.selectors import protocol_in_force

    if vote.assembly is None:
        return ""
    in_force = protocol_in_force(vote.assembly)
    if in_force is None:
        return ""
    protocol = in_force.protocol
    language = get_language() or "en"
    if vote.office is not None and vote.office.slug in protocol.offices:
        audience = protocol.offices[vote.office.slug].electorate
    elif vote.kind in protocol.decision_kinds:
        audience = protocol.decision_kinds[vote.kind].voters
    else:
        return ""
    text = who(audience, protocol).render(_, language)
    if audience.min_seniority_days:
        text += " · " + _("at least %(days)s days of continuous membership") % {
            "days": audience.min_seniority_days
        }
    return text


def amendments_of(entry_ids: list[int]) -> dict[int, list[tuple[Any, bool]]]:
    """VOTE-2, art. 9.5: the Amendments naming each decision, and whether each was adopted
    (decided with its first option, the change, winning). One query."""
    out: dict[int, list[tuple[Any, bool]]] = {}
    rows = (
        Proposal.objects.filter(amends_id__in=entry_ids, withdrawn_at__isnull=True)
        .select_related("register_entry")
        .order_by("created_at")
    )
    for p in rows:
        entry = getattr(p, "register_entry", None)
        adopted = (
            entry is not None
            and entry.outcome in ("carried", "decided", "consensus")
            and bool(entry.winners)
            and bool(p.options)
            and entry.winners[0] == p.options[0]
        )
        assert p.amends_id is not None
        out.setdefault(p.amends_id, []).append((p, adopted))
    return out
