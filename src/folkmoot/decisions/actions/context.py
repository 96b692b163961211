"""What every action on a proposal starts from: the decision context (the assembly, its
protocol in force, the person as the core sees them), access to a proposal, its stage
computed when read, and the refusals every step shares."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.utils import timezone

from folkmoot import regions
from folkmoot.decisions.electorate import electorate
from folkmoot.decisions.models import Proposal
from folkmoot.decisions.state import Known, ProposalState, proposal_state
from folkmoot.federation.models import Assembly
from folkmoot.governance.audience import Named, Viewer, in_audience
from folkmoot.governance.protocol import DecisionKind, Protocol
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, Refused


@dataclass
class DecisionContext:
    assembly: Assembly
    protocol: Protocol
    viewer: Viewer
    electorates: dict[str, int] = field(default_factory=dict)

    def kind(self, key: str) -> DecisionKind:
        if key not in self.protocol.decision_kinds:
            raise NotFound(key)
        return self.protocol.decision_kinds[key]

    def kind_of(self, proposal: Proposal) -> DecisionKind:
        """A stored proposal's kind, which an amendment may since have taken out of the
        protocol (PRO-3): such a proposal is kept and shown, and can no longer move on."""
        if proposal.kind not in self.protocol.decision_kinds:
            raise Refused.because(KIND_RETIRED)
        return self.protocol.decision_kinds[proposal.kind]


KIND_RETIRED = Reason(
    "kind_retired",
    gettext_noop(
        "This kind of decision is no longer in the protocol: the proposal can no longer move on."
    ),
)


def decision_context(user: Any, assembly: Assembly) -> DecisionContext:
    in_force = protocol_in_force(assembly)
    if in_force is None:
        raise NotFound(assembly.slug)
    return DecisionContext(
        assembly, in_force.protocol, viewer_for(user, assembly, in_force.protocol)
    )


def access_proposal(user: Any, proposal_id: int) -> tuple[DecisionContext, Proposal]:
    """Proposals are as public as their assembly (VOTE-3: the Votes forum is readable by all)."""
    from folkmoot.federation.models import Assembly as AssemblyModel

    proposal = (
        Proposal.objects.select_related("assembly", "proposer", "thread", "refers_to__assembly")
        .filter(pk=proposal_id, assembly__in=AssemblyModel.objects.visible_to(user))
        .first()
    )
    if proposal is None:
        raise NotFound(proposal_id)
    regions.follow(proposal.assembly)
    return decision_context(user, proposal.assembly), proposal


def electorate_size(ctx: DecisionContext, kind: DecisionKind) -> int:
    today = timezone.localdate()
    return len(
        electorate(
            ctx.assembly,
            ctx.protocol,
            kind.voters,
            lambda v: Answer(in_audience(kind.voters, v, today)),
        )
    )


def state_of(
    ctx: DecisionContext,
    proposal: Proposal,
    now: datetime | None = None,
    known: Known | None = None,
) -> ProposalState:
    kind = ctx.kind_of(proposal)
    eligible = 0
    if kind.consensus is not None:
        # How many may respond: asked once per kind and page (it reads every member).
        if proposal.kind not in ctx.electorates:
            ctx.electorates[proposal.kind] = electorate_size(ctx, kind)
        eligible = ctx.electorates[proposal.kind]
    state = proposal_state(proposal, kind, now or timezone.now(), eligible=eligible, known=known)
    return replace(state, waiting_for=tuple(_named(ctx, r) for r in state.waiting_for))


def _named(ctx: DecisionContext, reason: Reason) -> Reason:
    """The core names offices by key in stage reasons; people read them by name."""
    office = reason.params.get("office")
    if isinstance(office, str) and office in ctx.protocol.offices:
        rule = ctx.protocol.offices[office]
        return Reason(
            reason.code,
            reason.template,
            {**reason.params, "office": Named(rule.plural or rule.name)},
        )
    return reason


def no(code: str, text: str, **params: Any) -> Answer:
    return Answer.no(Reason(code, text, params))


_TOO_LONG = {
    "title": gettext_noop(
        "The question is too long: at most %(limit)s characters (it has %(length)s)."
    ),
    "text": gettext_noop("The text is too long: at most %(limit)s characters (it has %(length)s)."),
    "reason": gettext_noop(
        "The reason is too long: at most %(limit)s characters (it has %(length)s)."
    ),
}


def at_most(text: str, limit: int, what: str) -> Answer:
    """The same length limits in the page as in the API, said in words, never cut silently."""
    if len(text) <= limit:
        return Answer.yes()
    return no("too_long", _TOO_LONG[what], limit=limit, length=len(text))
