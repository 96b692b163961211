"""What moving, merging or closing an assembly finds and does (ASM-2, issue 13): the facts
the rules weigh (`shape_facts`), what approval would change (`consequences`, for the
preview), and the change itself. Called by `reshaping` once the change is approved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.governance.eligibility import PersonFacts, check_eligibility
from folkmoot.governance.founding import check_assembly_type
from folkmoot.governance.membership import JoinPolicy, seniority_days
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.governance.reshaping import (
    ShapeFacts,
)
from folkmoot.offices.models import Tenure
from folkmoot.protocols.selectors import protocol_in_force

from .actions import descendant_ids, do_save_assembly
from .models import Assembly, Membership

# --- the facts ---------------------------------------------------------------------------


def open_votes(assembly: Assembly) -> int:
    """Votes and elections of the assembly still to be cast or counted (a withdrawn
    proposal's vote is never counted)."""
    from folkmoot.decisions.models import Vote

    return (
        Vote.objects.filter(Q(assembly=assembly) | Q(office__assembly=assembly))
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


def shape_facts(assembly: Assembly, kind: str, target: Assembly | None) -> ShapeFacts:
    facts = ShapeFacts(
        is_root=assembly.parent_id is None,
        closed=assembly.closed_at is not None,
        open_children=Assembly.objects.open().filter(parent=assembly).count(),
        open_votes=open_votes(assembly) if kind in ("merge", "close") else 0,
    )
    if target is None or kind == "close":
        return facts
    inside = target.pk == assembly.pk or target.pk in descendant_ids(assembly.pk)
    return ShapeFacts(
        **{
            **facts.__dict__,
            "target_given": True,
            "target_closed": target.closed_at is not None,
            "target_is_parent": target.pk == assembly.parent_id,
            "target_inside": inside,
            "target_elsewhere": target.federation_id != assembly.federation_id,
            "target_refuses_type": _refuses_type(target, assembly)
            if kind == "move" and not inside
            else None,
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


def _joining(assembly: Assembly, target: Assembly) -> tuple[list[Membership], int, int]:
    """The memberships to create in `target` for the merged assembly's people, how many it
    has, and how many the target's rules keep out. None when either is automatic: an
    automatic assembly's people are its federation's (MEM-2)."""
    if JoinPolicy.AUTOMATIC in (assembly.join_policy, target.join_policy):
        return [], 0, 0
    own = list(Membership.objects.active().filter(assembly=assembly))
    there = set(
        Membership.objects.active()
        .filter(assembly=target, user_id__in=[m.user_id for m in own])
        .values_list("user_id", flat=True)
    )
    newcomers = [m for m in own if m.user_id not in there]
    eligible = _eligible_ids(newcomers, target) if newcomers else set()
    joining = [
        Membership(user_id=m.user_id, assembly=target, status=m.status, started_at=m.started_at)
        for m in newcomers
        if m.user_id in eligible
    ]
    return joining, len(own), len(newcomers) - len(joining)


def consequences(assembly: Assembly, kind: str, target: Assembly | None) -> Consequences:
    out = Consequences(kind=kind)
    if kind == "move":
        return out
    out.everyone = assembly.join_policy == JoinPolicy.AUTOMATIC
    out.holders = Tenure.objects.current().filter(office__assembly=assembly).count()
    out.requests = assembly.join_requests.pending().count()
    if kind == "merge" and target is not None:
        joining, out.members, out.not_eligible = _joining(assembly, target)
        out.joining = len(joining)
        out.children = list(Assembly.objects.filter(parent=assembly).order_by("title"))
    elif not out.everyone:
        out.members = Membership.objects.active().filter(assembly=assembly).count()
    return out


# --- the change --------------------------------------------------------------------------


def _holders(assembly: Assembly) -> set[int]:
    return set(
        Tenure.objects.current()
        .filter(office__assembly=assembly)
        .values_list("holder_id", flat=True)
    )


def move(assembly: Assembly, target: Assembly, actor: Any) -> set[int]:
    """Within the federation: its reference, its people and its own assemblies go with it."""
    assembly.parent = target
    do_save_assembly(assembly=assembly, actor=actor)
    return _holders(assembly)


def merge(assembly: Assembly, target: Assembly, actor: Any, now: datetime) -> set[int]:
    """Its people join `target` (keeping the date they joined, where `target`'s rules admit
    them), its assemblies move under `target`, and it closes, pointing to `target`."""
    joining, _members, _kept_out = _joining(assembly, target)
    Membership.objects.bulk_create(joining)
    moved = list(Assembly.objects.filter(parent=assembly).values_list("pk", flat=True))
    Assembly.objects.filter(pk__in=moved).update(parent=target)
    record(
        "assembly.merge_effects",
        actor=actor,
        assembly=target,
        subject=assembly,
        joined=len(joining),
        assemblies=moved,
    )
    return close(assembly, actor, now, merged_into=target)


def close(
    assembly: Assembly, actor: Any, now: datetime, merged_into: Assembly | None = None
) -> set[int]:
    """Archived: its rows stay; its offices end, and the requests to join it are declined."""
    told = _holders(assembly)
    if assembly.join_policy != JoinPolicy.AUTOMATIC:  # else: the whole federation
        told |= set(
            Membership.objects.active().filter(assembly=assembly).values_list("user_id", flat=True)
        )
    pending = assembly.join_requests.pending()
    told |= set(pending.values_list("user_id", flat=True))
    pending.update(decided_at=now, decided_by=actor, approved=False)
    Tenure.objects.current().filter(office__assembly=assembly).update(ended_at=now)
    assembly.closed_at, assembly.merged_into = now, merged_into
    assembly.save(update_fields=["closed_at", "merged_into"])
    return told
