"""What the governance core may know about a person in an assembly: the `Viewer` facts built
from memberships, offices and profile, in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.federation.models import Assembly
from folkmoot.governance.audience import ANONYMOUS, Viewer
from folkmoot.governance.membership import seniority_days
from folkmoot.governance.protocol import Protocol
from folkmoot.moderation.models import OfficeSuspension, Sanction
from folkmoot.moderation.selectors import active_sanction
from folkmoot.offices.tenures import held_offices, offices_held_by
from folkmoot.statements import Statement


def _first_look(_variant: None, *, person: int, member_of: int, assembly: int) -> Any:
    """One row: the person's membership where it counts (status, since when), and whether
    any office, suspension, election waiting to take effect or sanction could matter."""
    from folkmoot.decisions.models import Vote
    from folkmoot.federation.models import Membership
    from folkmoot.offices.models import Tenure

    membership = Membership.objects.active().filter(user=OuterRef("pk"), assembly_id=member_of)
    return User.objects.filter(pk=person).annotate(
        status=Subquery(membership.values("status")[:1]),
        member_since=Subquery(membership.values("started_at")[:1]),
        holds=Exists(
            Tenure.objects.current().filter(holder=OuterRef("pk"), office__assembly_id=assembly)
        ),
        # Any election of the assembly without a result, open or closed: `held_offices`
        # then decides by this server's clock whether one has closed and seats its winners
        # (issue 10). No clock here: the database's may run behind the server's.
        due=Exists(Vote.objects.filter(office__assembly_id=assembly, result__isnull=True)),
        suspended=Exists(
            OfficeSuspension.objects.filter(assembly_id=assembly, holder=OuterRef("pk"))
        ),
        named=named_in_sanctions(OuterRef("pk"), assembly),
    )


# Every signed-in page asks it (issue 11): compiled once (folkmoot.statements).
_FIRST_LOOK = Statement(User, _first_look, person=int, member_of=int, assembly=int)


def viewer_for(user: Any, assembly: Assembly, protocol: Protocol | None = None) -> Viewer:
    """With the protocol in force, a sanction in force now is part of the facts (SAN-6).
    A first query tells which of the other facts can exist; most people hold no office and
    are under no suspension or sanction, and for them it is the only one (issue 11)."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    target = assembly.membership_assembly_id
    # The annotations of `_first_look`, as attributes.
    look: Any = _FIRST_LOOK.run(person=user.pk, member_of=target, assembly=assembly.pk)[0]
    now = timezone.now()
    suspended = (
        {
            s.office
            for s in OfficeSuspension.objects.filter(assembly=assembly, holder=user)
            if s.in_force(now)
        }
        if look.suspended
        else set()
    )
    # OFF-6: a suspended holder keeps the seat but not its powers, until the suspension ends.
    # An election whose vote has closed takes effect now, whether or not the worker has run
    # (issue 10): a newly elected drafter approves texts from the close.
    offices = (
        held_offices(user, assembly, now) - suspended if look.holds or look.due else frozenset()
    )
    started = timezone.localtime(look.member_since).date() if look.member_since else None
    sanction = _sanction_in_force(user, assembly, protocol) if look.named else None
    return Viewer(
        authenticated=True,
        status=look.status,
        offices=offices,
        birth_date=user.birth_date,
        attributes=user.attribute_set,
        seniority_days=seniority_days(started, timezone.localdate()),
        sanctioned_until=sanction[0] if sanction else None,
        sanction_reason=sanction[1] if sanction else "",
        closed_on=assembly.closed_on,
    )


def _sanction_in_force(
    user: Any, assembly: Assembly, protocol: Protocol | None
) -> tuple[Any, str] | None:
    if protocol is None or protocol.sanctions is None:
        return None
    return active_sanction(assembly, user, protocol.sanctions, timezone.now())


def sanction_viewer(user: Any, assembly: Assembly, protocol: Protocol | None) -> Viewer:
    """Only the facts SAN-6 reads (a sanction in force now), the same as `viewer_for` finds,
    for an act whose other conditions were fixed elsewhere: a ballot, whose electorate was
    fixed at the opening, needs neither memberships nor offices (issue 11)."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    sanction = _sanction_in_force(user, assembly, protocol)
    return Viewer(
        authenticated=True,
        sanctioned_until=sanction[0] if sanction else None,
        sanction_reason=sanction[1] if sanction else "",
        closed_on=assembly.closed_on,
    )


def named_in_sanctions(person: Any, assembly: Any) -> Exists:
    """Whether any sanction row of the assembly names this person, as sanctioned or as the
    one who imposed it: every row `active_sanction` weighs is among these, so where there is
    none, no sanction can be in force, and the protocol need not be read (issue 11). An
    expression, to be read in the same query as what the act loads anyway."""
    return Exists(
        Sanction.objects.filter(assembly=assembly).filter(Q(person=person) | Q(imposed_by=person))
    )


def viewers_without_sanctions(users: list[Any], assembly: Assembly) -> dict[Any, Viewer]:
    """The facts of many people at once, in three queries whatever their number, for
    electorates (VOTE-5): the same facts `viewer_for` reads, less sanctions, which only stop
    people acting (SAN-6) and are checked when they act."""
    from folkmoot.federation.models import Membership

    ids = [u.pk for u in users]
    target = assembly.membership_assembly_id
    memberships = {
        m.user_id: m
        for m in Membership.objects.active().filter(assembly_id=target, user_id__in=ids)
    }
    now = timezone.now()
    suspended: dict[Any, set[str]] = {}
    for s in OfficeSuspension.objects.filter(assembly=assembly, holder_id__in=ids):
        if s.in_force(now):
            suspended.setdefault(s.holder_id, set()).add(s.office)
    # As in `viewer_for`: the winners of a closed election hold office from the close.
    offices = offices_held_by(ids, assembly, now)
    today = timezone.localdate()
    out = {}
    for user in users:
        membership = memberships.get(user.pk)
        started = timezone.localtime(membership.started_at).date() if membership else None
        out[user.pk] = Viewer(
            authenticated=True,
            status=membership.status if membership else None,  # type: ignore[arg-type]
            offices=frozenset(offices.get(user.pk, set()) - suspended.get(user.pk, set())),
            birth_date=user.birth_date,
            attributes=user.attribute_set,
            seniority_days=seniority_days(started, today),
        )
    return out


def acts_in_office(user: Any, assembly: Assembly, office: str) -> bool:
    """Holds `office` in `assembly` now and is not suspended from it (OFF-6): who may act in
    it, as the protocol in force reads the person's facts."""
    from .selectors import protocol_in_force

    in_force = protocol_in_force(assembly)
    if in_force is None:
        return False
    return office in viewer_for(user, assembly, in_force.protocol).offices
