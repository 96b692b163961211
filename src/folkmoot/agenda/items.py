"""What needs a person now (issue 12, "A home that is mine"): each item says what it is about,
where, by when, and the one thing to do, with its address. Every permission is the one the
acting page checks: the vote's electorate and standing (VOTE-5, SAN-6), the secretary's
office for join requests (MEM-2), the protocol's `moderate` and `sanction` powers for the
coordination queue and for backing sanctions (SAN-4).

The number of queries is fixed, whatever the number of items, except the protocol in force
(and, where they hold an office, the person's standing) per assembly where they hold an office
or a sanction names them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from folkmoot.decisions.ballots import standing_in
from folkmoot.decisions.models import RegisterEntry, Vote
from folkmoot.federation.models import Assembly, JoinRequest, Membership
from folkmoot.federation.selectors import my_memberships
from folkmoot.forums.models import RescueRequest
from folkmoot.governance.audience import has_power
from folkmoot.governance.protocol import Protocol
from folkmoot.governance.sanctions import EndorsementState
from folkmoot.moderation.models import OfficeSuspension, Report, Sanction
from folkmoot.moderation.selectors import active_sanction
from folkmoot.moderation.state import state_of
from folkmoot.notifications.models import Notification
from folkmoot.offices.models import SECRETARY, Candidacy, Tenure
from folkmoot.paths import id_path
from folkmoot.protocols.facts import named_in_sanctions, viewer_for
from folkmoot.protocols.selectors import InForceByAssembly

from .duties import amendment_items, proposal_items, term_items
from .item import SOON, Item

RECENT_DECISIONS = 10


@dataclass
class Agenda:
    items: list[Item] = field(default_factory=list)
    memberships: list[tuple[Assembly, Membership]] = field(default_factory=list)
    decided: list[RegisterEntry] = field(default_factory=list)
    # Assembly id → the person's unread notifications from there ("with unread activity").
    unread: dict[int, int] = field(default_factory=dict)
    # The first moment at which the clock alone may change what is above (a vote opens or
    # closes, a deadline comes within a day, a term's notice begins); None for never. The
    # home page keeps the agenda no later than that (agenda.kept).
    changes_at: datetime | None = None


def agenda_of(user: Any, now: datetime | None = None) -> Agenda:
    """The person's agenda as it stands now, read in full."""
    agenda = lasting_agenda(user, now or timezone.now())
    with_unread(agenda, user)
    return agenda


def lasting_agenda(user: Any, now: datetime) -> Agenda:
    """All but the unread counts: what stays true until something it reads is written or
    `changes_at` comes."""
    protocols = InForceByAssembly()  # per assembly, read once for every item below
    moments: list[datetime] = []
    items = [
        *_votes(user, now, moments),
        *_my_sanctions(user, now, protocols, moments),
        *_candidacies(user, now, protocols),
    ]
    held = list(
        Tenure.objects.in_office(now)
        .filter(holder=user)
        .select_related("office__assembly__root")
        .annotate(**_suspension_moments(now))
    )
    # An appointment lapses by itself at its `until` (issue 13): its queues go with it. A
    # suspension from an office (OFF-6) begins and ends by itself: the office's queues go
    # and come back then (`viewer_for` tells who is suspended now).
    moments += [
        moment
        for tenure in held
        for moment in (tenure.until, tenure.suspension_from, tenure.suspension_until)  # type: ignore[attr-defined]
        if moment is not None
    ]
    items += _join_requests(user, held)
    items += _my_requests(user)
    items += _foundings(user, held)
    items += _office_queues(user, held, now, protocols)
    items += proposal_items(user, held, now, protocols, moments)
    items += amendment_items(user)
    from folkmoot.sealed.agenda import sealed_items  # issue 16: keys and guardians' steps

    items += sealed_items(user, now, moments)
    items += term_items(held, now, protocols, moments)
    memberships = my_memberships(user)
    decided = list(
        RegisterEntry.objects.filter(assembly__in={a.pk for a, _m in memberships})
        .select_related("assembly")
        .order_by("-decided_at", "-pk")[:RECENT_DECISIONS]
    )
    # Soonest deadline first; what has none (a queue) after, oldest waiting first.
    far = datetime.max.replace(tzinfo=now.tzinfo)
    items.sort(key=lambda i: (i.deadline is None, i.deadline or far))
    # One object per assembly: two hundred votes in twenty assemblies are kept (pickled) with
    # twenty assemblies, not two hundred copies (agenda.kept).
    one = {assembly.pk: assembly for assembly, _m in memberships}
    items = [
        item
        if one.setdefault(item.assembly.pk, item.assembly) is item.assembly
        else replace(item, assembly=one[item.assembly.pk])
        for item in items
    ]
    for item in items:
        if item.deadline is not None:
            moments += [item.deadline, item.deadline - SOON]  # it ends; it becomes urgent
    later = [moment for moment in moments if moment > now]
    return Agenda(
        items=items,
        memberships=memberships,
        decided=decided,
        changes_at=min(later) if later else None,
    )


def _suspension_moments(now: datetime) -> dict[str, Subquery]:
    """The holder's next suspension to begin, and the soonest to end, read with their tenures
    (no query of their own)."""
    theirs = OfficeSuspension.objects.filter(holder=OuterRef("holder"))
    ends = ExpressionWrapper(F("imposed_at") + F("duration"), output_field=DateTimeField())
    return {
        "suspension_from": Subquery(
            theirs.filter(imposed_at__gt=now).order_by("imposed_at").values("imposed_at")[:1]
        ),
        "suspension_until": Subquery(
            theirs.filter(duration__isnull=False)
            .annotate(ends=ends)
            .filter(ends__gt=now)
            .order_by("ends")
            .values("ends")[:1]
        ),
    }


def with_unread(agenda: Agenda, user: Any) -> None:
    """The person's unread notifications per assembly: read on every visit, never kept."""
    agenda.unread = dict(
        Notification.objects.shown()
        .filter(user=user, read_at__isnull=True, assembly__isnull=False)
        .values_list("assembly_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for assembly, _membership in agenda.memberships:
        assembly.unread = agenda.unread.get(assembly.pk, 0)  # type: ignore[attr-defined]


def _votes(user: Any, now: datetime, moments: list[datetime]) -> list[Item]:
    """Open votes and elections whose electorate holds the person and where they have not
    voted yet, in assemblies they may still see; a sanction in force hides the vote (SAN-6:
    they may not cast). Those not open yet are read too: when each opens goes to
    `moments`, for the agenda shows it from then."""
    votes = (
        Vote.objects.filter(
            electorate__person=user,
            closes_at__gt=now,
            result__isnull=True,
            assembly__in=Assembly.objects.visible_to(user),
        )
        .exclude(participations__person=user)
        .select_related("assembly", "office")
        .annotate(named=named_in_sanctions(user.pk, OuterRef("assembly")))
    )
    out = []
    standing: dict[int, bool] = {}  # per assembly: read once, however many votes it has
    # Worked out once for a list that may hold hundreds of votes (issue 11): the words,
    # and the vote page's address, whose only number is the vote's.
    words = {
        True: (_("An election in which you have not voted yet"), _("Vote in the election")),
        False: (_("A vote you have not cast yet"), _("Vote")),
    }
    closes = _("Closes")
    vote_path = id_path("vote")
    for vote in votes:
        assembly = vote.assembly
        assert assembly is not None and vote.closes_at is not None
        if vote.opens_at is None or vote.opens_at > now:
            if vote.opens_at is not None:
                moments.append(vote.opens_at)
            continue
        if vote.named:
            if assembly.pk not in standing:
                standing[assembly.pk] = bool(standing_in(user, assembly))
            if not standing[assembly.pk]:
                continue
        election = vote.office_id is not None
        summary, action = words[election]
        out.append(
            Item(
                kind="election" if election else "vote",
                summary=summary,
                title=vote.title,
                assembly=assembly,
                action=action,
                url=vote_path(vote.pk),
                deadline=vote.closes_at,
                deadline_label=closes,
                urgent=vote.closes_at - now <= SOON,
            )
        )
    return out


def _join_requests(user: Any, held: list[Tenure]) -> list[Item]:
    """MEM-2: the requests waiting in each assembly where the person is secretary."""
    where = {t.office.assembly_id: t.office.assembly for t in held if t.office.slug == SECRETARY}
    rows = (
        JoinRequest.objects.pending()
        .filter(assembly_id__in=list(where))
        .values("assembly_id")
        .annotate(n=Count("pk"), since=Min("created_at"))
        .order_by()
    )
    return [
        Item(
            kind="join_requests",
            summary=ngettext(
                "%(n)d request to join waits for you as secretary",
                "%(n)d requests to join wait for you as secretary",
                row["n"],
            )
            % {"n": row["n"]},
            title="",
            assembly=where[row["assembly_id"]],
            action=_("Decide"),
            url=reverse("assembly-requests", args=[where[row["assembly_id"]].slug]),
            count=row["n"],
        )
        for row in rows
    ]


def _foundings(user: Any, held: list[Tenure]) -> list[Item]:
    """ASM-2: new assemblies proposed where the person's office approves them."""
    from folkmoot.federation.founding import to_decide

    return [
        Item(
            kind="founding",
            summary=_("A new assembly is proposed inside %(parent)s")
            % {"parent": made.parent.title},
            title=made.title,
            assembly=made.parent,
            action=_("Decide"),
            url=reverse("founding", args=[made.pk]),
        )
        for made in to_decide(user, held)
    ] + _changes(user, held)


def _changes(user: Any, held: list[Tenure]) -> list[Item]:
    """ASM-2, issue 13: moving, merging or closing an assembly, where the office approves."""
    from folkmoot.federation.reshaping import to_decide

    summaries = {
        "move": _("Moving %(title)s under another assembly is proposed"),
        "merge": _("Merging %(title)s into another assembly is proposed"),
        "close": _("Closing %(title)s is proposed"),
    }
    return [
        Item(
            kind="founding",
            summary=summaries[made.kind] % {"title": made.assembly.title},
            title=made.why[:120],
            assembly=made.assembly,
            action=_("Decide"),
            url=reverse("reshaping", args=[made.pk]),
        )
        for made in to_decide(user, held)
    ]


def _my_requests(user: Any) -> list[Item]:
    """MEM-2: the person's own requests to join, while the secretary has not decided."""
    return [
        Item(
            kind="my_request",
            summary=_("Your request to join waits for the secretary's decision"),
            title="",
            assembly=request.assembly,
            action=_("See the assembly"),
            url=request.assembly.get_absolute_url(),
        )
        for request in JoinRequest.objects.pending().filter(user=user).select_related("assembly")
    ]


def _office_queues(
    user: Any, held: list[Tenure], now: datetime, protocols: InForceByAssembly
) -> list[Item]:
    """Reports and rescue requests for those who moderate; sanctions waiting for backing
    (SAN-4) for those who may sanction, except their own. Powers come from the protocol in
    force and the person's facts there, as the acting pages ask them."""
    moderating: dict[int, Assembly] = {}
    sanctioning: dict[int, Protocol] = {}
    for assembly in {t.office.assembly_id: t.office.assembly for t in held}.values():
        protocol = protocols(assembly)
        if protocol is None:
            continue
        viewer = viewer_for(user, assembly, protocol)
        if has_power(protocol, viewer, "moderate"):
            moderating[assembly.pk] = assembly
        if has_power(protocol, viewer, "sanction"):
            sanctioning[assembly.pk] = protocol
    items = _coordination(moderating)
    pending = (
        Sanction.objects.filter(assembly_id__in=list(sanctioning), needs_endorsement=True)
        .exclude(imposed_by=user)
        .exclude(endorsements__endorser=user)
        .select_related("person", "assembly")
        .prefetch_related("endorsements", "liftings")
    )
    for sanction in pending:
        rules = sanctioning[sanction.assembly_id].sanctions
        if rules is None:
            continue
        state = state_of(rules, sanction, now)
        if state.state is EndorsementState.PENDING and state.deadline and now < state.deadline:
            items.append(
                Item(
                    kind="sanction_to_back",
                    summary=_("A sanction that lapses unless another coordinator backs it"),
                    title=str(sanction.person),
                    assembly=sanction.assembly,
                    action=_("Back it or let it lapse"),
                    url=reverse("sanctions", args=[sanction.assembly.slug]),
                    deadline=state.deadline,
                    deadline_label=_("Lapses"),
                    urgent=state.deadline - now <= SOON,
                )
            )
    return items


def _coordination(moderating: dict[int, Assembly]) -> list[Item]:
    reports = dict(
        Report.objects.filter(post__thread__assembly_id__in=list(moderating), resolved_at=None)
        .values_list("post__thread__assembly_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rescues = dict(
        RescueRequest.objects.filter(thread__assembly_id__in=list(moderating), decided_at=None)
        .values_list("thread__assembly_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    waiting = {pk: reports.get(pk, 0) + rescues.get(pk, 0) for pk in moderating}
    return [
        Item(
            kind="coordination",
            summary=ngettext(
                "%(n)d report or rescue request waits for coordination",
                "%(n)d reports and rescue requests wait for coordination",
                waiting[pk],
            )
            % {"n": waiting[pk]},
            title="",
            assembly=assembly,
            action=_("Open the moderation queue"),
            url=reverse("moderation", args=[assembly.slug]),
            count=waiting[pk],
        )
        for pk, assembly in moderating.items()
        if waiting[pk]
    ]


def _my_sanctions(
    user: Any, now: datetime, protocols: InForceByAssembly, moments: list[datetime]
) -> list[Item]:
    """SAN-6: a sanction in force on the person, and until when, in each assembly where a
    sanction names them (theirs, or one they imposed that lapsed unbacked: SAN-5). When a
    sanction waiting for backing lapses goes to `moments`: then it stops, or comes back
    on whoever imposed it."""
    assemblies = Assembly.objects.filter(
        Q(sanctions__person=user) | Q(sanctions__imposed_by=user)
    ).distinct()
    items = []
    for assembly in assemblies:
        protocol = protocols(assembly)
        if protocol is None or protocol.sanctions is None:
            continue
        waiting = (
            Sanction.objects.filter(assembly=assembly, needs_endorsement=True)
            .filter(Q(person=user) | Q(imposed_by=user))
            .prefetch_related("endorsements", "liftings")
        )
        for sanction in waiting:
            deadline = state_of(protocol.sanctions, sanction, now).deadline
            if deadline is not None:
                moments.append(deadline)
        found = active_sanction(assembly, user, protocol.sanctions, now)
        if found is not None:
            until, _reason = found
            items.append(
                Item(
                    kind="my_sanction",
                    summary=_("You are under a sanction here: you may read, not write or vote"),
                    title=assembly.title,
                    assembly=assembly,
                    action=_("Read the sanction"),
                    url=reverse("sanctions", args=[assembly.slug]),
                    deadline=until if until.year < 9999 else None,
                    deadline_label=_("Until"),
                )
            )
    return items


def _candidacies(user: Any, now: datetime, protocols: InForceByAssembly) -> list[Item]:
    """OFF-3: the person's candidacies for elections that have not opened yet, named as the
    protocol in force names the office."""
    standing = [
        c
        for c in Candidacy.objects.filter(person=user, withdrawn_at=None).select_related(
            "office__assembly"
        )
        if c.election_opens_at is None or c.election_opens_at > now
    ]
    language = get_language() or "en"
    items = []
    for candidacy in standing:
        assembly = candidacy.office.assembly
        protocol = protocols(assembly)
        office = protocol.offices.get(candidacy.office.slug) if protocol else None
        items.append(
            Item(
                kind="candidacy",
                summary=_("You stand for this office"),
                title=office.name.get(language) if office else candidacy.office.slug,
                assembly=assembly,
                action=_("See the candidates"),
                url=reverse("offices", args=[assembly.slug]),
                deadline=candidacy.election_opens_at,
                deadline_label=_("The election opens"),
            )
        )
    return items
