"""The federation's JSON API: the same actions as the HTML views (UI-5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply
from ninja.pagination import PageNumberPagination, paginate

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.governance.membership import Status
from folkmoot.refusals import NotFound, reasons_text

from . import actions, selectors
from .models import Assembly, AssemblyType, JoinRequest, Membership

router = Router(tags=["assemblies"])


class AssemblyLink(Schema):
    slug: str
    title: str
    url: str


class Eligibility(Schema):
    min_age: int | None
    max_age: int | None
    required_attribute: str | None
    requires_membership_of: str | None
    min_seniority_days: int | None


class AssemblyOut(Schema):
    id: int
    slug: str
    reference: str
    url: str
    title: str
    subtitle: str
    short_description: str
    type: str
    access_mode: str
    join_policy: str
    secretary_elected: bool
    country: str = Field(description="A federation's country (ISO 3166-1), empty below the root")
    federation: str
    parent: str | None
    children: list[str]
    umbrellas: list[str]
    member_assemblies: list[str]
    members_count: int
    participants_count: int


class JoinStatus(Schema):
    allowed: bool
    outcome: str | None
    reasons: list[str]


class MembershipOut(Schema):
    assembly: AssemblyLink
    status: str
    since: datetime
    automatic: bool


class AssemblyDetailOut(AssemblyOut):
    description: str
    purpose_of_action: str
    composition: str
    internal_organisation: str
    remits: str
    ancestors: list[AssemblyLink]
    secretaries: list[str]
    secretary_seats: int
    eligibility: Eligibility
    my_membership: MembershipOut | None
    join: JoinStatus
    closed_at: datetime | None = Field(
        description="When it was closed (issue 13): a closed assembly is an archive"
    )
    merged_into: str | None = Field(
        description="The slug of the assembly it was merged into, where you may see it"
    )
    closed_children: list[str] = Field(description="Closed assemblies inside it (the archive)")


class TreeNodeOut(Schema):
    slug: str
    reference: str
    title: str
    type: str
    url: str
    members_count: int
    participants_count: int
    umbrellas: list[str]
    children: list[TreeNodeOut]


class JoinIn(Schema):
    message: str = Field("", max_length=2000)


class JoinOut(Schema):
    result: Literal["joined", "requested"]
    membership: MembershipOut | None = None
    request_id: int | None = None


class JoinRequestOut(Schema):
    id: int
    person: str
    person_id: str = Field(description="their public id")
    message: str
    created_at: datetime
    decided_at: datetime | None
    approved: bool | None
    note: str


class DecisionIn(Schema):
    decision: Literal["approve", "reject"]
    note: str = Field("", max_length=2000)


class MemberOut(Schema):
    id: int
    person: str
    person_id: str = Field(description="their public id")
    status: str
    since: datetime


class StatusIn(Schema):
    status: Literal["participant", "member"]


def _link(request: HttpRequest, assembly: Assembly) -> dict[str, str]:
    return {
        "slug": assembly.slug,
        "title": assembly.title,
        "url": request.build_absolute_uri(assembly.get_absolute_url()),
    }


def _membership(request: HttpRequest, assembly: Assembly, membership: Membership) -> dict[str, Any]:
    return {
        "assembly": _link(request, assembly),
        "status": membership.status,
        "since": membership.started_at,
        "automatic": membership.assembly_id != assembly.pk,
    }


def _summary(
    request: HttpRequest, node: selectors.TreeNode, slugs: dict[int, str]
) -> dict[str, Any]:
    a = node.assembly
    return {
        "id": a.pk,
        "slug": a.slug,
        "reference": node.reference,
        "url": request.build_absolute_uri(a.get_absolute_url()),
        "title": a.title,
        "subtitle": a.subtitle,
        "short_description": a.short_description,
        "type": a.assembly_type,
        "access_mode": a.access_mode,
        "join_policy": a.join_policy,
        "secretary_elected": a.secretary_elected,
        "country": str(a.country or ""),
        "federation": slugs.get(a.federation_id, a.slug),
        "parent": slugs.get(a.parent_id) if a.parent_id else None,
        "children": [c.assembly.slug for c in node.children],
        "umbrellas": [u.slug for u in node.umbrellas],
        "member_assemblies": [m.slug for m in node.members],
        "members_count": node.counts.members,
        "participants_count": node.counts.participants,
    }


@router.get(
    "/assemblies", response=list[AssemblyOut], auth=OPTIONAL, summary="All assemblies you may see"
)
def list_assemblies(request: HttpRequest, type: AssemblyType | None = None) -> list[dict[str, Any]]:
    """Flat, in tree order (each root followed by its descendants); `parent` and `children`
    give the shape. `type` filters by assembly type (ASM-3), keeping the ancestors out."""
    nodes = selectors.flatten(selectors.assembly_tree(request.user, type))
    slugs = {n.assembly.pk: n.assembly.slug for n in nodes}
    return [_summary(request, n, slugs) for n in nodes if n.matches]


@router.get(
    "/assemblies/tree", response=list[TreeNodeOut], auth=OPTIONAL, summary="The federation as trees"
)
def assembly_tree(request: HttpRequest) -> list[dict[str, Any]]:
    def shape(node: selectors.TreeNode) -> dict[str, Any]:
        a = node.assembly
        return {
            "slug": a.slug,
            "reference": node.reference,
            "title": a.title,
            "type": a.assembly_type,
            "url": request.build_absolute_uri(a.get_absolute_url()),
            "members_count": node.counts.members,
            "participants_count": node.counts.participants,
            "umbrellas": [u.slug for u in node.umbrellas],
            "children": [shape(c) for c in node.children],
        }

    return [shape(root) for root in selectors.assembly_tree(request.user)]


@router.get(
    "/assemblies/{key}",
    response=AssemblyDetailOut,
    auth=OPTIONAL,
    summary="One assembly, by slug or reference",
)
def read_assembly(request: HttpRequest, key: str) -> dict[str, Any]:
    assembly = actions.access_assembly(request.user, key)
    page = selectors.assembly_page(assembly, request.user)
    decision = actions.join_decision(request.user, assembly)
    node = selectors.TreeNode(assembly, page.reference, page.counts)
    node.children = [selectors.TreeNode(c, "", page.counts) for c in page.children]
    node.umbrellas, node.members = page.umbrellas, page.member_assemblies
    slugs = {a.pk: a.slug for a in page.ancestors}
    if assembly.root is not None:
        slugs[assembly.root.pk] = assembly.root.slug
    data = _summary(request, node, slugs)
    rules = assembly.eligibility_rules
    data.update(
        description=assembly.description,
        purpose_of_action=assembly.purpose_of_action,
        composition=assembly.composition,
        internal_organisation=assembly.internal_organisation,
        remits=assembly.remits,
        closed_at=assembly.closed_at,
        merged_into=Assembly.objects.visible_to(request.user)
        .filter(pk=assembly.merged_into_id)
        .values_list("slug", flat=True)
        .first()
        if assembly.merged_into_id
        else None,
        closed_children=[c.slug for c in page.closed_children],
        ancestors=[_link(request, a) for a in page.ancestors],
        secretaries=[str(t.holder) for t in page.secretaries],
        secretary_seats=page.secretary_seats,
        eligibility={
            "min_age": rules.min_age,
            "max_age": rules.max_age,
            "required_attribute": rules.required_attribute,
            "requires_membership_of": (
                assembly.required_assembly.slug if assembly.required_assembly else None
            ),
            "min_seniority_days": rules.min_seniority_days,
        },
        my_membership=_membership(request, assembly, page.my_membership)
        if page.my_membership
        else None,
        join={
            "allowed": decision.answer.allowed,
            "outcome": decision.outcome.value if decision.outcome else None,
            "reasons": reasons_text(decision.answer),
        },
    )
    return data


@router.post(
    "/assemblies/{key}/join", response={201: JoinOut}, auth=REQUIRED, summary="Join, or ask to join"
)
def join_assembly(
    request: HttpRequest, key: str, payload: JoinIn | None = None
) -> Reply[dict[str, Any]]:
    assembly = actions.access_assembly(request.user, key)
    result = actions.check_join(request.user, assembly, message=payload.message if payload else "")
    if isinstance(result, Membership):
        return Reply(
            201, {"result": "joined", "membership": _membership(request, assembly, result)}
        )
    return Reply(201, {"result": "requested", "request_id": result.pk})


@router.post(
    "/assemblies/{key}/leave", response={200: MembershipOut}, auth=REQUIRED, summary="Leave"
)
def leave_assembly(request: HttpRequest, key: str) -> dict[str, Any]:
    assembly = actions.access_assembly(request.user, key)
    membership = actions.check_leave(request.user, assembly)
    return _membership(request, assembly, membership)


@router.get(
    "/assemblies/{key}/members",
    response=list[MemberOut],
    auth=OPTIONAL,
    summary="Members and participants",
)
@paginate(PageNumberPagination, page_size=50)
def list_members(request: HttpRequest, key: str, q: str = "") -> Any:
    """`q`: only those whose name contains it."""
    assembly = actions.access_assembly(request.user, key)
    return [
        {
            "id": m.pk,
            "person": str(m.user),
            "person_id": m.user.public_id,
            "status": m.status,
            "since": m.started_at,
        }
        for m in selectors.members_of(assembly, q[:80])
    ]


@router.post(
    "/assemblies/{key}/members/{membership_id}/status",
    response=MemberOut,
    auth=REQUIRED,
    summary="Record a paying member (federation secretaries)",
)
def set_member_status(
    request: HttpRequest, key: str, membership_id: int, payload: StatusIn
) -> dict[str, Any]:
    assembly = actions.access_assembly(request.user, key)
    membership = (
        Membership.objects.active()
        .select_related("assembly", "user")
        .filter(pk=membership_id, assembly=assembly)
        .first()
    )
    if membership is None:
        raise NotFound(membership_id)
    membership = actions.check_set_status(request.user, membership, Status(payload.status))
    return {
        "id": membership.pk,
        "person": str(membership.user),
        "person_id": membership.user.public_id,
        "status": membership.status,
        "since": membership.started_at,
    }


def _request_out(join_request: JoinRequest) -> dict[str, Any]:
    return {
        "id": join_request.pk,
        "person": str(join_request.user),
        "person_id": join_request.user.public_id,
        "message": join_request.message,
        "created_at": join_request.created_at,
        "decided_at": join_request.decided_at,
        "approved": join_request.approved,
        "note": join_request.note,
    }


@router.get(
    "/assemblies/{key}/join-requests",
    response=list[JoinRequestOut],
    auth=REQUIRED,
    summary="The secretary's queue",
)
def list_join_requests(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    assembly = actions.access_assembly(request.user, key)
    if not actions.may_manage_members(request.user, assembly):
        raise NotFound(key)
    return [_request_out(r) for r in assembly.join_requests.pending().select_related("user")]


@router.post(
    "/join-requests/{request_id}/decision",
    response=JoinRequestOut,
    auth=REQUIRED,
    summary="Approve or reject",
)
def decide_join_request(
    request: HttpRequest, request_id: int, payload: DecisionIn
) -> dict[str, Any]:
    join_request = actions.access_join_request(request.user, request_id)
    decided = actions.check_decide_join_request(
        request.user, join_request, approve=payload.decision == "approve", note=payload.note
    )
    return _request_out(decided)


@router.get(
    "/me/memberships", response=list[MembershipOut], auth=REQUIRED, summary="Everything I belong to"
)
def my_memberships(request: HttpRequest) -> list[dict[str, Any]]:
    return [_membership(request, a, m) for a, m in selectors.my_memberships(request.user)]
