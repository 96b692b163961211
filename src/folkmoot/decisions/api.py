"""Decisions through the API: the same actions and refusals as the pages (UI-5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.federation.actions import access_assembly
from folkmoot.federation.models import Assembly
from folkmoot.governance.casting import BallotInput
from folkmoot.governance.reasons import Reason, gettext_noop
from folkmoot.refusals import NotFound, Refused, reasons_text, require

from . import actions, amending, ballots, referrals, selectors
from .models import Proposal, RegisterEntry, Vote
from .settle import settle_proposal, settle_vote
from .state import Known, ProposalState, known_for

router = Router(tags=["decisions"])


class QuestionIn(Schema):
    question: str = Field(max_length=300)
    options: list[str] = Field(max_length=20)


class ProposalIn(Schema):
    kind: str = Field(max_length=40)
    title: str = Field(max_length=300)
    body: str = Field(max_length=20_000)
    options: list[str] = Field(default_factory=list, max_length=20)
    simple_question: bool = False
    urgent: bool = False
    event_at: datetime | None = None
    amendment: Literal["", "total", "partial"] = ""
    protocol_text: str = Field("", max_length=200_000)
    amends: int | None = Field(None, description="the register entry an Amendment rectifies")
    recalls: int | None = Field(None, description="art. 8.3: the tenure a recall would end")
    more_questions: list[QuestionIn] = Field(
        default_factory=list, max_length=11, description="VOTE-2: a MegaPoll's further questions"
    )
    within: str = Field(
        "", max_length=60, description="art. 9.4: an internal vote's office or group, office:KEY"
    )


class SupportRow(Schema):
    office: str
    have: int
    need: int


class ProposalOut(Schema):
    id: int
    assembly: str
    kind: str
    title: str
    body: str
    options: list[str]
    proposer: str
    proposer_id: str = Field(description="the proposer's public id")
    created_at: datetime
    stage: str
    stage_name: str
    until: datetime | None
    waiting_for: list[str]
    supports: list[SupportRow]
    thread: int | None
    vote: int | None
    consensus_round: int | None = None
    withdrawn_reason: str = ""
    validated_at: datetime | None = Field(None, description="art. 7.1: validated alone")
    validated_by_id: str | None = Field(None, description="public id of who validated it")
    refers_to: int | None = Field(None, description="the child's register entry (BEY-4)")
    referral: Literal["", "ratify", "escalate"] = ""
    urgent_version: int | None = Field(
        None, description="art. 3: the protocol version its urgent change put in force"
    )
    urgent_lapsed_at: datetime | None = Field(
        None, description="art. 3: when its urgent change lapsed, unratified"
    )
    amends: int | None = Field(None, description="the register entry it rectifies (VOTE-2)")
    recalls: int | None = Field(None, description="the tenure it would end (art. 8.3)")
    within: str = Field("", description="art. 9.4: the office or group it is internal to")
    more_questions: list[QuestionIn] = Field(
        default_factory=list, description="VOTE-2: a MegaPoll's further questions"
    )


class BlockOut(Schema):
    person: str
    person_id: str
    reason: str


class ResponseOut(Schema):
    person: str
    person_id: str
    response: Literal["agree", "stand_aside", "block"]
    reason: str


class RoundOut(Schema):
    number: int
    outcome: str
    agree: int
    stand_aside: int
    block: int
    blocks: list[BlockOut]
    responses: list[ResponseOut] = Field(
        description="each person's response and reason, where the protocol makes them public"
    )


class ProposalDetailOut(ProposalOut):
    approvals: list[str] = Field(description="drafters who approved the text")
    gathered_options: list[str] = Field(description="options added during consensus rounds")
    consensus_rounds: list[RoundOut]


class SupportIn(Schema):
    office: str = Field(max_length=40)


class SupportOut(Schema):
    supporting: bool
    proposal: ProposalOut


class WithdrawIn(Schema):
    reason: str = Field("", max_length=300)


class LaunchIn(Schema):
    days: float | None = None
    secret: bool | None = None
    results_live: bool | None = None


class RespondIn(Schema):
    response: Literal["agree", "stand_aside", "block"]
    reason: str = Field("", max_length=2000)


class OptionIn(Schema):
    label: str = Field(max_length=200)


class VoteOut(Schema):
    id: int
    assembly: str
    proposal: int | None
    office: str | None
    title: str
    description: str
    method: str
    options: list[str] = Field(description="in this voter's own order when the vote shuffles")
    seats: int
    max_score: int
    secret: bool
    ask_validity: bool
    may_change_ballot: bool
    opens_at: datetime | None
    closes_at: datetime | None
    is_open: bool
    electorate: int
    voted: int
    lot_seed: str
    may_vote: bool
    reasons: list[str]
    has_voted: bool
    result: dict[str, Any] | None
    public_ballots: list[PublicBallotOut] = Field(default_factory=list)
    part_of: int | None = Field(
        None,
        description="VOTE-2: the first question of the MegaPoll ballot this question is on; "
        "each question is cast at its own vote",
    )


class PublicBallotOut(Schema):
    voter: str
    voter_id: str | None = Field(description="their public id; null once the account is erased")
    ballot: dict[str, Any]
    valid: bool | None


class ElectorOut(Schema):
    person: str
    person_id: str
    member_since: date | None


class BallotIn(Schema):
    scores: dict[str, int] | None = Field(None, description="STAR, Bloc STAR, Allocated Score")
    choice: str | None = Field(None, description="single choice; null is a blank vote")
    approve: list[str] = Field(default_factory=list, description="approval and top-N")
    valid: bool | None = Field(None, description="VOTE-8: do you hold this vote valid?")
    change_code: str = Field(
        "",
        max_length=40,
        description="to change a secret ballot already cast: the private change code given "
        "when it was cast (a public ballot is changed by its voter, without a code)",
    )


class CastOut(Schema):
    changed: bool
    check_code: str = Field(
        description="public: finds the ballot in the published list after the close; "
        "empty when a ballot is changed (its codes stay the same)"
    )
    change_code: str = Field(
        description="private, shown only now: changes this secret ballot while voting is "
        "open; empty for public votes, votes whose ballots cannot change, and changes"
    )


class CheckIn(Schema):
    code: str = Field(max_length=40, description="the ballot's public check code")


class CheckOut(Schema):
    check_code: str
    ballot: dict[str, Any]
    valid: bool | None


class ReferralOut(Schema):
    proposal: int
    assembly: str
    referral: str
    status: Literal["pending", "withdrawn", "ratified", "not_ratified", "decided_above"]
    text: str


class RegisterOut(Schema):
    id: int
    assembly: str
    reference: str
    title: str
    kind: str
    binding: bool
    outcome: str
    winners: list[str]
    decided_at: datetime
    vote: int | None
    proposal: int | None
    refers_to: int | None = Field(description="the child's decision this one ratified or took up")
    referrals: list[ReferralOut]


class ReferIn(Schema):
    referral: str = Field(max_length=10, description="ratify or escalate")
    kind: str = Field(max_length=40, description="a decision kind of the parent's protocol")
    text: str = Field("", max_length=20_000)


class RegisterPage(Schema):
    count: int
    page: int
    pages: int
    items: list[RegisterOut]


def _proposal_fields(proposal: Proposal) -> dict[str, Any]:
    """What a proposal is, whatever its stage."""
    return {
        "id": proposal.pk,
        "assembly": proposal.assembly.slug,
        "kind": proposal.kind,
        "title": proposal.title,
        "body": proposal.body,
        "options": proposal.options,
        "proposer": str(proposal.proposer),
        "proposer_id": proposal.proposer.public_id,
        "created_at": proposal.created_at,
        "thread": proposal.thread_id,
        "withdrawn_reason": proposal.withdraw_reason,
        "validated_at": proposal.validated_at,
        "validated_by_id": getattr(proposal.validated_by, "public_id", None),
        "refers_to": proposal.refers_to_id,
        "referral": proposal.referral,
        "urgent_version": proposal.urgent_version.number if proposal.urgent_version else None,
        "urgent_lapsed_at": proposal.urgent_lapsed_at,
        "amends": proposal.amends_id,
        "recalls": proposal.recalls_id,
        "more_questions": proposal.more_questions or [],
        "within": proposal.within or "",
    }


def _proposal(
    ctx: actions.DecisionContext,
    proposal: Proposal,
    known: Known | None = None,
    state: ProposalState | None = None,
) -> dict[str, Any]:
    if proposal.kind not in ctx.protocol.decision_kinds:
        return _retired(proposal)
    state = state or actions.state_of(ctx, proposal, known=known)
    return {
        **_proposal_fields(proposal),
        "stage": str(state.stage),
        "stage_name": selectors.stage_name(state.stage),
        "until": state.until,
        "waiting_for": selectors.waiting_text(ctx, state),
        "supports": [
            {"office": office, "have": have, "need": need}
            for office, (have, need) in state.supports.items()
        ],
        "vote": state.vote.pk if state.vote else None,
        "consensus_round": state.consensus.round if state.consensus else None,
    }


def _retired(proposal: Proposal) -> dict[str, Any]:
    """A proposal whose kind an amendment took out of the protocol: kept, and said why."""
    from folkmoot.governance.reasons import Answer

    return {
        **_proposal_fields(proposal),
        "stage": "retired",
        "stage_name": reasons_text(Answer.no(actions.KIND_RETIRED))[0],
        "until": None,
        "waiting_for": [],
        "supports": [],
        "vote": Vote.objects.filter(proposal=proposal).values_list("pk", flat=True).first(),
    }


def _access_proposal(request: HttpRequest, proposal_id: int) -> tuple[Any, Proposal]:
    ctx, proposal = actions.access_proposal(request.user, proposal_id)
    settle_proposal(proposal)
    return ctx, proposal


@router.get(
    "/assemblies/{key}/proposals",
    response=list[ProposalOut],
    auth=OPTIONAL,
    summary="Proposals of an assembly, newest first",
)
def list_proposals(request: HttpRequest, key: str, page: int = 1) -> list[dict[str, Any]]:
    assembly = access_assembly(request.user, key)
    ctx = actions.decision_context(request.user, assembly)
    current = list(Paginator(selectors.proposals_of(assembly), 50).get_page(page))
    known = known_for(current)  # a few queries for the page, not a few per proposal
    return [_proposal(ctx, p, known[p.pk]) for p in current]


@router.post(
    "/assemblies/{key}/proposals",
    response={201: ProposalOut},
    auth=REQUIRED,
    summary="Open a proposal for debate (VOTE-3)",
)
def create_proposal(request: HttpRequest, key: str, payload: ProposalIn) -> Reply[dict[str, Any]]:
    ctx = actions.decision_context(request.user, access_assembly(request.user, key))
    require(actions.known_kind(ctx, payload.kind))
    proposal = actions.check_propose(
        ctx,
        request.user,
        payload.kind,
        title=payload.title,
        body=payload.body,
        options=payload.options,
        simple_question=payload.simple_question,
        urgent=payload.urgent,
        event_at=payload.event_at,
        amendment=payload.amendment,
        amends=payload.amends,
        recalls=payload.recalls,
        more_questions=[(q.question, q.options) for q in payload.more_questions],
        within=payload.within,
        protocol_text=payload.protocol_text,
    )
    return Reply(201, _proposal(ctx, proposal))


@router.get(
    "/proposals/{proposal_id}",
    response=ProposalDetailOut,
    auth=OPTIONAL,
    summary="A proposal, with its approvals, gathered options and consensus rounds",
)
def read_proposal(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    ctx, proposal = _access_proposal(request, proposal_id)
    approvals = [str(a.person) for a in proposal.approvals.select_related("person")]
    gathered = [g.label for g in proposal.gathered.order_by("created_at", "pk")]
    if proposal.kind not in ctx.protocol.decision_kinds:
        return {
            **_retired(proposal),
            "approvals": approvals,
            "gathered_options": gathered,
            "consensus_rounds": [],
        }
    state = actions.state_of(ctx, proposal)
    return {
        **_proposal(ctx, proposal, state=state),
        "approvals": approvals,
        "gathered_options": gathered,
        "consensus_rounds": _rounds(selectors.consensus_view(ctx, proposal, state, request.user)),
    }


def _rounds(view: dict[str, Any] | None) -> list[dict[str, Any]]:
    if view is None:
        return []
    return [
        {
            "number": r["number"],
            "outcome": r["outcome"],
            **r["counts"],
            # VOTE-1: who blocks and why, where the protocol makes blocks public.
            "blocks": [
                {"person": str(b.person), "person_id": b.person.public_id, "reason": b.reason}
                for b in r["blocks"]
            ]
            if view["blocks_public"]
            else [],
            # Everyone's response and reason, where the protocol makes them public.
            "responses": [
                {
                    "person": str(x.person),
                    "person_id": x.person.public_id,
                    "response": x.response,
                    "reason": x.reason,
                }
                for x in r["responses"]
            ]
            if view["responses_public"]
            else [],
        }
        for r in view["rounds"]
    ]


@router.post(
    "/proposals/{proposal_id}/support",
    response=SupportOut,
    auth=REQUIRED,
    summary='"+1 as <office>"; again takes it back',
)
def support(request: HttpRequest, proposal_id: int, payload: SupportIn) -> dict[str, Any]:
    ctx, proposal = _access_proposal(request, proposal_id)
    stands = actions.check_support(ctx, request.user, proposal, office=payload.office)
    return {"supporting": stands, "proposal": _proposal(ctx, proposal)}


class WeeklyWaitingOut(Schema):
    proposal: int
    title: str
    stage: str
    ready: bool = Field(description="ready to launch when its turn comes")


class WeeklyQueueOut(Schema):
    kind: str
    next_opens_at: datetime | None = Field(description="a week after the last one opened")
    waiting: list[WeeklyWaitingOut] = Field(description="in order of arrival")


@router.get(
    "/assemblies/{key}/weekly-queue",
    response=list[WeeklyQueueOut],
    auth=OPTIONAL,
    summary="Weekly polls waiting, in order of arrival, one a week (VOTE-7)",
)
def weekly_queue(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    from .weekly import queues

    ctx = actions.decision_context(request.user, access_assembly(request.user, key))
    return [
        {
            "kind": q.kind,
            "next_opens_at": q.next_opens_at,
            "waiting": [
                {
                    "proposal": p.pk,
                    "title": p.title,
                    "stage": str(state.stage),
                    "ready": state.launchable,
                }
                for p, state in q.waiting
            ],
        }
        for q in queues(ctx, timezone.now())
    ]


@router.post(
    "/proposals/{proposal_id}/validation",
    response=ProposalOut,
    auth=REQUIRED,
    summary="Validate a poll alone, as a holder of the validate_polls power (art. 7.1)",
)
def validate(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    ctx, proposal = _access_proposal(request, proposal_id)
    proposal = actions.check_validate(ctx, request.user, proposal)
    return _proposal(ctx, proposal)


@router.post(
    "/proposals/{proposal_id}/urgent-agreements",
    response=ProposalOut,
    auth=REQUIRED,
    summary="Agree to apply a change of forums at once, before its referendum (art. 3)",
)
def agree_urgent(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    """When every holder of the office the protocol names has agreed, the change is in
    force; its referendum then ratifies it, or it lapses."""
    ctx, proposal = _access_proposal(request, proposal_id)
    amending.check_agree_urgent(ctx, request.user, proposal)
    proposal.refresh_from_db()
    return _proposal(ctx, proposal)


@router.post(
    "/proposals/{proposal_id}/approve",
    response=ProposalOut,
    auth=REQUIRED,
    summary="Approve the text, as a drafter (OFF-2)",
)
def approve(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    ctx, proposal = _access_proposal(request, proposal_id)
    actions.check_approve_text(ctx, request.user, proposal)
    return _proposal(ctx, proposal)


@router.post(
    "/proposals/{proposal_id}/withdraw",
    response=ProposalOut,
    auth=REQUIRED,
    summary="Withdraw a proposal before its vote (VOTE-7)",
)
def withdraw(request: HttpRequest, proposal_id: int, payload: WithdrawIn) -> dict[str, Any]:
    ctx, proposal = _access_proposal(request, proposal_id)
    proposal = actions.check_withdraw(ctx, request.user, proposal, reason=payload.reason)
    return _proposal(ctx, proposal)


@router.post(
    "/proposals/{proposal_id}/launch",
    response={201: VoteOut},
    auth=REQUIRED,
    summary="Launch the vote (VOTE-5)",
)
def launch(request: HttpRequest, proposal_id: int, payload: LaunchIn) -> Reply[dict[str, Any]]:
    ctx, proposal = _access_proposal(request, proposal_id)
    vote = actions.check_launch(
        ctx,
        request.user,
        proposal,
        days=payload.days,
        secret=payload.secret,
        results_live=payload.results_live,
    )
    return Reply(201, _vote(request, vote))


@router.post(
    "/proposals/{proposal_id}/respond",
    response=ProposalOut,
    auth=REQUIRED,
    summary="Agree, stand aside or block in the open consensus round (VOTE-1)",
)
def respond(request: HttpRequest, proposal_id: int, payload: RespondIn) -> dict[str, Any]:
    ctx, proposal = _access_proposal(request, proposal_id)
    actions.check_respond(
        ctx, request.user, proposal, response=payload.response, reason=payload.reason
    )
    return _proposal(ctx, proposal)


@router.post(
    "/proposals/{proposal_id}/options",
    response={201: ProposalOut},
    auth=REQUIRED,
    summary="Put forward an option while consensus is sought",
)
def add_option(request: HttpRequest, proposal_id: int, payload: OptionIn) -> Reply[dict[str, Any]]:
    ctx, proposal = _access_proposal(request, proposal_id)
    actions.check_gather_option(ctx, request.user, proposal, label=payload.label)
    return Reply(201, _proposal(ctx, proposal))


@dataclass
class VotePage:
    """What a list of votes reads once for the whole page instead of once per vote."""

    eligible: set[int]
    voted: set[int]
    electorate: dict[int, int]
    turnout: dict[int, int]
    standing: Any

    @classmethod
    def read(cls, user: Any, assembly: Assembly, votes: list[Vote]) -> VotePage:
        from django.db.models import Count

        from .models import Eligible, Participation

        ids = [v.pk for v in votes]
        mine = getattr(user, "is_authenticated", False)

        def counts(model: Any) -> dict[int, int]:
            return dict(
                model.objects.filter(vote_id__in=ids)
                .values("vote_id")
                .annotate(n=Count("*"))
                .values_list("vote_id", "n")
            )

        def of_mine(model: Any) -> set[int]:
            if not mine:
                return set()
            return set(
                model.objects.filter(vote_id__in=ids, person=user).values_list("vote_id", flat=True)
            )

        return cls(
            eligible=of_mine(Eligible),
            voted=of_mine(Participation),
            electorate=counts(Eligible),
            turnout=counts(Participation),
            standing=ballots.standing_in(user, assembly) if mine else None,
        )


def _vote(request: HttpRequest, vote: Vote, page: VotePage | None = None) -> dict[str, Any]:
    now = timezone.now()
    # In a list the result comes with the vote; one still unsettled is settled here.
    listed = getattr(vote, "result", None) if page is not None else None
    row = listed or settle_vote(vote, now)
    language = (get_language() or "en")[:2]
    result = None
    if row is not None:
        result = {
            "outcome": row.outcome,
            "winners": row.winners,
            "ballots": row.ballots,
            "ranking": row.ranking,
            "explained": row.explained.get(language) or row.explained.get("en"),
        }
    elif selectors.shows_live_results(vote, now):
        result = {
            "outcome": "open",
            "winners": [],
            "explained": selectors.live_result(vote, language),
        }
    user = request.user
    if page is None:
        may = ballots.check_may_cast(user, vote)
        counts = selectors.vote_counts(vote)
        has_voted = ballots.has_voted(user, vote)
    else:
        may = ballots.check_may_cast(
            user, vote, in_electorate=vote.pk in page.eligible, standing=page.standing
        )
        counts = {
            "electorate": page.electorate.get(vote.pk, 0),
            "voted": page.turnout.get(vote.pk, 0),
        }
        has_voted = vote.pk in page.voted
    return {
        "id": vote.pk,
        "assembly": vote.assembly.slug if vote.assembly else "",
        "proposal": vote.proposal_id,
        "office": vote.office.slug if vote.office else None,
        "title": vote.title,
        "description": vote.description,
        "method": vote.method,
        "options": actions.option_order(vote, user.pk if user.is_authenticated else "anonymous"),
        "seats": vote.seats,
        "max_score": vote.max_score,
        "secret": vote.secret,
        "ask_validity": vote.ask_validity,
        "may_change_ballot": vote.may_change_ballot,
        "opens_at": vote.opens_at,
        "closes_at": vote.closes_at,
        "is_open": vote.is_open(now),
        "electorate": counts["electorate"],
        "voted": counts["voted"],
        "lot_seed": vote.lot_seed,
        "may_vote": may.allowed,
        "reasons": reasons_text(may),
        "has_voted": has_voted,
        "result": result,
        "part_of": vote.part_of_id,
        # VOTE-11: a public vote shows who voted what; a secret one never.
        "public_ballots": [
            {"voter": b.voter, "voter_id": b.voter_id, "ballot": b.marks, "valid": b.valid}
            for b in selectors.public_ballots(vote)
        ]
        if not vote.secret
        else [],
    }


@router.get(
    "/votes/{vote_id}/electorate",
    response=list[ElectorOut],
    auth=OPTIONAL,
    summary="Who may vote, fixed at the opening, with their membership start (VOTE-10)",
)
def electorate_of(request: HttpRequest, vote_id: int, page: int = 1) -> list[dict[str, Any]]:
    vote = ballots.access_vote(request.user, vote_id)
    rows = Paginator(
        vote.electorate.select_related("person").order_by("person__display_name", "pk"), 100
    ).get_page(page)
    return [
        {"person": str(e.person), "person_id": e.person.public_id, "member_since": e.member_since}
        for e in rows
    ]


@router.get(
    "/votes/{vote_id}",
    response=VoteOut,
    auth=OPTIONAL,
    summary="A vote, and its result once closed",
)
def read_vote(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    return _vote(request, ballots.access_vote(request.user, vote_id))


@router.get(
    "/assemblies/{key}/votes",
    response=list[VoteOut],
    auth=OPTIONAL,
    summary="Votes and elections of an assembly, newest first",
)
def list_votes(request: HttpRequest, key: str, page: int = 1) -> list[dict[str, Any]]:
    assembly = access_assembly(request.user, key)
    votes = (
        Vote.objects.filter(assembly=assembly)
        .select_related("assembly", "office", "result")
        .order_by("-opens_at", "-pk")
    )
    current = list(Paginator(votes, 20).get_page(page))
    facts = VotePage.read(request.user, assembly, current)
    return [_vote(request, v, facts) for v in current]


@router.post(
    "/votes/{vote_id}/ballot",
    response={201: CastOut, 200: CastOut},
    auth=REQUIRED,
    summary="Cast (or, with its change code, change) a ballot",
)
def cast(request: HttpRequest, vote_id: int, payload: BallotIn) -> Reply[dict[str, Any]]:
    vote = ballots.access_vote_to_cast(request.user, vote_id)
    done = ballots.check_cast(
        request.user,
        vote,
        BallotInput(
            scores=payload.scores,
            choice=payload.choice,
            approve=payload.approve,
            valid=payload.valid,
        ),
        change_code=payload.change_code,
    )
    return Reply(
        200 if done.changed else 201,
        {
            "changed": done.changed,
            "check_code": ballots.grouped(done.check_code) if done.check_code else "",
            "change_code": ballots.grouped(done.change_code) if done.change_code else "",
        },
    )


def _closed(vote: Vote) -> None:
    if not vote.is_closed(timezone.now()):
        raise NotFound(vote.pk)
    settle_vote(vote)  # the box is opened by the first read after the close


@router.get(
    "/votes/{vote_id}/ballots",
    response=dict[str, Any],
    auth=OPTIONAL,
    summary="The anonymised ballots after the close, as `folkmoot tally` reads them (BEY-2)",
)
def vote_ballots(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    vote = ballots.access_vote(request.user, vote_id)
    _closed(vote)
    return selectors.tally_file(vote)


@router.post(
    "/votes/{vote_id}/check",
    response=CheckOut,
    auth=OPTIONAL,
    summary="Find a ballot by its check code after the close (the code in the body, never "
    "in the address)",
)
def check(request: HttpRequest, vote_id: int, payload: CheckIn) -> dict[str, Any]:
    vote = ballots.access_vote(request.user, vote_id)
    if not vote.is_closed(timezone.now()):
        raise Refused.because(
            Reason("not_published", gettext_noop("Ballots are published when the vote closes."))
        )
    settle_vote(vote)  # the box is opened by the first read after the close
    code = ballots.normal_code(payload.code)
    found = selectors.ballot_by_check_code(vote, code)
    if found is None:
        raise NotFound(vote_id)
    return {"check_code": ballots.grouped(code), "ballot": found["marks"], "valid": found["valid"]}


@router.get(
    "/register",
    response=RegisterPage,
    auth=OPTIONAL,
    summary="The consensus register: decisions of every assembly (ASM-5)",
)
def register(request: HttpRequest, assembly: str = "", page: int = 1) -> dict[str, Any]:
    entries = RegisterEntry.objects.filter(
        assembly__in=Assembly.objects.visible_to(request.user)
    ).select_related("assembly", "assembly__root", "proposal")
    if assembly:
        entries = entries.filter(assembly__slug=assembly)
    paginator = Paginator(entries, 50)
    current = paginator.get_page(page)
    lines = selectors.referral_lines([e.pk for e in current], request.user)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": [
            {
                "id": e.pk,
                "assembly": e.assembly.slug,
                "reference": e.assembly.reference,
                "title": e.title,
                "kind": e.kind,
                "binding": e.binding,
                "outcome": e.outcome,
                "winners": e.winners,
                "decided_at": e.decided_at,
                "vote": e.vote_id,
                "proposal": e.proposal_id,
                "refers_to": e.proposal.refers_to_id if e.proposal else None,
                "referrals": [
                    {
                        "proposal": line.proposal.pk,
                        "assembly": line.proposal.assembly.slug,
                        "referral": line.referral,
                        "status": line.status,
                        "text": line.text,
                    }
                    for line in lines.get(e.pk, [])
                ],
            }
            for e in current
        ],
    }


@router.post(
    "/register/{entry_id}/refer",
    response={201: ProposalOut},
    auth=REQUIRED,
    summary="Bring a decision before the parent assembly: ratify or escalate (BEY-4)",
)
def refer(request: HttpRequest, entry_id: int, payload: ReferIn) -> Reply[dict[str, Any]]:
    entry = referrals.access_entry(request.user, entry_id)
    proposal = referrals.check_refer(
        request.user, entry, referral=payload.referral, kind_key=payload.kind, text=payload.text
    )
    ctx = referrals.parent_context(request.user, entry)
    return Reply(201, _proposal(ctx, proposal))
