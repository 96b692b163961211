"""`{% text_amendments proposal %}`: the proposal page's amendments (VOTE-14): each with its
change shown word by word, its answer, its supports, and the forms the reader may use; the
form to propose one, or why the text cannot be amended now."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

from folkmoot.amendments import actions, competing, selectors
from folkmoot.amendments.models import TextAmendment
from folkmoot.decisions.actions import access_proposal
from folkmoot.governance.redrafting import word_diff
from folkmoot.refusals import NotFound, Refused, reasons_text

register = template.Library()


@register.inclusion_tag("amendments/_section.html", takes_context=True)
def text_amendments(context: template.Context, proposal: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    # The proposal's page has read its context and state; elsewhere they are read here.
    ctx, state = context.get("decision_ctx"), context.get("state")
    try:
        if ctx is None or state is None:
            ctx, proposal = access_proposal(user, proposal.pk)
            state = None
        kind = ctx.kind_of(proposal)
    except (NotFound, Refused):
        return {"shown": False}
    if kind.text_amendments is None and not proposal.text_amendments.exists():
        return {"shown": False}
    open_answer = actions.amendable(ctx, proposal, state)
    vote = state.vote if state is not None else getattr(proposal, "vote", None)

    def on_ballot(rows: Sequence[TextAmendment]) -> set[int]:
        if vote is not None:  # the ballot says which competed
            return {a.number for a in rows if a.ballot_option}
        if open_answer:  # which would, were the vote to open now
            return {a.number for a in competing.chosen_among(kind, proposal, rows)}
        return set()

    rows = selectors.shown_amendments(proposal, user, on_ballot)
    signed_in = user is not None and user.is_authenticated
    may = actions.may_amend(ctx, user, proposal, state) if signed_in else None
    may_answer = bool(actions.may_answer(ctx, user, proposal, state)) if signed_in else False
    adopted, _text = competing.adopted_by(vote)
    rules = kind.text_amendments
    return {
        "shown": True,
        "proposal": proposal,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "rows": rows,
        "open": bool(open_answer),
        "closed_why": reasons_text(open_answer) if not open_answer else [],
        "may_amend": bool(may),
        "may_not_why": reasons_text(may) if may is not None and not may else [],
        "is_proposer": user is not None and user.pk == proposal.proposer_id,
        "may_answer": may_answer,
        "consensus": kind.consensus is not None,
        "need": rules.competing_supports if rules is not None else None,
        "versions": selectors.versions_count(rows, by_vote=adopted is not None),
        "adopted": adopted,
        "voted": vote is not None,
    }


@register.inclusion_tag("amendments/_on_ballot.html")
def ballot_amendments(vote: Any) -> dict[str, Any]:
    """The vote page: what each competing option changes in the text put to the vote."""
    if not vote.proposal_id:
        return {"rows": []}
    found = TextAmendment.objects.filter(proposal_id=vote.proposal_id).exclude(ballot_option="")
    return {"rows": [(a, word_diff(a.passage, a.replacement)) for a in found.order_by("number")]}
