"""Amending a proposal's text (VOTE-14): propose, withdraw, support, and the proposer's
answer; the core (`governance.redrafting`) decides, these gather the facts and write.

Who may amend or support: whoever may vote on the proposal (its kind's voters, or the
office or group an internal vote is held within), not under a sanction; the same people who
respond to its consensus rounds. The proposer may always change their own text (a proposer
may be someone who does not vote, a participant), but not under a sanction either, nor in a
closed assembly.

What the text is when it changes is read again under the proposal's row lock, which the
opening of its vote takes too: an answer and a launch at the same moment do not both win."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from folkmoot.attachments.selectors import references
from folkmoot.audit.log import record
from folkmoot.decisions.actions import DecisionContext, access_proposal, state_of
from folkmoot.decisions.models import ConsensusResponse, DraftingApproval, Proposal
from folkmoot.decisions.state import ProposalState
from folkmoot.forums.actions import do_reply
from folkmoot.forums.text import render
from folkmoot.governance.audience import Audience, check_acting, closed, sanctioned
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.governance.redrafting import (
    WHY_LIMIT,
    check_amendable,
    check_answer,
    check_not_approved,
    check_passage,
    replace_passage,
)
from folkmoot.notifications.send import notify
from folkmoot.refusals import NotFound, Refused, require

from .models import ProposalVersion, TextAmendment


def _no(code: str, template: str, **params: Any) -> Answer:
    return Answer.no(Reason(code, template, dict(params)))


ANSWERED = Reason("answered", gettext_noop("This amendment was already answered or withdrawn."))


def access_amendment(
    user: Any, amendment_id: int
) -> tuple[DecisionContext, Proposal, TextAmendment]:
    """An amendment is as public as its proposal."""
    amendment = TextAmendment.objects.select_related("author").filter(pk=amendment_id).first()
    if amendment is None:
        raise NotFound(amendment_id)
    ctx, proposal = access_proposal(user, amendment.proposal_id)
    amendment.proposal = proposal
    return ctx, proposal, amendment


def _acting(ctx: DecisionContext) -> Answer:
    """Anyone acting here: not in a closed assembly, not under a sanction (SAN-6)."""
    if ctx.viewer.closed_on is not None:
        return closed(ctx.viewer.closed_on)
    if ctx.viewer.sanctioned_until is not None:
        return sanctioned(ctx.viewer)
    return Answer.yes()


def taking_part(ctx: DecisionContext, user: Any, proposal: Proposal, template: str) -> Answer:
    if getattr(user, "pk", None) is not None and user.pk == proposal.proposer_id:
        return _acting(ctx)
    kind = ctx.kind_of(proposal)
    audience = Audience(any_of=[proposal.within]) if proposal.within else kind.voters
    return check_acting(
        ctx.protocol,
        audience,
        ctx.viewer,
        timezone.localdate(),
        code="may_not_amend",
        template=template,
        params={},
    )


def amendable(
    ctx: DecisionContext, proposal: Proposal, state: ProposalState | None = None
) -> Answer:
    """Whether the text may change now (the page asks it to show the form, with the state
    it has read)."""
    try:
        kind = ctx.kind_of(proposal)
    except Refused as refused:  # a kind the protocol no longer has
        return refused.answer
    state = state or state_of(ctx, proposal)
    return check_amendable(
        state.stage,
        kind.text_amendments,
        protocol_amendment=bool(proposal.amendment),
        voted_on=state.vote is not None,
        supported=bool(kind.supports) or proposal.validated_at is not None,
    )


def may_amend(
    ctx: DecisionContext, user: Any, proposal: Proposal, state: ProposalState | None = None
) -> Answer:
    try:
        takes_part = taking_part(
            ctx, user, proposal, gettext_noop("Only %(who)s may amend this proposal.")
        )
    except Refused as refused:
        takes_part = refused.answer
    return combine(takes_part, amendable(ctx, proposal, state))


def may_answer(
    ctx: DecisionContext, user: Any, proposal: Proposal, state: ProposalState | None = None
) -> Answer:
    """The proposer answers while the text may change, if they may act at all."""
    if getattr(user, "pk", None) is None or user.pk != proposal.proposer_id:
        return _no("not_proposer", gettext_noop("Only the proposer accepts or rejects amendments."))
    return combine(_acting(ctx), amendable(ctx, proposal, state))


def _why(why: str) -> Answer:
    if len(why) > WHY_LIMIT:
        return _no(
            "long_why",
            gettext_noop("The explanation is too long: at most %(limit)s characters."),
            limit=WHY_LIMIT,
        )
    return Answer.yes()


def _as_in(body: str, text: str) -> str:
    """A passage as the browser sends it (CRLF line ends), with the line ends of the text it
    quotes, so that quoting finds it."""
    text = text.replace("\r\n", "\n")
    return text.replace("\n", "\r\n") if "\r\n" in body else text


def _approved(proposal: Proposal) -> bool:
    return DraftingApproval.objects.filter(proposal_id=proposal.pk).exists()


def _text_may_change(
    ctx: DecisionContext, proposal: Proposal, amendment: TextAmendment, *, own: bool
) -> Answer:
    """What must hold for the text to take an amendment now (read again under the lock)."""
    return combine(
        amendable(ctx, proposal),
        check_answer(
            proposer=True,
            pending=amendment.pending if not own else True,
            accept=True,
            reason="",
            text=proposal.body,
            passage=amendment.passage,
            replacement=amendment.replacement,
            approved=_approved(proposal),
        ),
    )


def check_propose_amendment(
    ctx: DecisionContext,
    user: Any,
    proposal: Proposal,
    *,
    passage: str,
    replacement: str,
    why: str = "",
) -> TextAmendment:
    passage, replacement = _as_in(proposal.body, passage), _as_in(proposal.body, replacement)
    own = user.pk == proposal.proposer_id
    answers = [
        may_amend(ctx, user, proposal),
        check_passage(proposal.body, passage, replacement),
        _why(why.strip()),
    ]
    if own:  # the proposer's change is made at once: not past the drafters' approval
        answers.append(check_not_approved(_approved(proposal)))
    require(combine(*answers))
    return do_propose_amendment(
        ctx=ctx,
        proposal=proposal,
        author=user,
        passage=passage,
        replacement=replacement,
        why=why.strip(),
    )


@transaction.atomic
def do_propose_amendment(
    *,
    proposal: Proposal,
    author: Any,
    passage: str,
    replacement: str,
    why: str,
    ctx: DecisionContext | None = None,
) -> TextAmendment:
    """Numbered under the proposal's row lock, so two amendments at once get two numbers. The
    proposer's own amendment is their change of the text: made at once, if the text may
    still change now (read again under the lock)."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    number = (locked.text_amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    amendment = TextAmendment(
        proposal=locked,
        number=number,
        author=author,
        passage=passage,
        replacement=replacement,
        why=why,
    )
    own = author.pk == locked.proposer_id
    if ctx is not None:
        require(
            _text_may_change(ctx, locked, amendment, own=True)
            if own
            else combine(amendable(ctx, locked), check_passage(locked.body, passage, replacement))
        )
    amendment.save()
    record(
        "amendment.propose",
        actor=author,
        assembly=locked.assembly,
        subject=amendment,
        proposal=locked.pk,
        number=number,
    )
    if own:
        _accept(locked, amendment, author, reason="")
    else:
        notify(
            "text_amendment",
            [locked.proposer_id],
            actor=author,
            proposal=locked,
            assembly=locked.assembly_id,
            subject=amendment,
        )
    proposal.body, proposal.body_html = locked.body, locked.body_html
    return amendment


def check_answer_amendment(
    ctx: DecisionContext, user: Any, amendment: TextAmendment, *, accept: bool, reason: str = ""
) -> TextAmendment:
    proposal = amendment.proposal
    answers = [
        check_answer(
            proposer=user.pk == proposal.proposer_id,
            pending=amendment.pending,
            accept=accept,
            reason=reason.strip(),
            text=proposal.body,
            passage=amendment.passage,
            replacement=amendment.replacement,
            approved=_approved(proposal),
        )
    ]
    if user.pk == proposal.proposer_id:
        answers.append(may_answer(ctx, user, proposal))
    require(combine(*answers))
    return do_answer_amendment(
        amendment=amendment, by=user, accept=accept, reason=reason.strip(), ctx=ctx
    )


@transaction.atomic
def do_answer_amendment(
    *,
    amendment: TextAmendment,
    by: Any,
    accept: bool,
    reason: str,
    ctx: DecisionContext | None = None,
) -> TextAmendment:
    proposal = Proposal.objects.select_for_update().get(pk=amendment.proposal_id)
    row = TextAmendment.objects.select_for_update().get(pk=amendment.pk)
    if not row.pending:  # answered meanwhile, by another tab
        raise Refused.because(ANSWERED)
    if ctx is not None:  # the vote may have opened, or the text changed, since it was checked
        require(
            _text_may_change(ctx, proposal, row, own=False) if accept else amendable(ctx, proposal)
        )
    if accept:
        _accept(proposal, row, by, reason=reason)
    else:
        row.accepted, row.answer, row.answered_at = False, reason, timezone.now()
        row.save(update_fields=["accepted", "answer", "answered_at"])
        record("amendment.reject", actor=by, assembly=proposal.assembly, subject=row, reason=reason)
    if row.author_id != by.pk:
        notify(
            "amendment_answered",
            [row.author_id],
            actor=by,
            proposal=proposal,
            assembly=proposal.assembly_id,
            subject=row,
        )
    amendment.accepted, amendment.answer, amendment.answered_at = (
        row.accepted,
        row.answer,
        row.answered_at,
    )
    return row


def _accept(proposal: Proposal, amendment: TextAmendment, by: Any, *, reason: str) -> None:
    """The text changes, and the change is kept as a version: version 1 (the text as
    proposed) is written when it first changes. The debate hears of it, in a reply that
    links to the versions; those who already responded to the current consensus round are
    told, since they responded to another text."""
    now = timezone.now()
    if not ProposalVersion.objects.filter(proposal=proposal).exists():
        ProposalVersion.objects.create(
            proposal=proposal, number=1, body=proposal.body, made_at=proposal.created_at
        )
    last = ProposalVersion.objects.filter(proposal=proposal).aggregate(n=Max("number"))["n"]
    proposal.body = replace_passage(proposal.body, amendment.passage, amendment.replacement)
    # Rendered with the proposal's own files, as `attachments` renders it, so the images the
    # text names stay in place.
    proposal.body_html = render(proposal.body, references("proposal", proposal.pk))
    proposal.save(update_fields=["body", "body_html"])
    ProposalVersion.objects.create(
        proposal=proposal, number=last + 1, body=proposal.body, made_at=now, made_by=amendment
    )
    amendment.accepted, amendment.answer, amendment.answered_at = True, reason, now
    amendment.save(update_fields=["accepted", "answer", "answered_at"])
    record(
        "amendment.accept",
        actor=by,
        assembly=proposal.assembly,
        subject=amendment,
        version=last + 1,
    )
    thread = proposal.thread
    if thread is not None and not thread.moved_to:  # not into a thread moderation moved
        # The reply links to the change rather than quoting it: a quote would carry what
        # the amendment's author wrote (their @mentions, too) under the proposer's name.
        do_reply(
            thread=thread,
            author=by,
            body=gettext(
                "The text now reads as version %(version)s (amendment %(number)s): "
                "[what changed](/decisions/%(proposal)s/versions/)."
            )
            % {"version": last + 1, "number": amendment.number, "proposal": proposal.pk},
        )
    responded = ConsensusResponse.objects.filter(proposal=proposal).values_list(
        "person_id", flat=True
    )
    if responded:
        notify(
            "text_changed",
            list(set(responded)),
            actor=by,
            proposal=proposal,
            assembly=proposal.assembly_id,
            occasion=f"version:{last + 1}",
        )


def check_withdraw_amendment(
    ctx: DecisionContext, user: Any, amendment: TextAmendment
) -> TextAmendment:
    """Its author withdraws an amendment not taken into the text, before the vote (a
    rejected one then no longer competes, e.g. to propose it again corrected)."""
    answers = [_acting(ctx)]
    if amendment.author_id != user.pk:
        answers.append(
            _no("not_author", gettext_noop("Only its author may withdraw an amendment."))
        )
    if amendment.accepted or amendment.withdrawn_at is not None:
        answers.append(Answer.no(ANSWERED))
    answers.append(amendable(ctx, amendment.proposal))
    require(combine(*answers))
    with transaction.atomic():
        Proposal.objects.select_for_update().filter(pk=amendment.proposal_id).first()
        require(amendable(ctx, amendment.proposal))
        updated = (
            TextAmendment.objects.filter(pk=amendment.pk, withdrawn_at__isnull=True)
            .exclude(accepted=True)
            .update(withdrawn_at=timezone.now())
        )
        if not updated:
            raise Refused.because(ANSWERED)
    amendment.refresh_from_db()
    record(
        "amendment.withdraw",
        actor=user,
        assembly=amendment.proposal.assembly,
        subject=amendment,
    )
    return amendment
