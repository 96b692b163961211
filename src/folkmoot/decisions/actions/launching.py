"""Launching the vote (VOTE-3..7): who may, when the proposal is ready and its turn has
come, for how long and how secret; opening it fixes everything VOTE-5 lists and the
electorate. Each voter reads the options in an order of their own."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.decisions import notify
from folkmoot.decisions.electorate import electorate
from folkmoot.decisions.models import Eligible, Proposal, Vote
from folkmoot.decisions.state import ProposalState
from folkmoot.governance.audience import check_acting, may_launch, may_vote
from folkmoot.governance.casting import COUNTED_AS, live_results
from folkmoot.governance.protocol import Audience
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.governance.schedule import check_voting_duration
from folkmoot.refusals import require

from .context import DecisionContext, no, state_of


def launch_answer(ctx: DecisionContext, proposal: Proposal, state: ProposalState) -> Answer:
    """VOTE-3..5: one who launches votes of this kind, once the proposal is ready; consensus
    kinds are not launched (their vote opens by itself when consensus fails)."""
    answers = [may_launch(ctx.protocol, proposal.kind, ctx.viewer, timezone.localdate())]
    if ctx.kind_of(proposal).consensus is not None:
        answers.append(
            no(
                "consensus_first",
                gettext_noop("Consensus is sought first; a vote follows only if it fails."),
            )
        )
    elif not state.launchable:
        answers.append(
            Answer.no(
                *(
                    state.waiting_for
                    or (Reason("not_ready", gettext_noop("This proposal cannot be launched now.")),)
                )
            )
        )
    else:
        from folkmoot.decisions.weekly import turn_of  # VOTE-7: one a week, in order of arrival

        answers.append(turn_of(ctx, proposal, timezone.now()))
    return combine(*answers)


def check_launch(
    ctx: DecisionContext,
    user: Any,
    proposal: Proposal,
    *,
    days: float | None = None,
    secret: bool | None = None,
    results_live: bool | None = None,
) -> Vote:
    kind = ctx.kind_of(proposal)
    answers = [launch_answer(ctx, proposal, state_of(ctx, proposal))]
    from folkmoot.governance.schedule import default_voting_days

    # The launcher's days, or the kind's default: either must meet the rules (VOTE-4, VOTE-6).
    answers.append(
        check_voting_duration(
            kind,
            days if days is not None else default_voting_days(kind, urgent=proposal.urgent),
            urgent=proposal.urgent,
            opens_at=timezone.now(),
            created_at=proposal.created_at,
            event_at=proposal.event_at,
        )
    )
    if secret is not None and secret != kind.secret and "secret" not in kind.proposer_may_set:
        answers.append(
            no("secrecy_fixed", gettext_noop("Whether this vote is secret is set by the protocol."))
        )
    secret_vote = kind.secret if secret is None else secret
    live_answer, live = live_results(
        secret=secret_vote, results_visible=kind.results_visible, asked=results_live
    )
    answers.append(live_answer)
    require(combine(*answers))
    return do_open_vote(
        ctx=ctx,
        kind_key=proposal.kind,
        proposal=proposal,
        title=proposal.title,
        description=proposal.body,
        options=list(proposal.options),
        days=days if days is not None else default_voting_days(kind, urgent=proposal.urgent),
        secret=secret_vote,
        results_live=live,
        launched_by=user,
    )


@transaction.atomic
def do_open_vote(
    *,
    ctx: DecisionContext,
    kind_key: str,
    proposal: Proposal,
    title: str,
    description: str,
    options: list[str],
    days: float,
    secret: bool,
    results_live: bool,
    launched_by: Any,
    opens_at: datetime | None = None,
    method: str | None = None,
) -> Vote:
    """Fixes everything VOTE-5 lists and the electorate, when the vote opens."""
    kind = ctx.protocol.decision_kinds[kind_key]
    opens_at = opens_at or timezone.now()
    # The text put to the vote is the one under the proposal's lock, which an amendment
    # taken into the text takes too (VOTE-14): the two never cross.
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if description == proposal.body:
        description = locked.body
    method = method or COUNTED_AS[kind.method]
    # Issue 16: a sealed vote opens once its guardians have had time to make the key and
    # its voters to register their voting keys.
    # Never with several questions (the protocol refuses it), and only for a secret vote.
    sealed = kind.sealed if secret else None
    launched_at = opens_at
    if sealed is not None:
        opens_at += timedelta(hours=sealed.prepare_hours)
    # VOTE-14: amendments the proposer did not take, that enough members support, compete.
    from folkmoot.amendments.competing import join_ballot

    options = join_ballot(kind, locked, options, method=method, text=locked.body)
    vote = Vote.objects.create(
        assembly=ctx.assembly,
        proposal=proposal,
        kind=kind_key,
        title=title,
        description=description,
        method=method,
        options=options,
        secret=secret,
        random_order=kind.random_order,
        ask_validity=kind.validity.ask_validity,
        may_change_ballot=kind.may_change_ballot,
        validity=kind.validity.model_dump(),
        results_live=results_live,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=days),
        launched_by=launched_by,
        created_at=launched_at,
        sealed_ballots=True if sealed is not None else None,
    )
    if proposal.within:  # art. 9.4: an internal vote's electorate is its office or group
        within = Audience(any_of=[proposal.within])
        people = electorate(
            ctx.assembly,
            ctx.protocol,
            within,
            lambda v: check_acting(
                ctx.protocol,
                within,
                v,
                timezone.localdate(),
                code="not_in_electorate",
                template=gettext_noop("Only %(who)s may vote in it."),
                params={},
            ),
        )
    else:
        people = electorate(
            ctx.assembly,
            ctx.protocol,
            kind.voters,
            lambda v: may_vote(ctx.protocol, kind_key, v, timezone.localdate()),
        )
    Eligible.objects.bulk_create(
        [Eligible(vote=vote, person=p, member_since=since) for p, since in people]
    )
    if sealed is not None:
        from folkmoot.sealed.launch import prepare_sealed

        prepare_sealed(vote, ctx.assembly, sealed)
    # VOTE-2: a MegaPoll's further questions open with the first, for the same electorate.
    for position, asked in enumerate(proposal.more_questions or [], start=1):
        part = Vote.objects.create(
            assembly=ctx.assembly,
            part_of=vote,
            position=position,
            kind=kind_key,
            title=asked["question"],
            method=vote.method,
            options=asked["options"],
            secret=vote.secret,
            random_order=vote.random_order,
            # The ballot's one validity answer counts for each question (VOTE-8).
            ask_validity=vote.ask_validity,
            may_change_ballot=vote.may_change_ballot,
            validity=vote.validity,
            results_live=vote.results_live,
            opens_at=vote.opens_at,
            closes_at=vote.closes_at,
            launched_by=launched_by,
            created_at=vote.created_at,
        )
        Eligible.objects.bulk_create(
            [Eligible(vote=part, person=p, member_since=since) for p, since in people]
        )
    record("decision.launch", actor=launched_by, assembly=ctx.assembly, subject=vote, kind=kind_key)
    notify.announce_when_open(vote)
    return vote


def option_order(vote: Vote, person_key: Any) -> list[str]:
    """VOTE-5: options in an order of the voter's own, the same each time they look."""
    options = list(vote.options)
    if vote.random_order:
        random.Random(f"{vote.pk}:{vote.lot_seed}:{person_key}").shuffle(options)
    return options
