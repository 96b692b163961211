"""Where a proposal stands, computed when read from what people did (DESIGN.md "Time"): the
core's `decision_stage` for voted kinds (VOTE-3..7) and `consensus_state` for consensus
kinds (VOTE-1). Nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from folkmoot.forums.models import Post, Reaction
from folkmoot.governance.protocol import DecisionKind
from folkmoot.governance.reasons import Reason
from folkmoot.governance.schedule import DecisionFacts, Stage, StageInfo, decision_stage
from folkmoot.governance.tally.consensus import ConsensusState, RoundResponses, consensus_state

from .models import ConsensusResponse, Proposal, Vote


@dataclass(frozen=True)
class ProposalState:
    """`stage` is one of the core's stages, or "consensus" while consensus is sought and
    "decided" once it is reached (no vote needed)."""

    stage: str
    until: datetime | None
    waiting_for: tuple[Reason, ...]
    supports: dict[str, tuple[int, int]]
    consensus: ConsensusState | None = None
    vote: Vote | None = None

    @property
    def launchable(self) -> bool:
        return self.stage == Stage.READY and not self.waiting_for


def opening_post(proposal: Proposal) -> Post | None:
    if proposal.thread_id is None:
        return None
    return Post.objects.filter(thread_id=proposal.thread_id).order_by("created_at", "id").first()


def supports_of(proposal: Proposal) -> dict[str, list[datetime]]:
    """VOTE-3, FOR-4: the "+1 as <office>" reactions on the proposal's opening post, by
    office. Only holders can give one in that capacity (the forum checks it when given)."""
    post = opening_post(proposal)
    if post is None:
        return {}
    out: dict[str, list[datetime]] = defaultdict(list)
    for office, at in (
        Reaction.objects.filter(post=post, value=1)
        .exclude(as_office="")
        .values_list("as_office", "created_at")
    ):
        out[office].append(at)
    return dict(out)


def vote_of(proposal: Proposal) -> Vote | None:
    return Vote.objects.filter(proposal=proposal).first()


ResponseRow = tuple[int, str, str, str]  # round, name, response, reason


def response_rows(proposals: list[Proposal]) -> dict[int, list[ResponseRow]]:
    out: dict[int, list[ResponseRow]] = defaultdict(list)
    for proposal_id, *row in ConsensusResponse.objects.filter(proposal__in=proposals).values_list(
        "proposal_id", "round", "person__display_name", "response", "reason"
    ):
        out[proposal_id].append(tuple(row))  # type: ignore[arg-type]
    return out


def round_responses(
    proposal: Proposal, eligible: int, rows: list[ResponseRow] | None = None
) -> dict[int, RoundResponses]:
    responses: dict[int, dict[str, str]] = defaultdict(dict)
    reasons: dict[int, dict[str, str]] = defaultdict(dict)
    if rows is None:
        rows = response_rows([proposal]).get(proposal.pk, [])
    for number, name, response, reason in rows:
        responses[number][name] = response
        if reason:
            reasons[number][name] = reason
    return {
        n: RoundResponses(n, responses[n], reasons[n], eligible)  # type: ignore[arg-type]
        for n in responses
    }


@dataclass(frozen=True)
class Known:
    """Facts already read for many proposals at once (lists), so each row costs no query."""

    supports: dict[str, list[datetime]]
    approvals: list[datetime]
    vote: Vote | None
    responses: list[ResponseRow] | None = None  # consensus responses; None: not read


def known_for(proposals: list[Proposal]) -> dict[int, Known]:
    """Four queries for a whole page of proposals."""
    threads = [p.thread_id for p in proposals if p.thread_id]
    first: dict[int, int] = {}
    for post_id, thread_id in (
        Post.objects.filter(thread_id__in=threads)
        .order_by("-created_at", "-id")
        .values_list("id", "thread_id")
    ):
        first[thread_id] = post_id  # the last written wins: the earliest post
    supports: dict[int, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for post_id, office, at in (
        Reaction.objects.filter(post_id__in=first.values(), value=1)
        .exclude(as_office="")
        .values_list("post_id", "as_office", "created_at")
    ):
        supports[post_id][office].append(at)
    approvals: dict[int, list[datetime]] = defaultdict(list)
    from .models import DraftingApproval

    for proposal_id, at in DraftingApproval.objects.filter(proposal__in=proposals).values_list(
        "proposal_id", "created_at"
    ):
        approvals[proposal_id].append(at)
    responses = response_rows(proposals)
    out = {}
    for p in proposals:
        post = first.get(p.thread_id) if p.thread_id else None
        out[p.pk] = Known(
            dict(supports.get(post, {})) if post else {},
            approvals.get(p.pk, []),
            getattr(p, "vote", None) if _has_vote(p) else None,
            responses.get(p.pk, []),
        )
    return out


def _has_vote(proposal: Proposal) -> bool:
    try:
        return proposal.vote is not None
    except Vote.DoesNotExist:
        return False


def proposal_state(
    proposal: Proposal,
    kind: DecisionKind,
    now: datetime,
    *,
    eligible: int = 0,
    known: Known | None = None,
) -> ProposalState:
    vote = known.vote if known else vote_of(proposal)
    supports = known.supports if known else supports_of(proposal)
    if kind.consensus is not None:
        if proposal.withdrawn_at is not None and proposal.withdrawn_at <= now:
            return ProposalState(Stage.WITHDRAWN, None, (), {})
        state = consensus_state(
            kind.consensus,
            proposal.created_at,
            round_responses(proposal, eligible, known.responses if known else None),
            now,
            proposal.closes,
        )
        if state.stage == "seeking":
            return ProposalState("consensus", state.until, (), {}, state)
        if state.stage == "reached":
            return ProposalState("decided", None, (), {}, state)
        # The fallback vote (VOTE-1) runs from the end of the last round.
        if vote is not None and vote.closes_at is not None and vote.closes_at <= now:
            return ProposalState(Stage.CLOSED, None, (), {}, state, vote)
        return ProposalState(Stage.VOTING, vote.closes_at if vote else None, (), {}, state, vote)
    facts = DecisionFacts(
        created_at=proposal.created_at,
        supports=supports,
        drafting_approvals=known.approvals
        if known
        else list(proposal.approvals.values_list("created_at", flat=True)),
        simple_question=proposal.simple_question,
        launched_at=vote.opens_at if vote else None,
        voting_days=(
            (vote.closes_at - vote.opens_at).total_seconds() / 86400
            if vote and vote.opens_at and vote.closes_at
            else None
        ),
        urgent=proposal.urgent,
        event_at=proposal.event_at,
        withdrawn_at=proposal.withdrawn_at,
        validated_at=proposal.validated_at,
    )
    info: StageInfo = decision_stage(kind, facts, now)
    return ProposalState(info.stage, info.until, info.waiting_for, info.supports, None, vote)
