"""Proposals and votes (VOTE-1..12, PRO-2): every permission comes from the governance core,
asked with the facts the platform holds about the person; stages are computed when read."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from folkmoot import regions
from folkmoot.audit.log import record
from folkmoot.federation.models import Assembly
from folkmoot.forums.actions import do_open_thread
from folkmoot.forums.text import render
from folkmoot.governance.amendment import check_amendment_route, check_rectify, partial_kinds
from folkmoot.governance.audience import (
    Named,
    Viewer,
    check_acting,
    check_within,
    closed,
    in_audience,
    may_approve_text,
    may_launch,
    may_propose,
    may_validate,
    may_vote,
)
from folkmoot.governance.casting import COUNTED_AS, live_results
from folkmoot.governance.protocol import (
    Audience,
    DecisionKind,
    Protocol,
    ProtocolInvalid,
    load_protocol,
)
from folkmoot.governance.questions import check_more_questions
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.governance.recall import check_recall
from folkmoot.governance.schedule import Stage, check_urgency, check_voting_duration
from folkmoot.offices.models import Tenure
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.protocols.texts import problems_text
from folkmoot.refusals import NotFound, Refused, create_once, require

from . import notify
from .electorate import electorate
from .models import (
    ConsensusResponse,
    DraftingApproval,
    Eligible,
    Proposal,
    ProposalOption,
    RegisterEntry,
    Vote,
)
from .state import Known, ProposalState, proposal_state


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


# --- proposing ------------------------------------------------------------------------------


def _no(code: str, text: str, **params: Any) -> Answer:
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
    return _no("too_long", _TOO_LONG[what], limit=limit, length=len(text))


def known_kind(ctx: DecisionContext, key: str) -> Answer:
    if key in ctx.protocol.decision_kinds:
        return Answer.yes()
    if not key:
        return _no("no_kind", gettext_noop("Choose a kind of decision."))
    return _no(
        "unknown_kind", gettext_noop("The protocol has no decision kind “%(kind)s”."), kind=key
    )


def default_options(kind: DecisionKind, title: str) -> list[str]:
    if kind.consensus is not None:
        return [title, _("No change")]
    return [_("Yes"), _("No")]


def amendment_kind(protocol: Protocol, kind_key: str) -> list[str]:
    """Which amendments (PRO-2) a kind may carry: "total", "partial", both or neither. A
    partial amendment may also be carried by the kinds the protocol reserves for changing
    forums (art. 3) or seats and terms (art. 8.6); which one a change needs is checked on
    its text (`check_amendment_route`)."""
    out = ["total"] if protocol.amendments.total.decision_kind == kind_key else []
    return out + (["partial"] if kind_key in partial_kinds(protocol) else [])


def check_propose(
    ctx: DecisionContext,
    user: Any,
    kind_key: str,
    *,
    title: str,
    body: str,
    options: list[str] | None = None,
    simple_question: bool = False,
    urgent: bool = False,
    event_at: datetime | None = None,
    amendment: str = "",
    protocol_text: str = "",
    refers_to: Any = None,
    referral: str = "",
    amends: int | None = None,
    recalls: int | None = None,
    more_questions: list[tuple[str, list[str]]] | None = None,
    within: str = "",
) -> Proposal:
    kind = ctx.kind(kind_key)
    now = timezone.now()
    title, body = title.strip(), body.strip()
    options = [o.strip() for o in (options or []) if o.strip()] or default_options(kind, title)
    answers = [
        may_propose(ctx.protocol, kind_key, ctx.viewer, timezone.localdate()),
        at_most(title, 300, "title"),
        at_most(body, 20_000, "text"),
    ]
    if event_at is not None and timezone.is_naive(event_at):
        event_at = timezone.make_aware(event_at)  # an API caller's local time, as a form's
    if not title:
        answers.append(_no("empty_title", gettext_noop("Give the proposal a question or title.")))
    if not body:
        answers.append(_no("empty_text", gettext_noop("Write the text of the proposal.")))
    if len(options) < 2:
        answers.append(_no("few_options", gettext_noop("A vote needs at least two options.")))
    if len(set(options)) != len(options):
        answers.append(_no("same_option", gettext_noop("Each option must be different.")))
    if len(options) > 20 or any(len(o) > 200 for o in options):
        answers.append(
            _no("many_options", gettext_noop("At most 20 options of at most 200 characters."))
        )
    if urgent:
        if event_at is None:
            answers.append(
                _no("urgent_event", gettext_noop("An urgent proposal names the event it is for."))
            )
        else:
            answers.append(check_urgency(kind, event_at, now))
    if amendment:
        if amendment not in amendment_kind(ctx.protocol, kind_key):
            answers.append(
                _no(
                    "not_an_amendment_kind",
                    gettext_noop("The protocol is not amended by decisions of this kind."),
                )
            )
        try:
            new_protocol = load_protocol(protocol_text)
            if amendment == "partial":
                answers.append(check_amendment_route(ctx.protocol, new_protocol, kind_key))
        except ProtocolInvalid as invalid:
            answers.append(
                Answer.no(
                    *(
                        Reason(
                            "amendment_invalid",
                            gettext_noop("The new protocol: %(problem)s"),
                            {"problem": p["path"] + ": " + p["message"]},
                        )
                        for p in problems_text(invalid)
                    )
                )
            )
    more = [(q.strip(), [o.strip() for o in opts if o.strip()]) for q, opts in more_questions or []]
    answers.append(check_more_questions(kind, more))
    answers.append(check_within(ctx.protocol, kind_key, within, ctx.viewer))
    rectified = None
    if amends is not None:
        rectified = RegisterEntry.objects.filter(pk=amends, assembly=ctx.assembly).first()
        answers.append(
            check_rectify(ctx.protocol, kind_key, found=rectified is not None, amendment=amendment)
        )
    recalled = None
    if recalls is not None:
        recalled = (
            Tenure.objects.current()
            .filter(pk=recalls, office__assembly=ctx.assembly)
            .select_related("office", "holder")
            .first()
        )
        answers.append(
            check_recall(
                ctx.protocol,
                kind_key,
                recalled.office.slug if recalled is not None else None,
                with_other=bool(amendment or amends),
                usual_options=options == default_options(kind, title),
            )
        )
    require(combine(*answers))
    return do_propose(
        within=within or None,
        more_questions=[{"question": q, "options": opts} for q, opts in more],
        recalls=recalled,
        amends=rectified,
        assembly=ctx.assembly,
        protocol=ctx.protocol,
        kind_key=kind_key,
        proposer=user,
        title=title,
        body=body,
        options=options,
        simple_question=simple_question,
        urgent=urgent,
        event_at=event_at,
        amendment=amendment,
        protocol_text=protocol_text if amendment else "",
        refers_to=refers_to,
        referral=referral,
    )


def debate_forum(protocol: Protocol) -> str | None:
    return next((k for k, f in protocol.forums.items() if f.role == "votes"), None)


def _version_in_force(assembly: Assembly) -> Any:
    in_force = protocol_in_force(assembly)
    return in_force.version if in_force is not None else None


@transaction.atomic
def do_propose(
    *,
    assembly: Assembly,
    protocol: Protocol,
    kind_key: str,
    proposer: Any,
    title: str,
    body: str,
    options: list[str],
    simple_question: bool = False,
    urgent: bool = False,
    event_at: datetime | None = None,
    amendment: str = "",
    protocol_text: str = "",
    created_at: datetime | None = None,
    refers_to: Any = None,
    referral: str = "",
    amends: Any = None,
    recalls: Any = None,
    more_questions: list[dict[str, Any]] | None = None,
    within: str | None = None,
) -> Proposal:
    kind = protocol.decision_kinds[kind_key]
    forum = debate_forum(protocol)
    thread = None
    if forum is not None:
        # VOTE-3: the proposal is debated in a thread of the Votes forum, under its tag.
        thread = do_open_thread(
            assembly=assembly,
            forum_key=forum,
            author=proposer,
            title=title[:200],
            tag=kind.forum_tag or kind.tag or "",
            body=body,
        )
    proposal = Proposal.objects.create(
        assembly=assembly,
        kind=kind_key,
        title=title,
        body=body,
        body_html=render(body),
        options=options,
        thread=thread,
        proposer=proposer,
        created_at=created_at or timezone.now(),
        simple_question=simple_question,
        urgent=urgent,
        event_at=event_at,
        amendment=amendment,
        protocol_text=protocol_text,
        base_version=_version_in_force(assembly) if amendment else None,
        refers_to=refers_to,
        referral=referral,
        amends=amends,
        recalls=recalls,
        more_questions=more_questions or None,
        within=within,
    )
    record("decision.propose", actor=proposer, assembly=assembly, subject=proposal, kind=kind_key)
    return proposal


# --- moving it on ---------------------------------------------------------------------------


def _before_launch(state: ProposalState) -> Answer:
    if state.stage in (Stage.DEBATE, Stage.DRAFTING, Stage.READY):
        return Answer.yes()
    return _no(
        "proposal_moved_on",
        gettext_noop("This proposal is past that stage."),
    )


def validate_answer(ctx: DecisionContext, proposal: Proposal, state: ProposalState) -> Answer:
    """Art. 7.1: while it still gathers its supports, a holder of the validate_polls power
    validates a poll alone. The page asks this to show the button; the action requires it."""
    answer = may_validate(ctx.protocol, proposal.kind, ctx.viewer, timezone.localdate())
    if not answer:
        return answer
    if proposal.validated_at is not None:
        return _no("validated_already", gettext_noop("This poll is validated already."))
    if state.stage != Stage.DEBATE:
        return _no(
            "validate_in_debate",
            gettext_noop("A poll is validated while it gathers its supports."),
        )
    return Answer.yes()


def check_validate(ctx: DecisionContext, user: Any, proposal: Proposal) -> Proposal:
    require(validate_answer(ctx, proposal, state_of(ctx, proposal)))
    return do_validate(proposal=proposal, user=user)


@transaction.atomic
def do_validate(*, proposal: Proposal, user: Any) -> Proposal:
    if not Proposal.objects.filter(pk=proposal.pk, validated_at__isnull=True).update(
        validated_at=timezone.now(), validated_by=user
    ):
        raise Refused.because(
            Reason("validated_already", gettext_noop("This poll is validated already."))
        )
    proposal.refresh_from_db()
    record("decision.validate", actor=user, assembly=proposal.assembly, subject=proposal)
    if proposal.proposer_id != user.pk:  # the proposer learns their poll moved on
        from folkmoot.notifications.send import notify as tell

        tell(
            "validated",
            [proposal.proposer_id],
            actor=user,
            assembly=proposal.assembly,
            proposal=proposal,
        )
    return proposal


def approve_text_answer(ctx: DecisionContext, proposal: Proposal, state: ProposalState) -> Answer:
    """VOTE-3, OFF-2: a drafter approves the text while the proposal waits for it. The page
    asks this to show the button; the action requires it."""
    stage_ok = (
        Answer.yes()
        if state.stage == Stage.DRAFTING
        else _no(
            "not_drafting",
            gettext_noop("This proposal is not waiting for its text to be approved."),
        )
    )
    return combine(
        may_approve_text(ctx.protocol, proposal.kind, ctx.viewer, timezone.localdate()), stage_ok
    )


def check_approve_text(ctx: DecisionContext, user: Any, proposal: Proposal) -> DraftingApproval:
    kind = ctx.kind_of(proposal)
    require(approve_text_answer(ctx, proposal, state_of(ctx, proposal)))
    assert kind.drafting is not None
    return do_approve_text(proposal=proposal, person=user, office=kind.drafting.office)


@transaction.atomic
def do_approve_text(*, proposal: Proposal, person: Any, office: str) -> DraftingApproval:
    approval = create_once(
        DraftingApproval,
        Reason("already_approved", gettext_noop("You have already approved this text.")),
        proposal=proposal,
        person=person,
        office=office,
    )
    record("decision.approve_text", actor=person, assembly=proposal.assembly, subject=proposal)
    return approval


def check_support(ctx: DecisionContext, user: Any, proposal: Proposal, *, office: str) -> bool:
    """VOTE-3: "+1 as <office>" on the proposal's opening post; again takes it back. Returns
    whether the support now stands."""
    from folkmoot.forums.actions import check_react, forum_context

    from .state import opening_post

    kind = ctx.kind_of(proposal)
    if office not in {s.office for s in kind.supports}:
        raise Refused.because(
            Reason(
                "support_not_counted",
                gettext_noop("Supports in that capacity do not count for this kind."),
            )
        )
    require(_before_launch(state_of(ctx, proposal)))
    post = opening_post(proposal)
    if post is None:
        raise NotFound(proposal.pk)
    forum_ctx = forum_context(user, proposal.assembly)
    from folkmoot.forums import selectors as forum_selectors

    place = forum_selectors.place_of(forum_ctx.protocol, post.thread)
    return check_react(forum_ctx, user, post, place, value=1, as_office=office) is not None


def withdraw_answer(
    ctx: DecisionContext, user: Any, proposal: Proposal, state: ProposalState
) -> Answer:
    """VOTE-7: before the vote, the proposer, or one of those who launch votes; nobody in
    a closed assembly (issue 13)."""
    if ctx.viewer.closed_on is not None:
        return closed(ctx.viewer.closed_on)
    if proposal.proposer_id is not None and proposal.proposer_id == getattr(user, "pk", None):
        return _before_launch(state)
    launcher = may_launch(ctx.protocol, proposal.kind, ctx.viewer, timezone.localdate())
    return combine(_before_launch(state), launcher)


def check_withdraw(
    ctx: DecisionContext, user: Any, proposal: Proposal, *, reason: str = ""
) -> Proposal:
    """VOTE-7: the proposer withdraws before the vote; those who launch votes withdraw a
    proposal that breaks the rules, and must say why."""
    is_proposer = proposal.proposer_id == user.pk
    answers = [withdraw_answer(ctx, user, proposal, state_of(ctx, proposal))]
    if not is_proposer and not reason.strip():
        answers.append(_no("withdraw_reason", gettext_noop("Say why the proposal is withdrawn.")))
    answers.append(at_most(reason.strip(), 300, "reason"))
    require(combine(*answers))
    return do_withdraw(proposal=proposal, actor=user, reason=reason.strip())


@transaction.atomic
def do_withdraw(*, proposal: Proposal, actor: Any, reason: str) -> Proposal:
    Proposal.objects.filter(pk=proposal.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdraw_reason=reason[:300]
    )
    proposal.refresh_from_db()
    record(
        "decision.withdraw",
        actor=actor,
        assembly=proposal.assembly,
        subject=proposal,
        reason=reason,
    )
    if actor.pk != proposal.proposer_id:
        transaction.on_commit(lambda: notify.withdrawn(proposal))
    from .amending import lapse_urgent_change

    lapse_urgent_change(proposal)  # art. 3: withdrawn, an urgent change is not ratified
    return proposal


# --- launching (VOTE-5) ---------------------------------------------------------------------


def launch_answer(ctx: DecisionContext, proposal: Proposal, state: ProposalState) -> Answer:
    """VOTE-3..5: one who launches votes of this kind, once the proposal is ready; consensus
    kinds are not launched (their vote opens by itself when consensus fails)."""
    answers = [may_launch(ctx.protocol, proposal.kind, ctx.viewer, timezone.localdate())]
    if ctx.kind_of(proposal).consensus is not None:
        answers.append(
            _no(
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
        from .weekly import turn_of  # VOTE-7: one a week, in order of arrival

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
            _no(
                "secrecy_fixed", gettext_noop("Whether this vote is secret is set by the protocol.")
            )
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
    vote = Vote.objects.create(
        assembly=ctx.assembly,
        proposal=proposal,
        kind=kind_key,
        title=title,
        description=description,
        method=method or COUNTED_AS[kind.method],
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
        created_at=opens_at,
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
    transaction.on_commit(lambda: notify.announce_in_chat(vote))
    return vote


def option_order(vote: Vote, person_key: Any) -> list[str]:
    """VOTE-5: options in an order of the voter's own, the same each time they look."""
    options = list(vote.options)
    if vote.random_order:
        random.Random(f"{vote.pk}:{vote.lot_seed}:{person_key}").shuffle(options)
    return options


# --- consensus (VOTE-1) ---------------------------------------------------------------------


def _in_round(
    ctx: DecisionContext, state: ProposalState, audience: Any, code: str, template: str
) -> list[Answer]:
    """Acting in a consensus round: someone of the audience, not sanctioned, while a round
    is open."""
    answers = [
        check_acting(
            ctx.protocol,
            audience,
            ctx.viewer,
            timezone.localdate(),
            code=code,
            template=template,
            params={},
        )
    ]
    if state.stage != "consensus":
        answers.append(
            _no("no_round", gettext_noop("No consensus round is open on this proposal."))
        )
    return answers


def check_respond(
    ctx: DecisionContext, user: Any, proposal: Proposal, *, response: str, reason: str = ""
) -> ConsensusResponse:
    state = state_of(ctx, proposal)
    answers = _in_round(
        ctx,
        state,
        ctx.kind_of(proposal).voters,
        "may_not_respond",
        gettext_noop("Only %(who)s may respond to this proposal."),
    )
    if response not in {"agree", "stand_aside", "block"}:
        answers.append(
            _no("bad_response", gettext_noop("Respond with agree, stand aside or block."))
        )
    if response == "block" and not reason.strip():
        answers.append(_no("block_reason", gettext_noop("A block needs its reason.")))
    answers.append(at_most(reason.strip(), 2_000, "reason"))
    require(combine(*answers))
    assert state.consensus is not None
    return do_respond(
        proposal=proposal,
        person=user,
        round=state.consensus.round,
        response=response,
        reason=reason.strip(),
    )


@transaction.atomic
def do_respond(
    *, proposal: Proposal, person: Any, round: int, response: str, reason: str
) -> ConsensusResponse:
    row, _created = ConsensusResponse.objects.update_or_create(
        proposal=proposal,
        round=round,
        person=person,
        defaults={"response": response, "reason": reason, "created_at": timezone.now()},
    )
    record(
        "decision.respond",
        actor=person,
        assembly=proposal.assembly,
        subject=proposal,
        round=round,
        response=response,
    )
    return row


def check_gather_option(
    ctx: DecisionContext, user: Any, proposal: Proposal, *, label: str
) -> ProposalOption:
    """VOTE-1: while consensus is sought, members may put forward another option; should
    consensus fail, the STAR vote offers them all."""
    state = state_of(ctx, proposal)
    label = label.strip()
    answers = _in_round(
        ctx,
        state,
        ctx.kind_of(proposal).proposers,
        "may_not_add_option",
        gettext_noop("Only %(who)s may add options."),
    )
    if not label or len(label) > 200:
        answers.append(_no("bad_option", gettext_noop("An option has 1 to 200 characters.")))
    if label in proposal.options:
        answers.append(_no("same_option", gettext_noop("Each option must be different.")))
    require(combine(*answers))
    option = create_once(
        ProposalOption,
        Reason("same_option", gettext_noop("Each option must be different.")),
        proposal=proposal,
        label=label,
        author=user,
    )
    record("decision.add_option", actor=user, assembly=proposal.assembly, subject=proposal)
    return option
