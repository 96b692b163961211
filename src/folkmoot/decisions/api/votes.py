"""Votes through the API: a vote and its result (VOTE-5, VOTE-8, VOTE-11), its electorate
(VOTE-10), casting a ballot, and after the close the anonymised ballots and the check of a
ballot by its code (BEY-2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.decisions import actions, ballots, selectors
from folkmoot.decisions.models import Vote
from folkmoot.decisions.settle import settle_vote
from folkmoot.federation.actions import access_assembly
from folkmoot.federation.models import Assembly
from folkmoot.governance.casting import BallotInput
from folkmoot.governance.reasons import Reason, gettext_noop
from folkmoot.refusals import NotFound, Refused, reasons_text

router = Router(tags=["decisions"])


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

        from folkmoot.decisions.models import Eligible, Participation

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


def vote_out(request: HttpRequest, vote: Vote, page: VotePage | None = None) -> dict[str, Any]:
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
    operation_id="folkmoot_decisions_api_electorate_of",
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
    operation_id="folkmoot_decisions_api_read_vote",
    response=VoteOut,
    auth=OPTIONAL,
    summary="A vote, and its result once closed",
)
def read_vote(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    return vote_out(request, ballots.access_vote(request.user, vote_id))


@router.get(
    "/assemblies/{key}/votes",
    operation_id="folkmoot_decisions_api_list_votes",
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
    return [vote_out(request, v, facts) for v in current]


@router.post(
    "/votes/{vote_id}/ballot",
    operation_id="folkmoot_decisions_api_cast",
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
    operation_id="folkmoot_decisions_api_vote_ballots",
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
    operation_id="folkmoot_decisions_api_check",
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
