"""Reads for the federation pages and API, each a fixed number of queries whatever the
number of assemblies or members (issue 2: query-count bounds)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from folkmoot.governance.membership import JoinPolicy
from folkmoot.offices.models import SECRETARY, Tenure

from .models import Assembly, Membership, MembershipTally, UmbrellaMembership


@dataclass
class Counts:
    members: int = 0
    participants: int = 0

    @property
    def total(self) -> int:
        return self.members + self.participants


@dataclass
class TreeNode:
    assembly: Assembly
    reference: str
    counts: Counts
    children: list[TreeNode] = field(default_factory=list)
    umbrellas: list[Assembly] = field(default_factory=list)
    members: list[Assembly] = field(default_factory=list)
    matches: bool = True

    @property
    def depth_visible(self) -> bool:
        return self.matches or any(c.depth_visible for c in self.children)


def membership_counts(assemblies: Iterable[Assembly]) -> dict[int, Counts]:
    """Members and participants of each assembly in two aggregate queries. An automatic
    assembly counts everyone in its federation (ASM: "all participants are members")."""
    assemblies = list(assemblies)
    ids = {a.membership_assembly_id for a in assemblies}
    # A sum over the tally rows database triggers keep (`MembershipTally`), not a count over
    # every membership: the same cost at 500 and at 100,000 members (issue 11).
    rows = (
        MembershipTally.objects.filter(assembly_id__in=ids)
        .values("assembly_id")
        .annotate(members=Sum("members"), participants=Sum("participants"))
    )
    by_id = {r["assembly_id"]: Counts(r["members"], r["participants"]) for r in rows}
    return {a.pk: by_id.get(a.membership_assembly_id, Counts()) for a in assemblies}


def assembly_tree(user: object, assembly_type: str | None = None) -> list[TreeNode]:
    """Every assembly visible to `user`, as trees under their roots, with umbrella links.
    With a type filter, the matching assemblies are shown with the ancestors that lead to
    them, so the tree keeps its shape."""
    # Closed assemblies are archives (issue 13): listed on their parent's page, not here.
    assemblies = list(
        Assembly.objects.visible_to(user).open().select_related("root").order_by("title")
    )
    counts = membership_counts(assemblies)
    nodes = {
        a.pk: TreeNode(
            a,
            a.reference,
            counts[a.pk],
            matches=assembly_type is None or a.assembly_type == assembly_type,
        )
        for a in assemblies
    }
    links = UmbrellaMembership.objects.filter(member__in=nodes, umbrella__in=nodes).values_list(
        "member_id", "umbrella_id"
    )
    for member_id, umbrella_id in links:
        nodes[member_id].umbrellas.append(nodes[umbrella_id].assembly)
        nodes[umbrella_id].members.append(nodes[member_id].assembly)
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.assembly.parent_id) if node.assembly.parent_id else None
        (parent.children if parent else roots).append(node)
    return [r for r in roots if r.depth_visible]


def flatten(nodes: Iterable[TreeNode]) -> list[TreeNode]:
    out: list[TreeNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


@dataclass
class AssemblyPage:
    assembly: Assembly
    reference: str
    ancestors: list[Assembly]
    children: list[Assembly]
    closed_children: list[Assembly]
    umbrellas: list[Assembly]
    member_assemblies: list[Assembly]
    secretaries: list[Tenure]
    secretary_seats: int
    counts: Counts
    my_membership: Membership | None
    pending_requests: int


def ancestors_of(assembly: Assembly) -> list[Assembly]:
    """From the root down to the parent, in one query over the assembly's own tree."""
    if assembly.parent_id is None:
        return []
    tree = {
        a.pk: a
        for a in Assembly.objects.filter(Q(pk=assembly.root_id) | Q(root_id=assembly.root_id)).only(
            "id", "slug", "title", "parent_id"
        )
    }
    chain: list[Assembly] = []
    node = tree.get(assembly.parent_id)
    while node is not None and len(chain) < len(tree):
        chain.append(node)
        node = tree.get(node.parent_id) if node.parent_id else None
    return list(reversed(chain))


def assembly_page(assembly: Assembly, user: object) -> AssemblyPage:
    visible = Assembly.objects.visible_to(user)
    inside = list(visible.filter(parent=assembly).order_by("title"))
    umbrellas = list(visible.open().filter(member_links__member=assembly).order_by("title"))
    member_assemblies = list(
        visible.open().filter(umbrella_links__umbrella=assembly).order_by("title")
    )
    from folkmoot.offices.tenures import seat_the_elected

    seat_the_elected(assembly)  # the secretaries shown include those just elected
    secretaries = list(
        Tenure.objects.in_office(timezone.now())
        .filter(office__assembly=assembly, office__slug=SECRETARY)
        .select_related("holder", "office")
    )
    seats = secretaries[0].office.seats if secretaries else _secretary_seats(assembly)
    my_membership = None
    pending = 0
    if getattr(user, "is_authenticated", False):
        my_membership = effective_membership(user, assembly)
        pending = assembly.join_requests.pending().count()
    return AssemblyPage(
        assembly=assembly,
        reference=assembly.reference,
        ancestors=ancestors_of(assembly),
        children=[a for a in inside if a.closed_at is None],
        closed_children=[a for a in inside if a.closed_at is not None],
        umbrellas=umbrellas,
        member_assemblies=member_assemblies,
        secretaries=secretaries,
        secretary_seats=seats,
        counts=membership_counts([assembly])[assembly.pk],
        my_membership=my_membership,
        pending_requests=pending,
    )


def _secretary_seats(assembly: Assembly) -> int:
    office = assembly.offices.filter(slug=SECRETARY).only("seats").first()
    return office.seats if office else 1


def effective_membership(user: Any, assembly: Assembly) -> Membership | None:
    """The membership that makes `user` belong to `assembly`: their own, or, for an automatic
    assembly, their membership of the federation (MEM-2)."""
    target = assembly.membership_assembly_id
    return Membership.objects.active().filter(user=user, assembly_id=target).first()


def my_memberships(user: Any) -> list[tuple[Assembly, Membership]]:
    """Everything a person belongs to, automatic assemblies included (two queries)."""
    own = list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("assembly", "assembly__root")
        .order_by("assembly__title")
    )
    by_federation = {m.assembly_id: m for m in own if m.assembly.parent_id is None}
    automatic = Assembly.objects.filter(
        join_policy=JoinPolicy.AUTOMATIC, root_id__in=list(by_federation)
    ).select_related("root")
    rows = [(m.assembly, m) for m in own]
    rows += [(a, by_federation[a.federation_id]) for a in automatic]
    return sorted(
        rows, key=lambda row: (row[0].federation_id, row[0].parent_id is not None, row[0].title)
    )


def members_of(assembly: Assembly, name: str = "") -> QuerySet[Membership]:
    """The people of the assembly, by name; `name`: only those whose name contains it (the
    secretary's picker over a roll of thousands, issue 13)."""
    target = assembly.membership_assembly_id
    rows = Membership.objects.active().filter(assembly_id=target)
    if name.strip():
        rows = rows.filter(user__display_name__icontains=name.strip())
    return rows.select_related("user").order_by("user__display_name", "id")
