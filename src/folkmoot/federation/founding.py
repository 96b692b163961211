"""Founding a new assembly (ASM-2, issue 13), as the parent's protocol says: who may propose
one (`founding.proposers`, judged in the parent) and which office approves it (Harmony: the
Foundational Committee's secretary). Nothing exists until approval; approving creates the
assembly with its reference (ASM-1), its secretary office (ASM-4), its umbrella link if one
was asked for, and the protocol of its federation (the fractal default). Every step is in
the audit log and tells the people it concerns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.governance.audience import closed
from folkmoot.governance.founding import (
    check_approver,
    check_assembly_type,
    founding_rules,
    may_propose_assembly,
)
from folkmoot.governance.protocol import Founding, FoundingApproval, Protocol
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.notifications.send import notify
from folkmoot.offices.models import Tenure
from folkmoot.protocols.facts import acts_in_office, viewer_for
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, Refused, require

from .actions import do_add_to_umbrella, do_save_assembly
from .models import FOUNDING_FIELDS, Assembly, FoundingRequest

FIELDS = FOUNDING_FIELDS  # what a proposal holds (models.FOUNDING_FIELDS)


@dataclass(frozen=True)
class FoundingContext:
    parent: Assembly
    protocol: Protocol | None
    founding: Founding | None
    approving: Assembly | None  # where the approving office sits; None: missing
    office: str  # the approving office's key

    def may_propose(self, user: Any) -> Answer:
        if not getattr(user, "is_authenticated", False):
            return Answer.no(Reason("login_to_found", gettext_noop("Sign in to propose.")))
        if self.parent.closed_on is not None:
            return closed(self.parent.closed_on)
        if self.protocol is None:
            return founding_rules(None)
        if self.founding is not None and self.is_approver(user):
            return Answer.yes()  # the approving office founds wherever the rule reaches
        viewer = viewer_for(user, self.parent, self.protocol)
        return may_propose_assembly(self.protocol, viewer, timezone.localdate())

    def is_approver(self, user: Any) -> bool:
        if self.approving is None or not getattr(user, "is_authenticated", False):
            return False
        return acts_in_office(user, self.approving, self.office)

    def approvers(self) -> list[Any]:
        return holders_acting(self.approving, self.office)


def founding_context(parent: Assembly) -> FoundingContext:
    in_force = protocol_in_force(parent)
    protocol = in_force.protocol if in_force is not None else None
    founding = protocol.founding if protocol is not None else None
    if founding is None:
        return FoundingContext(parent, protocol, None, None, "")
    approving = approving_assembly(parent, founding.approved_by)
    return FoundingContext(parent, protocol, founding, approving, founding.approved_by.office)


def approving_assembly(parent: Assembly, approval: FoundingApproval) -> Assembly | None:
    """Where the approving office sits: the assembly the rule names in `parent`'s federation
    (None if there is none by that name), or `parent` itself."""
    federation = parent.root if parent.root_id else parent
    name = approval.assembly
    if name is None:
        return parent
    if federation is not None and federation.slug == name:
        return federation
    # A closed assembly approves nothing: its offices ended (the refusal says it is missing).
    return Assembly.objects.open().filter(slug=name, root=federation).first()


def holders_acting(approving: Assembly | None, office: str) -> list[Any]:
    """Who acts in `office` of `approving` now (not suspended from it)."""
    if approving is None:
        return []
    return [
        t.holder
        for t in Tenure.objects.in_office(timezone.now())
        .filter(office__assembly=approving, office__slug=office)
        .select_related("holder")
        if acts_in_office(t.holder, approving, office)
    ]


def missing_approver(
    approval: FoundingApproval | None, approving: Assembly | None, template: str
) -> Answer:
    """Refused where the rule names an approving assembly the federation does not have (or
    has closed): nobody could ever approve. Shared by founding and reshaping."""
    if approval is not None and approving is None:
        return Answer.no(
            Reason("approver_missing", template, {"assembly": approval.assembly or ""})
        )
    return Answer.yes()


def _missing_approver(ctx: FoundingContext) -> Answer:
    return missing_approver(
        ctx.founding.approved_by if ctx.founding is not None else None,
        ctx.approving,
        gettext_noop(
            "The protocol names the assembly “%(assembly)s” to approve new assemblies, "
            "and this federation has none by that name."
        ),
    )


def check_propose_assembly(
    user: Any, ctx: FoundingContext, proposal: dict[str, Any]
) -> FoundingRequest:
    """`proposal`: the cleaned fields (`FIELDS`) of a valid `FoundingForm`."""
    require(ctx.may_propose(user))
    require(_missing_approver(ctx))
    assert ctx.founding is not None
    require(check_assembly_type(ctx.founding, str(proposal.get("assembly_type", ""))))
    return do_propose_assembly(user=user, ctx=ctx, proposal=proposal)


@transaction.atomic
def do_propose_assembly(
    *, user: Any, ctx: FoundingContext, proposal: dict[str, Any]
) -> FoundingRequest:
    request = FoundingRequest.objects.create(
        parent=ctx.parent, proposed_by=user, proposal={k: proposal.get(k) for k in FIELDS}
    )
    record(
        "assembly.found_request",
        actor=user,
        assembly=ctx.parent,
        subject=request,
        title=request.title,
    )
    if ctx.is_approver(user):
        # The approving office proposing it has approved it by proposing.
        return do_decide_founding(request=request, ctx=ctx, actor=user, approve=True, reason="")
    notify("founding", ctx.approvers(), actor=user, assembly=ctx.parent, subject=request)
    return request


def access_founding(user: Any, pk: int) -> tuple[FoundingContext, FoundingRequest]:
    """The proposer, the approvers and staff see a request; to anyone else it is missing."""
    request = (
        FoundingRequest.objects.select_related("parent__root", "proposed_by", "assembly")
        .filter(pk=pk)
        .first()
    )
    if request is None or not getattr(user, "is_authenticated", False):
        raise NotFound(pk)
    ctx = founding_context(request.parent)
    if request.proposed_by_id != user.pk and not (user.is_staff or ctx.is_approver(user)):
        raise NotFound(pk)
    return ctx, request


def check_decide_founding(
    user: Any, ctx: FoundingContext, request: FoundingRequest, *, approve: bool, reason: str
) -> FoundingRequest:
    require(_missing_approver(ctx))
    assert ctx.founding is not None
    require(check_approver(ctx.founding, ctx.is_approver(user)))
    if approve and ctx.parent.closed_on is not None:  # closed since it was proposed
        require(closed(ctx.parent.closed_on))
    if approve:  # the protocol may have been amended since it was proposed
        require(check_assembly_type(ctx.founding, str(request.proposal.get("assembly_type", ""))))
    if not approve and not reason.strip():
        raise Refused.because(
            Reason("reason_needed", gettext_noop("Say why: the proposer reads the reason."))
        )
    return do_decide_founding(
        request=request, ctx=ctx, actor=user, approve=approve, reason=reason.strip()
    )


def _build(request: FoundingRequest) -> tuple[Assembly, Assembly | None]:
    data = dict(request.proposal)
    umbrella_id = data.pop("umbrella", None)
    required_id = data.pop("required_assembly", None)
    assembly = Assembly(
        parent=request.parent,
        required_assembly_id=required_id,
        **{k: v for k, v in data.items() if v is not None or k in ("min_age", "max_age")},
    )
    umbrella = Assembly.objects.filter(pk=umbrella_id).first() if umbrella_id else None
    return assembly, umbrella


@transaction.atomic
def do_decide_founding(
    *,
    request: FoundingRequest,
    ctx: FoundingContext,
    actor: Any,
    approve: bool,
    reason: str,
) -> FoundingRequest:
    locked = FoundingRequest.objects.select_for_update().get(pk=request.pk)
    if locked.decided_at is not None:
        raise Refused.because(
            Reason("already_decided", gettext_noop("This proposal has already been decided."))
        )
    now = timezone.now()
    if approve:
        # Under the federation's lock, as the changes to its shape (`reshaping`): nothing is
        # founded inside an assembly being closed.
        parent = ctx.parent
        Assembly.objects.select_for_update().filter(pk=parent.root_id or parent.pk).first()
        closed_at = Assembly.objects.values_list("closed_at", flat=True).get(pk=parent.pk)
        if closed_at is not None:
            require(closed(timezone.localtime(closed_at).date()))
        assembly, umbrella = _build(locked)
        if Assembly.objects.filter(slug=assembly.slug).exists():
            raise Refused.because(
                Reason(
                    "slug_taken",
                    gettext_noop(
                        "Another assembly took the address “%(slug)s” since this was proposed."
                    ),
                    {"slug": assembly.slug},
                )
            )
        try:
            with transaction.atomic():
                assembly = do_save_assembly(assembly=assembly, actor=actor)
        except IntegrityError as clash:
            raise Refused.because(
                Reason(
                    "slug_taken",
                    gettext_noop(
                        "Another assembly took the address “%(slug)s” since this was proposed."
                    ),
                    {"slug": assembly.slug},
                )
            ) from clash
        if umbrella is not None:
            do_add_to_umbrella(member=assembly, umbrella=umbrella, actor=actor)
        locked.assembly = assembly
    locked.decided_at, locked.decided_by, locked.approved = now, actor, approve
    locked.reason = reason
    locked.save(update_fields=["decided_at", "decided_by", "approved", "reason", "assembly"])
    record(
        "assembly.found_approved" if approve else "assembly.found_declined",
        actor=actor,
        assembly=ctx.parent,
        subject=locked,
        reason=reason,
        created=locked.assembly_id,
    )
    notify(
        "founding_decided",
        [locked.proposed_by_id],
        actor=actor,
        assembly=ctx.parent,
        subject=locked,
        occasion="approved" if approve else "declined",
    )
    return locked


PENDING_SHOWN = 500  # a queue longer than this is a federation's problem, not one page's


def to_decide(user: Any, held: list[Tenure] | None = None) -> list[FoundingRequest]:
    """The proposals waiting for `user` as the approving office (each parent's rules read
    once). Only people holding some office can approve: for everyone else, one query (none
    when the caller has read their offices: `held`)."""
    if held is None:
        held = list(
            Tenure.objects.in_office(timezone.now()).filter(holder=user).select_related("office")
        )
    seats = {(t.office.assembly_id, t.office.slug) for t in held}
    if not seats:
        return []
    pending = list(
        FoundingRequest.objects.filter(decided_at__isnull=True)
        .select_related("parent__root", "proposed_by")
        .order_by("created_at")[:PENDING_SHOWN]
    )
    contexts: dict[int, FoundingContext] = {}
    waiting = []
    for made in pending:
        if made.parent_id not in contexts:
            contexts[made.parent_id] = founding_context(made.parent)
        ctx = contexts[made.parent_id]
        seat = (ctx.approving.pk if ctx.approving else None, ctx.office)
        if seat in seats and ctx.is_approver(user):
            waiting.append(made)
    return waiting


def queue_of(user: Any) -> dict[str, Any]:
    return {
        "to_decide": to_decide(user),
        "mine": list(
            FoundingRequest.objects.filter(proposed_by=user)
            .select_related("parent", "assembly", "decided_by")
            .order_by("-created_at")[:100]
        ),
    }
