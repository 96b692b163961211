"""Moving, merging and closing assemblies (ASM-2, issue 13), as the protocol of the assembly
above says (`reshaping`): who may propose the change (its own secretary always may) and
which office approves it (Harmony: the Foundational Committee's secretary). Nothing changes
until approval. Closing archives: the assembly, its texts, threads, votes and memberships
stay and stay readable; nobody acts in it again. Merging closes it after its members join
the other assembly and its own assemblies move there. Every step is in the audit log and
tells the people it concerns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.governance.audience import closed, sanctioned
from folkmoot.governance.protocol import Protocol, Reshaping
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.governance.reshaping import (
    ShapeFacts,
    check_change,
    check_kind,
    may_propose_change,
)
from folkmoot.notifications.send import notify
from folkmoot.offices.models import SECRETARY, Tenure
from folkmoot.protocols.facts import acts_in_office, viewer_for
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, Refused, require

from .founding import approving_assembly, holders_acting, missing_approver
from .models import Assembly, ReshapeRequest
from .reshaping_effects import Told, close, merge, move, shape_facts


@dataclass(frozen=True)
class ReshapeContext:
    assembly: Assembly
    parent: Assembly | None
    protocol: Protocol | None  # the parent's protocol in force
    reshaping: Reshaping | None
    approving: Assembly | None  # where the approving office sits; None: missing
    office: str

    def may_propose(self, user: Any) -> Answer:
        if not getattr(user, "is_authenticated", False):
            return Answer.no(Reason("login_to_reshape", gettext_noop("Sign in to propose.")))
        if self.assembly.closed_on is not None:
            return closed(self.assembly.closed_on)
        if self.parent is None:
            return check_change("close", ShapeFacts(True, False, 0, 0))
        viewer = viewer_for(user, self.parent, self.protocol)
        if viewer.sanctioned_until is not None:  # nobody under a sanction acts (SAN-6)
            return sanctioned(viewer)
        if self.reshaping is not None and self.is_approver(user):
            return Answer.yes()  # the approving office changes whatever the rule reaches
        own = acts_in_office(user, self.assembly, SECRETARY)
        return may_propose_change(self.protocol, viewer, timezone.localdate(), own_secretary=own)

    def is_approver(self, user: Any) -> bool:
        if self.approving is None or not getattr(user, "is_authenticated", False):
            return False
        return acts_in_office(user, self.approving, self.office)

    def approvers(self) -> list[Any]:
        return holders_acting(self.approving, self.office)

    def office_name(self, language: str) -> str:
        if self.protocol is None or self.office not in self.protocol.offices:
            return ""
        return self.protocol.offices[self.office].name.get(language)


def reshape_context(assembly: Assembly) -> ReshapeContext:
    parent = (
        Assembly.objects.select_related("root").get(pk=assembly.parent_id)
        if assembly.parent_id
        else None
    )
    in_force = protocol_in_force(parent) if parent is not None else None
    protocol = in_force.protocol if in_force is not None else None
    reshaping = protocol.reshaping if protocol is not None else None
    if parent is None or reshaping is None:
        return ReshapeContext(assembly, parent, protocol, None, None, "")
    approving = approving_assembly(parent, reshaping.approved_by)
    return ReshapeContext(
        assembly, parent, protocol, reshaping, approving, reshaping.approved_by.office
    )


def _missing_approver(ctx: ReshapeContext) -> Answer:
    return missing_approver(
        ctx.reshaping.approved_by if ctx.reshaping is not None else None,
        ctx.approving,
        gettext_noop(
            "The protocol names the assembly “%(assembly)s” to approve this change, "
            "and this federation has none by that name."
        ),
    )


# --- proposing ---------------------------------------------------------------------------


def check_propose_change(
    user: Any, ctx: ReshapeContext, *, kind: str, target: Assembly | None, why: str
) -> ReshapeRequest:
    require(ctx.may_propose(user))
    require(_missing_approver(ctx))
    assert ctx.reshaping is not None
    require(check_kind(ctx.reshaping, kind))
    require(check_change(kind, shape_facts(ctx.assembly, kind, target)))
    if not why.strip():
        raise Refused.because(
            Reason("why_needed", gettext_noop("Say why: the approving office reads it."))
        )
    if ReshapeRequest.objects.filter(assembly=ctx.assembly, decided_at__isnull=True).exists():
        raise Refused.because(_already_pending())
    return do_propose_change(
        user=user, ctx=ctx, kind=kind, target=target if kind != "close" else None, why=why
    )


def _already_pending() -> Reason:
    return Reason(
        "change_pending",
        gettext_noop("A change to this assembly is already waiting for a decision."),
    )


@transaction.atomic
def do_propose_change(
    *, user: Any, ctx: ReshapeContext, kind: str, target: Assembly | None, why: str
) -> ReshapeRequest:
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            request = ReshapeRequest.objects.create(
                assembly=ctx.assembly, kind=kind, target=target, why=why.strip(), proposed_by=user
            )
    except IntegrityError as twice:  # a second click, or someone else a moment ago
        raise Refused.because(_already_pending()) from twice
    record(
        "assembly.reshape_request",
        actor=user,
        assembly=ctx.assembly,
        subject=request,
        kind=kind,
        target=target.pk if target else None,
    )
    if ctx.is_approver(user):
        # The approving office proposing it has approved it by proposing.
        return do_decide_change(request=request, ctx=ctx, actor=user, approve=True, reason="")
    notify("reshape", ctx.approvers(), actor=user, assembly=ctx.assembly, subject=request)
    return request


# --- deciding ----------------------------------------------------------------------------


def access_change(user: Any, pk: int) -> tuple[ReshapeContext, ReshapeRequest]:
    """The proposer, the approvers and staff see a request; to anyone else it is missing."""
    request = (
        ReshapeRequest.objects.select_related(
            "assembly__root", "target", "proposed_by", "decided_by", "previous_parent"
        )
        .filter(pk=pk)
        .first()
    )
    if request is None or not getattr(user, "is_authenticated", False):
        raise NotFound(pk)
    ctx = reshape_context(request.assembly)
    if request.proposed_by_id != user.pk and not (user.is_staff or ctx.is_approver(user)):
        raise NotFound(pk)
    return ctx, request


def check_decide_change(
    user: Any, ctx: ReshapeContext, request: ReshapeRequest, *, approve: bool, reason: str
) -> ReshapeRequest:
    require(_missing_approver(ctx))
    if ctx.reshaping is None or not ctx.is_approver(user):
        raise Refused.because(
            Reason(
                "not_approver",
                gettext_noop("Only the office the protocol names approves this change."),
            )
        )
    if approve:  # the federation and the protocol may have changed since it was proposed
        require(check_kind(ctx.reshaping, request.kind))
        require(check_change(request.kind, shape_facts(ctx.assembly, request.kind, request.target)))
    if not approve and not reason.strip():
        raise Refused.because(
            Reason("reason_needed", gettext_noop("Say why: the proposer reads the reason."))
        )
    return do_decide_change(
        request=request, ctx=ctx, actor=user, approve=approve, reason=reason.strip()
    )


@transaction.atomic
def do_decide_change(
    *, request: ReshapeRequest, ctx: ReshapeContext, actor: Any, approve: bool, reason: str
) -> ReshapeRequest:
    locked = ReshapeRequest.objects.select_for_update().get(pk=request.pk)
    if locked.decided_at is not None:
        raise Refused.because(
            Reason("already_decided", gettext_noop("This proposal has already been decided."))
        )
    now = timezone.now()
    # One change to a federation's shape at a time: its root row is the lock, and the
    # checks are made again under it, so two crossed moves cannot make a loop, nor anything
    # go into an assembly being closed.
    federation_id = Assembly.objects.values_list("root_id", flat=True).get(pk=locked.assembly_id)
    Assembly.objects.select_for_update().filter(pk=federation_id).first()
    assembly = Assembly.objects.select_for_update().get(pk=locked.assembly_id)
    target = Assembly.objects.get(pk=locked.target_id) if locked.target_id else None
    told = Told()
    if approve:
        require(check_change(locked.kind, shape_facts(assembly, locked.kind, target)))
        locked.previous_parent_id = assembly.parent_id
        if locked.kind == "move":
            assert target is not None
            told = move(assembly, target, actor)
        elif locked.kind == "merge":
            assert target is not None
            told = merge(assembly, target, actor, now)
        else:
            told = close(assembly, actor, now)
    locked.decided_at, locked.decided_by, locked.approved = now, actor, approve
    locked.reason = reason
    locked.save(update_fields=["decided_at", "decided_by", "approved", "reason", "previous_parent"])
    record(
        f"assembly.{locked.kind}d" if approve else "assembly.reshape_declined",
        actor=actor,
        assembly=assembly,
        subject=locked,
        reason=reason,
        target=locked.target_id,
        previous_parent=locked.previous_parent_id,
    )
    notify(
        "reshape_decided",
        [locked.proposed_by_id],
        actor=actor,
        assembly=assembly,
        subject=locked,
        occasion="approved" if approve else "declined",
    )
    asked = "merge_asked" if locked.kind == "merge" else locked.kind
    for people, occasion in (
        (told.people, locked.kind),
        (told.kept_out, "merge_out"),
        (told.applicants, asked),
    ):
        notify(
            "assembly_reshaped",
            people - {locked.proposed_by_id},
            actor=actor,
            assembly=assembly,
            subject=locked,
            occasion=occasion,
        )
    return locked


# --- queues ------------------------------------------------------------------------------

PENDING_SHOWN = 500


def to_decide(user: Any, held: list[Tenure] | None = None) -> list[ReshapeRequest]:
    """The changes waiting for `user` as the approving office. Only people holding some
    office can approve: for everyone else, one query (none when `held` is given)."""
    if held is None:
        held = list(
            Tenure.objects.in_office(timezone.now()).filter(holder=user).select_related("office")
        )
    seats = {(t.office.assembly_id, t.office.slug) for t in held}
    if not seats:
        return []
    pending = list(
        ReshapeRequest.objects.filter(decided_at__isnull=True)
        .select_related("assembly__root", "target", "proposed_by", "decided_by", "previous_parent")
        .order_by("created_at")[:PENDING_SHOWN]
    )
    contexts: dict[int | None, ReshapeContext] = {}
    waiting = []
    for made in pending:
        key = made.assembly.parent_id
        if key not in contexts:
            contexts[key] = reshape_context(made.assembly)
        ctx = contexts[key]
        seat = (ctx.approving.pk if ctx.approving else None, ctx.office)
        if seat in seats and ctx.is_approver(user):
            waiting.append(made)
    return waiting


def queue_of(user: Any) -> dict[str, Any]:
    return {
        "to_decide": to_decide(user),
        "mine": list(
            ReshapeRequest.objects.filter(proposed_by=user)
            .select_related("assembly", "target", "proposed_by", "decided_by", "previous_parent")
            .order_by("-created_at")[:100]
        ),
    }
