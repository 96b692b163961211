"""Referring a decision of the consensus register to the parent assembly (BEY-4): the core
decides whether it may go up at all; the parent's protocol decides who may bring it there and
how it is decided, since a referral is a proposal of the parent like any other. Where each
referral went is read here too, for the register and the proposals' pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from folkmoot.audit.log import record
from folkmoot.federation.models import Assembly
from folkmoot.governance.audience import may_propose
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.governance.rollup import check_referable
from folkmoot.refusals import NotFound, Refused, require

from .actions import DecisionContext, decision_context
from .models import Proposal, RegisterEntry

ALREADY = Reason(
    "already_referred",
    gettext_noop("This decision has already been referred to the parent assembly."),
)


def access_entry(user: Any, entry_id: int) -> RegisterEntry:
    entry = (
        RegisterEntry.objects.select_related("assembly", "assembly__parent", "proposal")
        .filter(pk=entry_id, assembly__in=Assembly.objects.visible_to(user))
        .first()
    )
    if entry is None:
        raise NotFound(entry_id)
    return entry


def is_election(entry: RegisterEntry) -> bool:
    return entry.kind.startswith("election:")


def referable(entry: RegisterEntry, referral: str, *, referred: bool | None = None) -> Answer:
    """The core's answer for this decision, with the facts the register holds; `referred`
    when the caller has already read the decision's referrals."""
    if referred is None:
        referred = entry.referrals.filter(withdrawn_at__isnull=True).exists()
    return check_referable(
        referral,
        has_parent=entry.assembly.parent_id is not None,
        outcome=entry.outcome,
        is_election=is_election(entry),
        referred=referred,
    )


def offered(entry: RegisterEntry, lines: list[Any], *, user: Any, parent_visible: bool) -> bool:
    """Whether a page offers "Refer to …": the core's answer for an escalation (what asks
    least of a decision), from the referrals the page has already read; the refer page then
    says what else applies."""
    referred = any(line.status != "withdrawn" for line in lines)
    return (
        getattr(user, "is_authenticated", False)
        and parent_visible
        and bool(referable(entry, "escalate", referred=referred))
    )


def parent_context(user: Any, entry: RegisterEntry) -> DecisionContext:
    parent = entry.assembly.parent
    assert parent is not None
    if not Assembly.objects.visible_to(user).filter(pk=parent.pk).exists():
        # Nothing of a parent the person cannot see, not even its decision kinds.
        raise Refused.because(
            Reason(
                "parent_not_visible",
                gettext_noop("Only those who can see the parent assembly may refer to it."),
            )
        )
    try:
        return decision_context(user, parent)
    except NotFound as missing:
        raise Refused.because(
            Reason(
                "parent_without_protocol",
                gettext_noop("The parent assembly has no protocol to decide by yet."),
            )
        ) from missing


def kinds_for(ctx: DecisionContext) -> list[str]:
    """The parent's decision kinds this person may bring a referral as."""
    today = timezone.localdate()
    return [
        key
        for key in ctx.protocol.decision_kinds
        if may_propose(ctx.protocol, key, ctx.viewer, today)
    ]


def check_refer(
    user: Any, entry: RegisterEntry, *, referral: str, kind_key: str, text: str = ""
) -> Proposal:
    """Bring the decision before the parent as a proposal of `kind_key`. The proposal asks the
    child's question again: to escalate, with the child's options; to ratify, yes or no. The
    text is the person's own, or the child's text when they add none."""
    from .actions import at_most, check_propose, known_kind

    # A parent the person cannot see is refused before anything is said about it.
    ctx = parent_context(user, entry) if entry.assembly.parent_id is not None else None
    require(combine(referable(entry, referral), at_most(text.strip(), 20_000, "text")))
    assert ctx is not None
    require(known_kind(ctx, kind_key))
    child = entry.proposal
    body = text.strip() or (child.body if child is not None else "") or entry.title
    options = list(child.options) if referral == "escalate" and child is not None else None
    try:
        with transaction.atomic():
            proposal = check_propose(
                ctx,
                user,
                kind_key,
                title=entry.title,
                body=body,
                options=options,
                refers_to=entry,
                referral=referral,
            )
            record(
                "decision.refer",
                actor=user,
                assembly=entry.assembly,
                subject=proposal,
                referral=referral,
                entry=entry.pk,
            )
    except IntegrityError as clash:
        # Two people referring the same decision at the same moment: one wins.
        raise Refused.because(ALREADY) from clash
    return proposal


# --- where referrals went (BEY-4) -----------------------------------------------------------------

REFERRAL_STATUS = {
    ("ratify", "pending"): gettext_lazy("Before %(assembly)s for ratification"),
    ("escalate", "pending"): gettext_lazy("Escalated to %(assembly)s"),
    ("ratify", "ratified"): gettext_lazy("Ratified by %(assembly)s"),
    ("ratify", "not_ratified"): gettext_lazy("Not ratified by %(assembly)s"),
    ("escalate", "decided_above"): gettext_lazy("Decided by %(assembly)s"),
    ("ratify", "withdrawn"): gettext_lazy("Referral to %(assembly)s withdrawn"),
    ("escalate", "withdrawn"): gettext_lazy("Referral to %(assembly)s withdrawn"),
}


@dataclass(frozen=True)
class ReferralLine:
    proposal: Proposal
    referral: str
    status: str
    text: str


def referral_lines(entry_ids: list[int], user: Any) -> dict[int, list[ReferralLine]]:
    """Where each decision went in the parent assembly, read from the parent's proposals and
    their own register entries (one query for a whole page). Only what the reader may see
    of the parent: a private parent's decisions stay private."""
    from folkmoot.governance.rollup import referral_status

    out: dict[int, list[ReferralLine]] = {}
    for proposal in (
        Proposal.objects.filter(
            refers_to_id__in=entry_ids, assembly__in=Assembly.objects.visible_to(user)
        )
        .select_related("assembly", "register_entry")
        .order_by("created_at", "id")
    ):
        decided = getattr(proposal, "register_entry", None)
        status = referral_status(
            proposal.referral,  # type: ignore[arg-type]
            withdrawn=proposal.withdrawn_at is not None,
            outcome=decided.outcome if decided is not None else None,
            winners=decided.winners if decided is not None else (),
            options=proposal.options,
        )
        text = str(REFERRAL_STATUS[(proposal.referral, status)]) % {
            "assembly": proposal.assembly.title
        }
        assert proposal.refers_to_id is not None
        out.setdefault(proposal.refers_to_id, []).append(
            ReferralLine(proposal, proposal.referral, status, text)
        )
    return out


def referred_from_text(proposal: Proposal, user: Any) -> str:
    """On the parent's proposal: what it asks about the child's decision (when the reader may
    see the child)."""
    entry = proposal.refers_to
    if entry is None or not Assembly.objects.visible_to(user).filter(pk=entry.assembly_id).exists():
        return ""
    template = (
        gettext_lazy("This proposal asks %(parent)s to ratify a decision of %(child)s.")
        if proposal.referral == "ratify"
        else gettext_lazy("%(child)s escalated this question to %(parent)s to decide.")
    )
    return str(template) % {"parent": proposal.assembly.title, "child": entry.assembly.title}
