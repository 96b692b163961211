from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.accounts.picker import by_public_id
from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.federation.actions import access_assembly
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import Invalid, NotFound

from . import selectors
from .absences import check_declare_absence, zone_of
from .appointments import access_tenure, appointment_context, check_appoint, check_end_appointment
from .candidacies import (
    access_own_candidacy,
    candidates_for,
    check_stand,
    check_withdraw,
    races_of,
)
from .elections import elections_now
from .models import Absence, Tenure
from .tenures import check_resign

router = Router(tags=["offices"])


class HolderOut(Schema):
    person: str
    person_id: str = Field(description="the person's public id")
    since: datetime
    term_ends: datetime | None
    suspended: bool
    appointed_by: str | None = Field(None, description="public id of who appointed them")
    away_until: date | None = Field(None, description="OFF-6: the last day of a notice in force")


class PastHolderOut(Schema):
    person: str = Field(
        description="their name, or “a former member” once erased where the "
        "office is no public record"
    )
    person_id: str | None = Field(description="their public id; null once erased")
    since: datetime
    until: datetime


class ElectionOut(Schema):
    opens_at: datetime
    closes_at: datetime
    open: bool
    by_election: bool = Field(False, description="a by-election for a vacant seat (OFF-3)")
    sealed: bool = Field(
        False,
        description="the protocol seals this office's elections (issue 16, VOTE-11); whether"
        " an election was held sealed is /elections' `sealed`",
    )
    candidacies_close_at: datetime = Field(
        description="the opening, or for a sealed election when its guardians begin the key"
    )


class OfficeOut(Schema):
    key: str
    name: str
    seats: int
    vacancies: int
    term_days: int | None
    elected: bool = Field(description="elected here; false where it is appointed")
    appointed_by: str | None = Field(
        None, description="slug of the assembly whose office appoints to it, where appointed"
    )
    voting_method: str
    holders: list[HolderOut]
    past_holders: list[PastHolderOut] = Field(description="who held it before, latest first")
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
    past = selectors.past_holders(assembly)
    rows = selectors.offices_of(assembly, in_force.protocol)
    today = timezone.now().astimezone(zone_of(in_force.protocol)).date()
    away = {  # OFF-6: who told of an absence covering today (the reason is for fellow holders)
        a.tenure_id: a.ends_on
        for a in Absence.objects.filter(
            tenure_id__in=[h.tenure_id for r in rows for h in r.holders],
            starts_on__lte=today,
            ends_on__gte=today,
        ).order_by("ends_on")
    }
    return [
        {
            "key": r.key,
            "name": r.rule.name.get(language),
            "seats": r.rule.seats,
            "vacancies": r.vacancies,
            "term_days": r.rule.term_days,
            "elected": r.elected,
            "appointed_by": _appointing_slug(assembly, r),
            "voting_method": r.rule.voting_method,
            "holders": [
                {
                    "person": str(h.person),
                    "person_id": h.person.public_id,
                    "since": h.since,
                    "term_ends": h.term_ends,
                    "suspended": h.suspended,
                    "appointed_by": h.appointed_by.public_id if h.appointed_by else None,
                    "away_until": away.get(h.tenure_id),
                }
                for h in r.holders
            ],
            "past_holders": [
                {"person": p.name, "person_id": p.person_id, "since": p.since, "until": p.until}
                for p in past.get(r.key, [])
            ],
            "election": (
                {
                    "opens_at": r.election.opens_at,
                    "closes_at": r.election.closes_at,
                    "open": r.election_open,
                    "by_election": r.by_election,
                    # Issue 16: a sealed election's ballot is fixed (candidacies close) when
                    # its vote is prepared, `prepare_hours` before it opens.
                    "sealed": r.rule.sealed is not None,
                    "candidacies_close_at": r.fixed_at,
                }
                if r.election
                else None
            ),
        }
        for r in rows
    ]


def _appointing_slug(assembly: Any, row: Any) -> str | None:
    if row.elected or row.rule.appointed_by is None:
        return None
    found = appointment_context(assembly, row.key).appointing
    return found.slug if found is not None else None


class AppointIn(Schema):
    person: str = Field(description="the appointee's public id")
    until: date | None = Field(None, description="the term's last day; none: the office's term")
    until_replaced: bool = Field(False, description="no end: until someone replaces them")
    replacing: str | None = Field(None, description="public id of the holder replaced")


class AppointedOut(Schema):
    office: str
    person: str
    person_id: str
    since: datetime
    until: datetime | None
    ended_at: datetime | None


def _appointed(tenure: Any) -> dict[str, Any]:
    return {
        "office": tenure.office.slug,
        "person": str(tenure.holder),
        "person_id": tenure.holder.public_id,
        "since": tenure.started_at,
        "until": tenure.until,
        "ended_at": tenure.ended_at,
    }


def _person(public_id: str) -> Any:
    person = by_public_id(public_id)
    if person is None:
        raise Invalid(
            Answer.no(Reason("unknown_person", gettext_noop("No person has this id."))),
            ["person"],
        )
    return person


@router.post(
    "/assemblies/{key}/offices/{office}/appointments",
    response={201: AppointedOut},
    auth=REQUIRED,
    summary="Appoint someone to an office that is not elected here (issue 13)",
)
def appoint(
    request: HttpRequest, key: str, office: str, payload: AppointIn
) -> Reply[dict[str, Any]]:
    ctx = appointment_context(access_assembly(request.user, key), office)
    person = _person(payload.person)
    replacing = None
    if payload.replacing:
        holder = _person(payload.replacing)
        found = (
            Tenure.objects.in_office(timezone.now())
            .filter(office__assembly=ctx.assembly, office__slug=office, holder=holder)
            .first()
        )
        if found is None:
            raise NotFound(payload.replacing)
        replacing = found
    tenure = check_appoint(
        request.user,
        ctx,
        person,
        until=payload.until,
        until_replaced=payload.until_replaced,
        replacing=replacing,
    )
    return Reply(201, _appointed(tenure))


@router.post(
    "/assemblies/{key}/offices/{office}/appointments/{person_id}/end",
    response=AppointedOut,
    auth=REQUIRED,
    summary="End someone's appointment now",
)
def end_appointment(request: HttpRequest, key: str, office: str, person_id: str) -> dict[str, Any]:
    ctx = appointment_context(access_assembly(request.user, key), office)
    holder = _person(person_id)
    found = (
        Tenure.objects.in_office(timezone.now())
        .filter(office__assembly=ctx.assembly, office__slug=office, holder=holder)
        .first()
    )
    if found is None:
        raise NotFound(person_id)
    return _appointed(check_end_appointment(request.user, ctx, access_tenure(ctx, found.pk)))


class StandIn(Schema):
    statement: str = Field("", max_length=2000)


class CandidacyOut(Schema):
    id: int
    office: str
    person: str
    person_id: str
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
        "person_id": c.person.public_id,
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
    return _candidacy(check_withdraw(candidacy=candidacy, actor=request.user))


class AbsenceIn(Schema):
    starts_on: date
    ends_on: date
    reason: str = Field(max_length=300)


class AbsenceOut(Schema):
    office: str
    starts_on: date
    ends_on: date
    reason: str


@router.post(
    "/assemblies/{key}/offices/{office}/absences",
    response={201: AbsenceOut},
    auth=REQUIRED,
    summary="Tell the other holders of an absence, from a day to a day (OFF-6)",
)
def declare_absence(
    request: HttpRequest, key: str, office: str, payload: AbsenceIn
) -> Reply[dict[str, Any]]:
    absence = check_declare_absence(
        request.user,
        access_assembly(request.user, key),
        office,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        reason=payload.reason,
    )
    return Reply(
        201,
        {
            "office": office,
            "starts_on": absence.starts_on,
            "ends_on": absence.ends_on,
            "reason": absence.reason,
        },
    )


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
    sealed: bool = Field(
        False, description="cast through /api/v1/votes/{vote}/sealed (issue 16, VOTE-11)"
    )
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
                "sealed": bool(vote.sealed_ballots),
                "winners": result.winners if result else None,
            }
        )
    return out
