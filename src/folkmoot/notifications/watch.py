"""The worker's watch over what changes by the passage of time alone (DESIGN.md "Time"): a
consensus round opening, a proposal reaching the stage where an office must act, a sanction
lapsing unbacked (SAN-4/5), a term of office nearing its end (OFF-1). Nothing stores these
states; each pass computes them as the pages do and tells whoever has not been told of that
occasion yet. The notifications' unique constraints make a second pass, or a second worker,
add nothing; every loop is bounded."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from folkmoot.decisions.models import Proposal
from folkmoot.federation.models import Assembly
from folkmoot.governance.audience import may_launch
from folkmoot.governance.sanctions import EndorsementState
from folkmoot.governance.schedule import Stage, term_end
from folkmoot.moderation.models import Sanction
from folkmoot.moderation.state import state_of as sanction_state
from folkmoot.offices.models import Tenure
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import InForceByAssembly

from .models import Notification
from .recipients import holders_of
from .send import notify

log = logging.getLogger(__name__)

HORIZON = timedelta(days=60)  # proposals older than this are settled or forgotten by now
TERM_NOTICE = timedelta(days=14)
BATCH = 500


def _each(rows: Iterable[Any], act: Callable[[Any], int]) -> int:
    """One failure is logged and left for the next pass, never stopping the others."""
    told = 0
    for row in rows:
        try:
            told += act(row)
        except Exception:
            log.exception("watch: %r failed", row)
    return told


def _told(kind: str, proposal: Proposal, occasion: str) -> bool:
    return Notification.objects.filter(kind=kind, proposal=proposal, occasion=occasion).exists()


def proposals(now: datetime) -> int:
    """Consensus rounds and the stages where an office acts, for open proposals."""
    from folkmoot.decisions.actions import decision_context, state_of
    from folkmoot.decisions.electorate import electorate
    from folkmoot.governance.audience import in_audience
    from folkmoot.governance.reasons import Answer

    contexts: dict[int, Any] = {}
    rows = (
        Proposal.objects.filter(
            withdrawn_at__isnull=True,
            register_entry__isnull=True,
            vote__isnull=True,
            created_at__gte=now - HORIZON,
            created_at__lte=now,
        )
        .select_related("assembly")
        .order_by("created_at")[:BATCH]
    )

    def one(proposal: Proposal) -> int:
        assembly = proposal.assembly
        if assembly.pk not in contexts:
            contexts[assembly.pk] = decision_context(None, assembly)
        ctx = contexts[assembly.pk]
        if proposal.kind not in ctx.protocol.decision_kinds:
            return 0
        kind = ctx.kind_of(proposal)
        state = state_of(ctx, proposal, now)
        if state.stage == "consensus" and state.consensus is not None:
            occasion = f"round:{state.consensus.round}"
            if _told("consensus", proposal, occasion):
                return 0  # the electorate is read once per round, not on every pass
            today = now.date()
            people = electorate(
                assembly,
                ctx.protocol,
                kind.voters,
                lambda v: Answer(in_audience(kind.voters, v, today)),
            )
            # All or nothing: a round half told would count as told (`_told`). The proposer
            # is asked too: their response counts like anyone's.
            with transaction.atomic():
                return notify(
                    "consensus",
                    [person for person, _since in people],
                    assembly=assembly,
                    proposal=proposal,
                    occasion=occasion,
                )
        told = 0
        if state.stage == Stage.DEBATE:
            for office, (have, need) in state.supports.items():
                if have < need:
                    told += _office(proposal, holders_of(assembly, office), f"support:{office}")
        elif state.stage == Stage.DRAFTING and kind.drafting is not None:
            told += _office(proposal, holders_of(assembly, kind.drafting.office), "approval")
        elif (
            state.stage == Stage.READY
            and kind.consensus is None
            and state.launchable
            and not kind.weekly  # told when its turn comes (`weekly_turns`)
        ):
            told += _office(proposal, _launchers(ctx, proposal, now), "launch")
        return told

    return _each(rows, one)


def _launchers(ctx: Any, proposal: Proposal, now: datetime) -> list[Any]:
    """Those holding an office now who may launch the vote on `proposal`."""
    assembly = proposal.assembly
    return [
        t.holder
        for t in Tenure.objects.in_office(timezone.now())
        .filter(office__assembly=assembly)
        .select_related("holder")
        if may_launch(
            ctx.protocol, proposal.kind, viewer_for(t.holder, assembly, ctx.protocol), now.date()
        )
    ]


def weekly_turns(now: datetime) -> int:
    """VOTE-7 (art. 12 "se lanzarán por orden de aparición"): when the first weekly poll in
    line is ready and a week has passed since the last one opened, its proposer hears that
    its turn has come, and those who launch votes that it may be put to the vote: once
    each. Not before: a launch then would be refused. The queue is read whole, so a poll
    waiting its turn for months is not forgotten."""
    from folkmoot.decisions.actions import decision_context
    from folkmoot.decisions.weekly import queues
    from folkmoot.governance.schedule import weekly_turn

    waiting = Proposal.objects.filter(
        withdrawn_at__isnull=True, vote__isnull=True, created_at__lte=now
    ).values("assembly_id")
    assemblies = Assembly.objects.filter(pk__in=waiting, closed_at__isnull=True).order_by("pk")
    protocols = InForceByAssembly()

    def one(assembly: Assembly) -> int:
        protocol = protocols(assembly)
        if protocol is None or not any(k.weekly for k in protocol.decision_kinds.values()):
            return 0
        ctx = decision_context(None, assembly)
        told = 0
        for queue in queues(ctx, now):
            kind = ctx.protocol.decision_kinds[queue.kind]
            first = next((p for p, state in queue.waiting if state.launchable), None)
            if first is None or kind.consensus is not None:
                continue
            last = queue.last_opened_at
            if not weekly_turn(kind, first_in_line=None, last_opened_at=last, now=now):
                continue  # a week has not passed since the last one opened
            told += notify("weekly_turn", [first.proposer_id], assembly=assembly, proposal=first)
            told += _office(first, _launchers(ctx, first, now), "launch")
        return told

    return _each(assemblies[:BATCH], one)


def urgent_changes(now: datetime) -> int:
    """Art. 3: an urgent change of forums waits for every holder of an office to agree. One
    who took office since it was proposed hears of it too, once; one who agreed is not told."""
    from folkmoot.decisions.amending import tell_holders_to_agree
    from folkmoot.decisions.models import UrgentAgreement

    rows = (
        Proposal.objects.filter(
            amendment="partial",
            urgent_version__isnull=True,
            urgent_lapsed_at__isnull=True,
            withdrawn_at__isnull=True,
            register_entry__isnull=True,
            assembly__closed_at__isnull=True,
            created_at__gte=now - HORIZON,
            created_at__lte=now,
        )
        .select_related("assembly")
        .order_by("created_at")[:BATCH]
    )
    protocols = InForceByAssembly()

    def one(proposal: Proposal) -> int:
        protocol = protocols(proposal.assembly)
        rule = protocol.forum_changes if protocol is not None else None
        if protocol is None or rule is None or rule.urgent_office is None:
            return 0
        if proposal.kind != rule.decision_kind:
            return 0
        # Cheap first: whom it would tell. Reading the change itself parses two protocols.
        holders = set(
            Tenure.objects.in_office(timezone.now())
            .filter(office__assembly=proposal.assembly, office__slug=rule.urgent_office)
            .values_list("holder_id", flat=True)
        )
        holders -= set(
            UrgentAgreement.objects.filter(proposal=proposal).values_list("holder_id", flat=True)
        )
        holders -= set(
            Notification.objects.filter(kind="urgent_to_agree", proposal=proposal).values_list(
                "user_id", flat=True
            )
        )
        holders.discard(proposal.proposer_id)
        if not holders or not _open(proposal, now):
            return 0
        return tell_holders_to_agree(protocol, proposal)

    return _each(rows, one)


def _open(proposal: Proposal, now: datetime) -> bool:
    """Its vote has not closed: agreeing is still possible (`amending.urgent_answer`)."""
    from folkmoot.decisions.actions import decision_context, state_of

    ctx = decision_context(None, proposal.assembly)
    return state_of(ctx, proposal, now).stage not in (Stage.CLOSED, Stage.WITHDRAWN)


def _office(proposal: Proposal, people: list[Any], occasion: str) -> int:
    return notify(
        "office_action",
        people,
        assembly=proposal.assembly,
        proposal=proposal,
        occasion=occasion,
    )


def lapsed_sanctions(now: datetime) -> int:
    """SAN-4/5: a sanction nobody backed in time lapses; the person and its imposer hear."""
    rows = (
        # Those not told yet, oldest (first to lapse) first: a told one never takes a place.
        Sanction.objects.filter(
            needs_endorsement=True, imposed_at__gte=now - HORIZON, imposed_at__lte=now
        )
        .exclude(
            Exists(
                Notification.objects.filter(
                    kind="sanction_lapsed",
                    subject_type=ContentType.objects.get_for_model(Sanction),
                    subject_id=OuterRef("pk"),
                )
            )
        )
        .select_related("assembly")
        .prefetch_related("endorsements")
        .order_by("imposed_at")[:BATCH]
    )
    protocols = InForceByAssembly()

    def one(sanction: Sanction) -> int:
        protocol = protocols(sanction.assembly)
        found = protocol.sanctions if protocol is not None else None
        if (
            found is None
            or sanction_state(found, sanction, now).state is not EndorsementState.LAPSED
        ):
            return 0
        return notify(
            "sanction_lapsed",
            [sanction.person_id, sanction.imposed_by_id],
            assembly=sanction.assembly,
            subject=sanction,
        )

    return _each(rows, one)


def ending_terms(now: datetime) -> int:
    """OFF-1: a holder hears two weeks ahead that their term ends, once per term."""
    # The oldest terms end first: they come first, so the bound never leaves one unseen.
    tenures = (
        Tenure.objects.in_office(timezone.now())
        .filter(started_at__lte=now)
        .select_related("office__assembly")
        .order_by("started_at", "pk")[: BATCH * 4]
    )
    protocols = InForceByAssembly()

    def one(tenure: Tenure) -> int:
        assembly: Assembly = tenure.office.assembly
        protocol = protocols(assembly)
        rule = protocol.offices.get(tenure.office.slug) if protocol is not None else None
        if rule is None or protocol is None:
            return 0
        ends = term_end(rule, protocol.timezone, tenure.started_at)
        if ends is None or not now < ends <= now + TERM_NOTICE:
            return 0
        return notify(
            "term_ending",
            [tenure.holder_id],
            assembly=assembly,
            subject=tenure,
            occasion=ends.date().isoformat(),
        )

    return _each(tenures, one)


def watch(now: datetime) -> int:
    return (
        proposals(now)
        + weekly_turns(now)
        + urgent_changes(now)
        + lapsed_sanctions(now)
        + ending_terms(now)
    )
