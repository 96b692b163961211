"""The consensus check of the live room (MEET-3, VOTE-1, issue 14). On the current point's
proposal, while its consensus round is open, the facilitator opens a check; those present
respond — agree, stand aside, block with a reason — and their responses are the round's,
under the same rules as responding online (`decisions.actions.check_respond`: who may,
sanctions, a block's reason). Closing the check closes the round at that moment: the core
judges it then (`tally.consensus`), so the proposal moves on at once — consensus reached
goes to the register, a failed last round opens the protocol's vote."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.governance.moots import check_live, quorum
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.refusals import Refused, require

from .actions import MootContext, check_running, phase_of
from .consumers import room_changed
from .models import ConsensusCheck, Moot


def _proposal_round(moot: Moot) -> tuple[Any, Any, int | None]:
    """The current point's proposal, its decision context, and the consensus round open on
    it now (None: none is)."""
    from folkmoot.decisions.actions import decision_context, state_of

    point = moot.current_point
    proposal = point.proposal if point is not None else None
    if proposal is None:
        return None, None, None
    decisions = decision_context(None, moot.assembly)
    if proposal.kind not in decisions.protocol.decision_kinds:
        return proposal, decisions, None
    state = state_of(decisions, proposal)
    if state.stage != "consensus" or state.consensus is None:
        return proposal, decisions, None
    return proposal, decisions, state.consensus.round


def open_check(moot: Moot) -> ConsensusCheck | None:
    return moot.checks.filter(closed_at__isnull=True).select_related("proposal").first()


def _quorum(ctx: MootContext, moot: Moot) -> Answer:
    """A moot decides nothing without the protocol's quorum present."""
    from .models import Attendance

    found = quorum(ctx.protocol, Attendance.objects.filter(moot=moot).count())
    if found.met:
        return Answer.yes()
    return Answer.no(
        Reason(
            "no_quorum",
            gettext_noop("The quorum of %(needed)s is not reached: %(present)s present."),
            {"needed": found.needed, "present": found.present},
        )
    )


def check_open_check(user: Any, ctx: MootContext, moot: Moot) -> ConsensusCheck:
    require(combine(check_running(ctx, user, moot), check_live(phase_of(moot)), _quorum(ctx, moot)))
    proposal, _decisions, round_ = _proposal_round(moot)
    if round_ is None:
        raise Refused.because(
            Reason(
                "no_round_here",
                gettext_noop("A consensus check needs a point whose proposal seeks consensus now."),
            )
        )
    point = moot.current_point
    assert point is not None  # a proposal was found on it
    try:
        with transaction.atomic():
            check = ConsensusCheck.objects.create(
                moot=moot,
                point=point,
                proposal=proposal,
                round=round_,
                opened_by=user,
            )
    except IntegrityError as twice:
        raise Refused.because(
            Reason("check_open", gettext_noop("A consensus check is open already."))
        ) from twice
    record("moot.check_open", actor=user, assembly=moot.assembly, subject=check, round=round_)
    room_changed(moot.pk)
    return check


def check_respond_live(
    user: Any, ctx: MootContext, moot: Moot, *, response: str, reason: str = ""
) -> Any:
    """A response in the room is a response in the round: the same rules apply."""
    from folkmoot.decisions.actions import check_respond, decision_context, state_of

    require(check_live(phase_of(moot)))
    check = open_check(moot)
    if check is None:
        raise Refused.because(Reason("no_check", gettext_noop("No consensus check is open.")))
    decisions = decision_context(user, moot.assembly)
    state = state_of(decisions, check.proposal)
    if (
        state.consensus is None
        or state.stage != "consensus"
        or state.consensus.round != check.round
    ):
        raise Refused.because(
            Reason(
                "check_round_over",
                gettext_noop("The round this check is on has ended: the facilitator closes it."),
            )
        )
    answered = check_respond(decisions, user, check.proposal, response=response, reason=reason)
    room_changed(moot.pk)  # the counts, live
    return answered


def check_close_check(user: Any, ctx: MootContext, moot: Moot) -> ConsensusCheck:
    require(combine(check_running(ctx, user, moot), check_live(phase_of(moot)), _quorum(ctx, moot)))
    check = open_check(moot)
    if check is None:
        raise Refused.because(Reason("no_check", gettext_noop("No consensus check is open.")))
    return do_close_check(user=user, check=check)


@transaction.atomic
def do_close_check(*, user: Any, check: ConsensusCheck) -> ConsensusCheck:
    from folkmoot.decisions.actions import decision_context, state_of
    from folkmoot.decisions.models import Proposal
    from folkmoot.decisions.settle import settle_proposal

    now = timezone.now()
    if not ConsensusCheck.objects.filter(pk=check.pk, closed_at__isnull=True).update(closed_at=now):
        raise Refused.because(Reason("no_check", gettext_noop("No consensus check is open.")))
    proposal = Proposal.objects.select_for_update().get(pk=check.proposal_id)
    decisions = decision_context(None, proposal.assembly)
    before = state_of(decisions, proposal, now)
    if not (
        before.stage == "consensus" and before.consensus and before.consensus.round == check.round
    ):
        outcome = ConsensusCheck.Outcome.LAPSED  # the round had ended: nothing to close
    elif not _decisive(decisions, proposal, check.round):
        # Too few responded: closing now would fail the round on numbers alone, so the
        # round goes on, to be judged at its time or by a later check.
        outcome = ConsensusCheck.Outcome.TOO_FEW
    else:
        closes = dict(proposal.rounds_closed_early or {})
        closes[str(check.round)] = now.isoformat()
        Proposal.objects.filter(pk=proposal.pk).update(rounds_closed_early=closes)
        proposal.rounds_closed_early = closes
        after = state_of(decisions, proposal, now)
        outcome = (
            ConsensusCheck.Outcome.REACHED
            if after.stage == "decided"
            else ConsensusCheck.Outcome.ANOTHER_ROUND
            if after.stage == "consensus"
            else ConsensusCheck.Outcome.VOTE
        )
    ConsensusCheck.objects.filter(pk=check.pk).update(outcome=outcome)
    check.refresh_from_db()
    record(
        "moot.check_close",
        actor=user,
        assembly=proposal.assembly,
        subject=check,
        round=check.round,
        outcome=outcome,
    )
    transaction.on_commit(lambda: settle_proposal(Proposal.objects.get(pk=proposal.pk)))
    room_changed(check.moot_id)
    return check


def _decisive(decisions: Any, proposal: Any, round_: int) -> bool:
    """Whether the round, judged now, reaches consensus or fails on a block (not on too few
    responses)."""
    from folkmoot.decisions.actions import electorate_size
    from folkmoot.decisions.state import round_responses
    from folkmoot.governance.tally.consensus import consensus_round

    kind = decisions.protocol.decision_kinds[proposal.kind]
    responses = round_responses(proposal, electorate_size(decisions, kind)).get(round_)
    if responses is None or kind.consensus is None:
        return False
    outcome = consensus_round(kind.consensus, responses)
    return outcome.reached or bool(outcome.block_reasons)


@dataclass(frozen=True)
class Tally:
    agree: int
    stand_aside: int
    block: int
    blocks: list[tuple[str, str]]  # (who, why) where blocks are public; else ("", why)


def tally_of(check: ConsensusCheck) -> Tally:
    """The round's responses so far, counted (two queries)."""
    from folkmoot.decisions.actions import decision_context
    from folkmoot.decisions.models import ConsensusResponse

    rows = ConsensusResponse.objects.filter(proposal=check.proposal, round=check.round)
    counts = dict(rows.values_list("response").annotate(n=Count("pk")).values_list("response", "n"))
    decisions = decision_context(None, check.moot.assembly)
    kind = decisions.protocol.decision_kinds.get(check.proposal.kind)
    public = bool(kind and kind.consensus and kind.consensus.blocks_public)
    blocks = [
        (str(r.person) if public else "", r.reason)
        for r in rows.filter(response="block").select_related("person")
    ]
    return Tally(
        counts.get("agree", 0), counts.get("stand_aside", 0), counts.get("block", 0), blocks
    )
