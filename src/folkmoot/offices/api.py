from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.federation.actions import access_assembly
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound

from . import selectors
from .candidacies import (
    access_own_candidacy,
    candidates_for,
    check_stand,
    do_withdraw,
    races_of,
)
from .elections import check_resign, elections_now

router = Router(tags=["offices"])


class HolderOut(Schema):
    person: str
    since: datetime
    term_ends: datetime | None
    suspended: bool


class ElectionOut(Schema):
    opens_at: datetime
    closes_at: datetime
    open: bool


class OfficeOut(Schema):
    key: str
    name: str
    seats: int
    vacancies: int
    term_days: int | None
    elected: bool
    voting_method: str
    holders: list[HolderOut]
    election: ElectionOut | None


@router.get(
    "/assemblies/{key}/offices",
    response=list[OfficeOut],
    auth=OPTIONAL,
    summary="Offices, holders, vacancies, elections",
)
def list_offices(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    assembly = access_assembly(request.user, key)
    in_force = protocol_in_force(assembly)
    if in_force is None:
        raise NotFound(key)
    language = get_language() or "en"
    return [
        {
            "key": r.key,
            "name": r.rule.name.get(language),
            "seats": r.rule.seats,
            "vacancies": r.vacancies,
            "term_days": r.rule.term_days,
            "elected": r.rule.elected,
            "voting_method": r.rule.voting_method,
            "holders": [
                {
                    "person": str(h.person),
                    "since": h.since,
                    "term_ends": h.term_ends,
                    "suspended": h.suspended,
                }
                for h in r.holders
            ],
            "election": (
                {
                    "opens_at": r.election.opens_at,
                    "closes_at": r.election.closes_at,
                    "open": r.election_open,
                }
                if r.election
                else None
            ),
        }
        for r in selectors.offices_of(assembly, in_force.protocol)
    ]


class StandIn(Schema):
    statement: str = Field("", max_length=2000)


class CandidacyOut(Schema):
    id: int
    office: str
    person: str
    election_opens_at: datetime | None
    withdrawn_at: datetime | None = None


@router.post(
    "/assemblies/{key}/offices/{office}/candidacies",
    response={201: CandidacyOut},
    auth=REQUIRED,
    summary="Stand for an office",
)
def stand(request: HttpRequest, key: str, office: str, payload: StandIn) -> Reply[dict[str, Any]]:
    c = check_stand(
        request.user, access_assembly(request.user, key), office, statement=payload.statement
    )
    return Reply(201, _candidacy(c))


@router.get(
    "/assemblies/{key}/offices/{office}/candidacies",
    response=list[CandidacyOut],
    auth=OPTIONAL,
    summary="Who is standing",
)
def candidacies(request: HttpRequest, key: str, office: str) -> list[dict[str, Any]]:
    """The current race only: candidacies of elections already run are not listed."""
    assembly = access_assembly(request.user, key)
    in_force = protocol_in_force(assembly)
    if in_force is None or office not in in_force.protocol.offices:
        raise NotFound(office)
    rows = selectors.offices_of(assembly, in_force.protocol)
    return [_candidacy(c) for c in candidates_for(assembly, races_of(rows)).get(office, [])]


def _candidacy(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "office": c.office.slug,
        "person": str(c.person),
        "election_opens_at": c.election_opens_at,
        "withdrawn_at": c.withdrawn_at,
    }


@router.post(
    "/assemblies/{key}/offices/{office}/candidacies/{candidacy_id}/withdraw",
    response=CandidacyOut,
    auth=REQUIRED,
    summary="Withdraw my candidacy",
)
def withdraw(request: HttpRequest, key: str, office: str, candidacy_id: int) -> dict[str, Any]:
    candidacy = access_own_candidacy(request.user, access_assembly(request.user, key), candidacy_id)
    if candidacy.office.slug != office:
        raise NotFound(candidacy_id)
    return _candidacy(do_withdraw(candidacy=candidacy, actor=request.user))


class ResignOut(Schema):
    office: str
    successor: str | None


@router.post(
    "/assemblies/{key}/offices/{office}/resign",
    response=ResignOut,
    auth=REQUIRED,
    summary="Resign; the next candidate of the last result takes the seat (OFF-4)",
)
def resign(request: HttpRequest, key: str, office: str) -> dict[str, Any]:
    tenure = check_resign(request.user, access_assembly(request.user, key), office)
    return {"office": office, "successor": str(tenure.holder) if tenure else None}


class ElectionVoteOut(Schema):
    office: str
    vote: int
    opens_at: datetime | None
    closes_at: datetime | None
    candidates: list[str]
    winners: list[str] | None


@router.get(
    "/assemblies/{key}/elections",
    response=list[ElectionVoteOut],
    auth=OPTIONAL,
    summary="The elections open now or closed last, with their votes (OFF-1..4)",
)
def elections(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    from django.utils import timezone

    from folkmoot.decisions.settle import settle_vote
    from folkmoot.protocols.selectors import protocol_in_force
    from folkmoot.refusals import NotFound

    assembly = access_assembly(request.user, key)
    in_force = protocol_in_force(assembly)
    if in_force is None:
        raise NotFound(key)
    out = []
    for vote in elections_now(assembly, in_force.protocol, timezone.now()):
        result = settle_vote(vote)  # a closed election takes effect when first read
        out.append(
            {
                "office": vote.office.slug,
                "vote": vote.pk,
                "opens_at": vote.opens_at,
                "closes_at": vote.closes_at,
                "candidates": vote.options,
                "winners": result.winners if result else None,
            }
        )
    return out
