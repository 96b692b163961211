"""What moving, merging or closing an assembly finds and does (ASM-2, issue 13): the facts
the rules weigh (`shape_facts`), what approval would change (`consequences`, for the
preview), and the change itself. Called by `reshaping` once the change is approved, under
a lock on the federation, so two changes to one federation's shape never interleave."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from folkmoot.audit.log import record
from folkmoot.governance.eligibility import PersonFacts, check_eligibility
from folkmoot.governance.founding import check_assembly_type
from folkmoot.governance.membership import JoinPolicy, seniority_days
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.governance.reshaping import ShapeFacts
from folkmoot.notifications.send import notify
from folkmoot.offices.models import Tenure
from folkmoot.protocols.selectors import InForce, protocol_in_force

from .actions import descendant_ids, do_save_assembly
from .models import Assembly, FoundingRequest, Membership, ReshapeRequest

# --- the facts ---------------------------------------------------------------------------


def open_votes(assemblies: list[int]) -> int:
    """Votes and elections of these assemblies still to be cast or counted (a withdrawn
    proposal's vote is never counted)."""
    from folkmoot.decisions.models import Vote

    return (
        Vote.objects.filter(Q(assembly_id__in=assemblies) | Q(office__assembly_id__in=assemblies))
        .filter(result__isnull=True)
        .exclude(proposal__withdrawn_at__isnull=False)
        .count()
    )


def _refuses_type(target: Assembly, assembly: Assembly) -> Answer | None:
    in_force = protocol_in_force(target)
    founding = in_force.protocol.founding if in_force is not None else None
    if founding is None:
        return Answer.no(
            Reason(
                "target_takes_none",
                gettext_noop("The protocol of “%(target)s” provides for no assemblies inside it."),
                {"target": target.title},
            )
        )
    takes = check_assembly_type(founding, assembly.assembly_type)
    return None if takes else takes


def rules_after(assembly: Assembly, new_parent: Assembly) -> InForce | None:
    """The protocol `assembly` would follow under `new_parent`, where it differs from the one
    it follows now (it has adopted none of its own, and the new parent's is another)."""
    now = protocol_in_force(assembly)
    if now is not None and now.source.pk == assembly.pk:
        return None  # its own protocol goes with it
    after = protocol_in_force(new_parent)
    if after is None or (now is not None and now.version.pk == after.version.pk):
        return None
    return after


def _moving(assembly: Assembly, kind: str, target: Assembly) -> list[Assembly]:
    """The open assemblies that change parent: the assembly itself, or, in a merge, the
    ones inside it."""
    if kind == "move":
        return [assembly]
    return list(Assembly.objects.open().filter(parent=assembly))


def _rules_change_under_votes(assembly: Assembly, kind: str, target: Assembly) -> bool:
    """Whether an assembly that changes parent would change rules while votes are open in
    it or inside it: a vote is counted by the rules it opened under (issue 13)."""
    for moved in _moving(assembly, kind, target):
        if rules_after(moved, target) is not None and open_votes(
            [moved.pk, *descendant_ids(moved.pk)]
        ):
            return True
    return False


def shape_facts(assembly: Assembly, kind: str, target: Assembly | None) -> ShapeFacts:
    facts = ShapeFacts(
        is_root=assembly.parent_id is None,
        closed=assembly.closed_at is not None,
        open_children=Assembly.objects.open().filter(parent=assembly).count(),
        open_votes=open_votes([assembly.pk]) if kind in ("merge", "close") else 0,
    )
    if target is None or kind == "close":
        return facts
    inside = target.pk == assembly.pk or target.pk in descendant_ids(assembly.pk)
    refused = None
    if not inside:
        for moved in _moving(assembly, kind, target):
            refused = refused or _refuses_type(target, moved)
    return ShapeFacts(
        **{
            **facts.__dict__,
            "target_given": True,
            "target_closed": target.closed_at is not None,
            "target_is_parent": target.pk == assembly.parent_id,
            "target_inside": inside,
            "target_elsewhere": target.federation_id != assembly.federation_id,
            "target_refuses_type": refused,
            "rules_change_under_votes": not inside
            and _rules_change_under_votes(assembly, kind, target),
        }
    )


@dataclass
class Consequences:
    """What approving would do, for the preview and the approver."""

    kind: str
    members: int = 0  # the assembly's own members and participants
    joining: int = 0  # of them, those who join the other assembly
    not_eligible: int = 0  # those the other assembly's rules keep out (MEM-2)
    everyone: bool = False  # automatic: its members are the whole federation's
    children: list[Assembly] = field(default_factory=list)
    holders: int = 0  # office holders whose tenure ends
    requests: int = 0  # requests to join that are declined
    rules: Any = None  # the protocol it follows after a move, where it changes


def _eligible_ids(memberships: list[Membership], target: Assembly) -> set[int]:
    """Who of these people the target's rules admit (MEM-2), in three queries."""
    from folkmoot.accounts.models import User

    ids = [m.user_id for m in memberships]
    people = User.objects.in_bulk(ids)
    wanted = [target.federation_id]
    if target.required_assembly_id is not None:
        wanted.append(target.required_assembly_id)
    held: dict[int, dict[int, datetime]] = {}
    for user_id, assembly_id, started in (
        Membership.objects.active()
        .filter(user_id__in=ids, assembly_id__in=wanted)
        .values_list("user_id", "assembly_id", "started_at")
    ):
        held.setdefault(user_id, {})[assembly_id] = started
    today = timezone.localdate()
    rules = target.eligibility_rules
    eligible = set()
    for user_id in ids:
        person = people[user_id]
        mine = held.get(user_id, {})
        start = mine.get(target.federation_id)
        facts = PersonFacts(
            birth_date=person.birth_date,
            attributes=person.attribute_set,
            assembly_ids=frozenset(mine),
            seniority_days=seniority_days(
                timezone.localtime(start).date() if start else None, today
            ),
        )
        if check_eligibility(rules, facts, today):
            eligible.add(user_id)
    return eligible


@dataclass
class Joining:
    memberships: list[Membership]  # to create in the target
    members: int  # the merged assembly's own people
    kept_out: set[int]  # the ids of those the target's rules do not admit


def _joining(assembly: Assembly, target: Assembly) -> Joining:
    """The memberships to create in `target` for the merged assembly's people. None when
    either is automatic: an automatic assembly's people are its federation's (MEM-2)."""
    if JoinPolicy.AUTOMATIC in (assembly.join_policy, target.join_policy):
        return Joining([], 0, set())
    own = list(Membership.objects.active().filter(assembly=assembly))
    there = set(
        Membership.objects.active()
        .filter(assembly=target, user_id__in=[m.user_id for m in own])
        .values_list("user_id", flat=True)
    )
    newcomers = [m for m in own if m.user_id not in there]
    eligible = _eligible_ids(newcomers, target) if newcomers else set()
    return Joining(
        [
            Membership(user_id=m.user_id, assembly=target, status=m.status, started_at=m.started_at)
            for m in newcomers
            if m.user_id in eligible
        ],
        len(own),
        {m.user_id for m in newcomers if m.user_id not in eligible},
    )


def consequences(assembly: Assembly, kind: str, target: Assembly | None) -> Consequences:
    out = Consequences(kind=kind)
    if kind == "move":
        out.rules = rules_after(assembly, target) if target is not None else None
        return out
    out.everyone = assembly.join_policy == JoinPolicy.AUTOMATIC
    out.holders = Tenure.objects.current().filter(office__assembly=assembly).count()
    out.requests = assembly.join_requests.pending().count()
    if kind == "merge" and target is not None:
        joining = _joining(assembly, target)
        out.members, out.joining = joining.members, len(joining.memberships)
        out.not_eligible = len(joining.kept_out)
        out.children = list(Assembly.objects.filter(parent=assembly).order_by("title"))
    elif not out.everyone:
        out.members = Membership.objects.active().filter(assembly=assembly).count()
    return out


# --- the change --------------------------------------------------------------------------


@dataclass
class Told:
    """Who hears of the change, by what they are told."""

    people: set[int] = field(default_factory=set)  # told of the change itself
    kept_out: set[int] = field(default_factory=set)  # a merge's people its target did not admit
    applicants: set[int] = field(default_factory=set)  # whose requests to join are declined


def _holders(assembly: Assembly) -> set[int]:
    return set(
        Tenure.objects.current()
        .filter(office__assembly=assembly)
        .values_list("holder_id", flat=True)
    )


def move(assembly: Assembly, target: Assembly, actor: Any) -> Told:
    """Within the federation: its reference, its people and its own assemblies go with it."""
    assembly.parent = target
    do_save_assembly(assembly=assembly, actor=actor)
    return Told(_holders(assembly))


def merge(assembly: Assembly, target: Assembly, actor: Any, now: datetime) -> Told:
    """Its people join `target` (keeping the date they joined, where `target`'s rules admit
    them), its assemblies move under `target`, and it closes, pointing to `target`."""
    joining = _joining(assembly, target)
    Membership.objects.bulk_create(joining.memberships)
    moved = list(Assembly.objects.filter(parent=assembly).values_list("pk", flat=True))
    Assembly.objects.filter(pk__in=moved).update(parent=target)
    record(
        "assembly.merge_effects",
        actor=actor,
        assembly=target,
        subject=assembly,
        joined=sorted(m.user_id for m in joining.memberships),
        kept_out=sorted(joining.kept_out),
        assemblies=moved,
    )
    told = close(assembly, actor, now, merged_into=target)
    told.kept_out = joining.kept_out & told.people
    told.people -= told.kept_out
    return told


def close(
    assembly: Assembly, actor: Any, now: datetime, merged_into: Assembly | None = None
) -> Told:
    """Archived: its rows stay. Its offices end; the requests to join it, to found an
    assembly inside it or to move one into it are declined, and their authors told."""
    told = _holders(assembly)
    if assembly.join_policy != JoinPolicy.AUTOMATIC:  # else: the whole federation
        told |= set(
            Membership.objects.active().filter(assembly=assembly).values_list("user_id", flat=True)
        )
    pending = assembly.join_requests.pending()
    declined = list(pending.values_list("pk", "user_id"))
    pending.update(decided_at=now, decided_by=actor, approved=False)
    tenures = list(
        Tenure.objects.current().filter(office__assembly=assembly).values_list("pk", flat=True)
    )
    Tenure.objects.filter(pk__in=tenures).update(ended_at=now)
    assembly.closed_at, assembly.merged_into = now, merged_into
    assembly.save(update_fields=["closed_at", "merged_into"])
    record(
        "assembly.close_effects",
        actor=actor,
        assembly=assembly,
        subject=assembly,
        tenures_ended=tenures,
        join_requests_declined=[pk for pk, _user in declined],
    )
    _decline_waiting(assembly, actor, now)
    return Told(told, applicants={user_id for _pk, user_id in declined} - told)


def _decline_waiting(assembly: Assembly, actor: Any, now: datetime) -> None:
    """Proposals that can no longer happen, once the assembly is closed: founding inside it,
    moving or merging something into it. The reason is written in the assembly's language,
    as an approver would write it."""
    with translation.override(assembly.language):
        reason = gettext("“%(title)s” was closed: this can no longer happen.") % {
            "title": assembly.title
        }
    foundings = list(FoundingRequest.objects.filter(decided_at__isnull=True, parent=assembly))
    changes = list(ReshapeRequest.objects.filter(decided_at__isnull=True, target=assembly))
    for model, items in ((FoundingRequest, foundings), (ReshapeRequest, changes)):
        model.objects.filter(pk__in=[i.pk for i in items]).update(
            decided_at=now, decided_by=actor, approved=False, reason=reason
        )
    for founding in foundings:
        record("assembly.found_lapsed", actor=actor, assembly=assembly, subject=founding)
        notify(
            "founding_decided",
            [founding.proposed_by_id],
            actor=actor,
            assembly=assembly,
            subject=founding,
            occasion="declined",
        )
    for change in changes:  # told about the assembly it would have changed
        record(
            "assembly.reshape_lapsed", actor=actor, assembly_id=change.assembly_id, subject=change
        )
        notify(
            "reshape_decided",
            [change.proposed_by_id],
            actor=actor,
            assembly=change.assembly_id,
            subject=change,
            occasion="declined",
        )
