"""Writes for the federation: `access_*` fetch with a permission check, `check_*` ask the
governance core, `do_*` change state atomically and write the audit log (DESIGN.md)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from folkmoot import regions
from folkmoot.audit.log import record
from folkmoot.governance.audience import closed
from folkmoot.governance.eligibility import PersonFacts, check_eligibility
from folkmoot.governance.federation import check_parent, check_umbrella, parse_reference
from folkmoot.governance.membership import (
    JoinDecision,
    JoinOutcome,
    JoinPolicy,
    JoinSituation,
    Status,
    check_may_leave,
    decide_join,
    seniority_days,
    status_on_joining,
)
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.notifications.recipients import secretaries
from folkmoot.notifications.send import notify
from folkmoot.offices.actions import do_appoint
from folkmoot.offices.models import SECRETARY, Office, Tenure
from folkmoot.refusals import NotFound, Refused, create_once, require
from folkmoot.statements import Statement

from .models import Assembly, JoinRequest, Membership, UmbrellaMembership

# --- access -----------------------------------------------------------------------------


def reader_variant(user: Any) -> str:
    """How `Assembly.objects.visible_to` reads for `user`: as staff, as a member (anyone
    signed in) or as a visitor; a compiled statement (folkmoot.statements) keeps one SQL
    for each."""
    if getattr(user, "is_staff", False):
        return "staff"
    return "member" if getattr(user, "is_authenticated", False) else "visitor"


def reader_like(variant: str, person: int) -> Any:
    """Someone `visible_to` answers for as it would for a reader of that variant."""
    from django.contrib.auth.models import AnonymousUser

    from folkmoot.accounts.models import User

    if variant == "visitor":
        return AnonymousUser()
    return User(pk=person, is_staff=variant == "staff")


def _assembly_by_slug(variant: str, *, person: int, slug: str) -> Any:
    return (
        Assembly.objects.visible_to(reader_like(variant, person))
        .select_related("root", "required_assembly")
        .filter(slug=slug)
    )


# Every page of an assembly asks it: compiled once (issue 11).
_BY_SLUG = Statement(Assembly, _assembly_by_slug, person=int, slug=str)


def access_assembly(user: Any, key: str) -> Assembly:
    """By slug or by reference (`HPUK-ASSE-2025-09-4`). A restricted assembly the user may
    not see is reported exactly like a missing one."""
    parsed = parse_reference(key)
    if parsed is not None:
        visible = Assembly.objects.visible_to(user).select_related("root", "required_assembly")
        try:
            assembly = visible.get(pk=parsed.assembly_id)
        except Assembly.DoesNotExist as missing:
            raise NotFound(key) from missing
        if assembly.reference != key.strip().upper():
            raise NotFound(key)
    else:
        found = _BY_SLUG.run(reader_variant(user), person=getattr(user, "pk", None) or 0, slug=key)
        if not found:
            raise NotFound(key)
        assembly = found[0]
    regions.follow(assembly)  # the page's dates follow its federation's country
    return assembly


def is_secretary(user: Any, assembly: Assembly) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from folkmoot.offices.tenures import seat_the_elected

    seat_the_elected(assembly)  # an elected secretary acts from the close (issue 10)
    return (
        Tenure.objects.in_office(timezone.now())
        .filter(holder=user, office__assembly=assembly, office__slug=SECRETARY)
        .exists()
    )


def may_edit_texts(user: Any, assembly: Assembly) -> bool:
    """Issue 13: the assembly's secretary writes its texts (staff may stand in); a closed
    assembly's texts are its record."""
    if assembly.closed_at is not None:
        return False
    return bool(getattr(user, "is_staff", False)) or is_secretary(user, assembly)


def may_manage_members(user: Any, assembly: Assembly) -> bool:
    """The secretary works through the join queue (MEM-2); staff may stand in."""
    if assembly.closed_at is not None:
        return False
    return bool(getattr(user, "is_staff", False)) or is_secretary(user, assembly)


def access_join_request(user: Any, request_id: int) -> JoinRequest:
    try:
        join_request = JoinRequest.objects.select_related("assembly", "assembly__root", "user").get(
            pk=request_id
        )
    except JoinRequest.DoesNotExist as missing:
        raise NotFound(request_id) from missing
    if not may_manage_members(user, join_request.assembly):
        raise NotFound(request_id)
    return join_request


# --- facts for the core -------------------------------------------------------------------


def person_facts(user: Any, assembly: Assembly) -> PersonFacts:
    active = list(
        Membership.objects.active().filter(user=user).values_list("assembly_id", "started_at")
    )
    ids = {assembly_id for assembly_id, _ in active}
    federation_start = next((s for a, s in active if a == assembly.federation_id), None)
    today = timezone.localdate()
    return PersonFacts(
        birth_date=user.birth_date,
        attributes=user.attribute_set,
        assembly_ids=frozenset(ids),
        seniority_days=seniority_days(
            timezone.localtime(federation_start).date() if federation_start else None, today
        ),
    )


def join_decision(user: Any, assembly: Assembly) -> JoinDecision:
    """What would happen if `user` pressed "Join" now, and why not if not."""
    if assembly.closed_on is not None:
        return JoinDecision(closed(assembly.closed_on))
    if not getattr(user, "is_authenticated", False):
        return JoinDecision(
            Answer.no(Reason("sign_in", gettext_noop("Sign in to join this assembly.")))
        )
    facts = person_facts(user, assembly)
    situation = JoinSituation(
        policy=JoinPolicy(assembly.join_policy),
        rules=assembly.eligibility_rules,
        is_root=assembly.is_root,
        already_belongs=assembly.pk in facts.assembly_ids,
        has_pending_request=assembly.join_requests.pending().filter(user=user).exists(),
        in_federation=assembly.federation_id in facts.assembly_ids,
    )
    return decide_join(situation, facts, timezone.localdate())


# --- joining and leaving ------------------------------------------------------------------


def check_join(user: Any, assembly: Assembly, *, message: str = "") -> Membership | JoinRequest:
    decision = join_decision(user, assembly)
    require(decision.answer)
    if decision.outcome is JoinOutcome.REQUEST:
        return do_request_join(user=user, assembly=assembly, message=message)
    return do_join(user=user, assembly=assembly)


def _federation_status(user: Any, assembly: Assembly) -> Status | None:
    status = (
        Membership.objects.active()
        .filter(user=user, assembly_id=assembly.federation_id)
        .values_list("status", flat=True)
        .first()
    )
    return Status(status) if status else None


@transaction.atomic
def do_join(*, user: Any, assembly: Assembly, actor: Any = None) -> Membership:
    status = status_on_joining(
        is_root=assembly.is_root,
        root_grants=Status(assembly.newcomer_status),
        federation_status=None if assembly.is_root else _federation_status(user, assembly),
    )
    # A double click: the unique constraint keeps one membership.
    membership = create_once(
        Membership,
        Reason("already_member", gettext_noop("You already belong to this assembly.")),
        user=user,
        assembly=assembly,
        status=status,
    )
    record(
        "membership.join", actor=actor or user, assembly=assembly, subject=membership, status=status
    )
    return membership


@transaction.atomic
def do_request_join(*, user: Any, assembly: Assembly, message: str = "") -> JoinRequest:
    join_request = create_once(
        JoinRequest,
        Reason(
            "request_pending",
            gettext_noop("Your request to join is waiting for the secretary's decision."),
        ),
        user=user,
        assembly=assembly,
        message=message,
    )
    record("membership.request", actor=user, assembly=assembly, subject=join_request)
    notify(
        "join_request",
        secretaries(assembly),
        actor=user,
        assembly=assembly,
        subject=join_request,
    )
    return join_request


def check_leave(user: Any, assembly: Assembly) -> Membership:
    membership = (
        Membership.objects.active().filter(user=user, assembly=assembly).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    require(
        check_may_leave(policy=JoinPolicy(assembly.join_policy), belongs=membership is not None)
    )
    assert membership is not None
    return do_leave(membership=membership, actor=user)


@transaction.atomic
def do_leave(*, membership: Membership, actor: Any) -> Membership:
    """Leaving a federation also ends every membership inside it: belonging to a part of a
    federation means belonging to the federation."""
    now = timezone.now()
    ended = Membership.objects.active().filter(user_id=membership.user_id)
    if membership.assembly.is_root:
        ended = ended.filter(
            Q(assembly=membership.assembly) | Q(assembly__root=membership.assembly)
        )
    else:
        ended = ended.filter(pk=membership.pk)
    count = ended.update(ended_at=now)
    membership.ended_at = now
    record(
        "membership.leave",
        actor=actor,
        assembly=membership.assembly,
        subject=membership,
        ended=count,
    )
    return membership


def check_decide_join_request(
    user: Any, join_request: JoinRequest, *, approve: bool, note: str = ""
) -> JoinRequest:
    if join_request.decided_at is not None:
        raise Refused.because(
            Reason("already_decided", gettext_noop("This request has already been decided."))
        )
    if approve and join_request.assembly.closed_on is not None:
        require(closed(join_request.assembly.closed_on))
    if approve:
        # Eligibility is checked again: the applicant's facts may have changed since asking.
        facts = person_facts(join_request.user, join_request.assembly)
        require(
            check_eligibility(join_request.assembly.eligibility_rules, facts, timezone.localdate())
        )
    return do_decide_join_request(join_request=join_request, actor=user, approve=approve, note=note)


@transaction.atomic
def do_decide_join_request(
    *, join_request: JoinRequest, actor: Any, approve: bool, note: str = ""
) -> JoinRequest:
    updated = JoinRequest.objects.filter(pk=join_request.pk, decided_at__isnull=True).update(
        decided_at=timezone.now(), decided_by=actor, approved=approve, note=note
    )
    if updated != 1:  # someone else decided it a moment ago
        raise Refused.because(
            Reason("already_decided", gettext_noop("This request has already been decided."))
        )
    join_request.refresh_from_db()
    record(
        "membership.request_decided",
        actor=actor,
        assembly=join_request.assembly,
        subject=join_request,
        approved=approve,
    )
    notify(
        "join_decided",
        [join_request.user_id],
        actor=actor,
        assembly=join_request.assembly,
        subject=join_request,
    )
    if approve:
        do_join(user=join_request.user, assembly=join_request.assembly, actor=actor)
    return join_request


def check_set_status(actor: Any, membership: Membership, status: Status) -> Membership:
    """Only a federation records who is a (paying) member (MEM-1); its general secretaries
    or staff do it."""
    if not membership.assembly.is_root:
        raise Refused.because(
            Reason(
                "status_at_root",
                gettext_noop("Member status is recorded by the federation, not here."),
            )
        )
    if not may_manage_members(actor, membership.assembly):
        raise NotFound(membership.pk)
    return do_set_status(membership=membership, status=status, actor=actor)


@transaction.atomic
def do_set_status(*, membership: Membership, status: Status, actor: Any) -> Membership:
    """The person carries the new status into every assembly of the federation."""
    federation = membership.assembly
    Membership.objects.active().filter(user_id=membership.user_id).filter(
        Q(assembly=federation) | Q(assembly__root=federation)
    ).update(status=status)
    membership.status = status
    record("membership.status", actor=actor, assembly=federation, subject=membership, status=status)
    return membership


# --- shaping the federation (staff) -------------------------------------------------------


def _parents_map() -> dict[int, int | None]:
    return dict(Assembly.objects.values_list("id", "parent_id"))


def check_assembly_parent(assembly: Assembly, parent: Assembly | None) -> Answer:
    return (
        check_parent(_parents_map(), assembly.pk, parent.pk if parent else None)
        if assembly.pk
        else Answer.yes()
    )


def check_umbrella_link(member: Assembly, umbrella: Assembly) -> Answer:
    edges: dict[int, list[int]] = {}
    for member_id, umbrella_id in UmbrellaMembership.objects.values_list(
        "member_id", "umbrella_id"
    ):
        edges.setdefault(member_id, []).append(umbrella_id)
    return check_umbrella(edges, member.pk, umbrella.pk)


def _root_of(parent: Assembly | None) -> Assembly | None:
    if parent is None:
        return None
    return parent.root if parent.root_id else parent


@transaction.atomic
def do_save_assembly(*, assembly: Assembly, actor: Any) -> Assembly:
    """Create or change an assembly, keeping its tree consistent: nesting must stay acyclic,
    and a move carries the whole subtree into the new federation."""
    creating = assembly.pk is None
    require(check_assembly_parent(assembly, assembly.parent))
    new_root = _root_of(assembly.parent)
    root_changed = creating or assembly.root_id != (new_root.pk if new_root else None)
    assembly.root = new_root
    if assembly.parent_id is not None:
        assembly.reference_prefix = ""
    assembly.save()
    if root_changed and not creating:
        subtree = descendant_ids(assembly.pk)
        Assembly.objects.filter(pk__in=subtree).update(root=new_root or assembly)
    Office.objects.get_or_create(assembly=assembly, slug=SECRETARY)
    record(
        "assembly.create" if creating else "assembly.update",
        actor=actor,
        assembly=assembly,
        subject=assembly,
    )
    return assembly


def descendant_ids(assembly_id: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pk, parent_id in Assembly.objects.filter(parent__isnull=False).values_list(
        "id", "parent_id"
    ):
        children.setdefault(parent_id, []).append(pk)
    out: list[int] = []
    seen = {assembly_id}  # a loop (which the checks prevent) must not hang the page
    stack = list(children.get(assembly_id, []))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        out.append(node)
        stack.extend(children.get(node, []))
    return out


@transaction.atomic
def do_add_to_umbrella(*, member: Assembly, umbrella: Assembly, actor: Any) -> UmbrellaMembership:
    require(check_umbrella_link(member, umbrella))
    link, _ = UmbrellaMembership.objects.get_or_create(member=member, umbrella=umbrella)
    record("assembly.umbrella", actor=actor, assembly=umbrella, subject=link, member=member.pk)
    return link


def do_appoint_secretary(*, assembly: Assembly, holder: Any, actor: Any) -> Tenure:
    return do_appoint(assembly=assembly, office_slug=SECRETARY, holder=holder, actor=actor)
