"""Pages for amending a proposal's text (VOTE-14): every button posts here and returns to
the proposal with the outcome, or with the core's reasons when it refuses (nothing changed).
Every form works without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.decisions.actions import DecisionContext, access_proposal
from folkmoot.decisions.models import Proposal
from folkmoot.http import AuthedRequest, Request
from folkmoot.refusals import NotFound, Refused

from . import actions, selectors, supporting
from .models import TextAmendment

Act = Callable[[DecisionContext, Proposal, TextAmendment], str]


def _back(proposal_id: int) -> HttpResponse:
    return redirect(f"/decisions/{proposal_id}/#amendments")


def _told(request: Request, refused: Refused) -> None:
    for message in refused.messages:
        messages.error(request, message)


@login_required
@require_POST
def propose(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        ctx, proposal = access_proposal(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such proposal.")) from missing
    try:
        amendment = actions.check_propose_amendment(
            ctx,
            request.user,
            proposal,
            passage=request.POST.get("passage", ""),
            replacement=request.POST.get("replacement", ""),
            why=request.POST.get("why", ""),
        )
    except Refused as refused:
        _told(request, refused)
        return _back(proposal.pk)
    if amendment.accepted:
        messages.success(request, _("Your change is made: the text has a new version."))
    else:
        messages.success(
            request,
            _("Amendment %(number)s is proposed: the proposer accepts or rejects it.")
            % {"number": amendment.number},
        )
    return _back(proposal.pk)


def _on_amendment(request: AuthedRequest, amendment_id: int, act: Act) -> HttpResponse:
    try:
        ctx, proposal, amendment = actions.access_amendment(request.user, amendment_id)
    except NotFound as missing:
        raise Http404(_("No such amendment.")) from missing
    try:
        messages.success(request, act(ctx, proposal, amendment))
    except Refused as refused:
        _told(request, refused)
    return _back(proposal.pk)


@login_required
@require_POST
def answer(request: AuthedRequest, amendment_id: int) -> HttpResponse:
    def act(ctx: DecisionContext, proposal: Proposal, amendment: TextAmendment) -> str:
        accept = request.POST.get("accept") == "1"
        actions.check_answer_amendment(
            ctx, request.user, amendment, accept=accept, reason=request.POST.get("reason", "")
        )
        return (
            _("Amendment %(number)s is accepted: the text has a new version.")
            if accept
            else _("Amendment %(number)s is rejected.")
        ) % {"number": amendment.number}

    return _on_amendment(request, amendment_id, act)


@login_required
@require_POST
def withdraw(request: AuthedRequest, amendment_id: int) -> HttpResponse:
    def act(ctx: DecisionContext, proposal: Proposal, amendment: TextAmendment) -> str:
        actions.check_withdraw_amendment(ctx, request.user, amendment)
        return _("Your amendment is withdrawn.")

    return _on_amendment(request, amendment_id, act)


@login_required
@require_POST
def support(request: AuthedRequest, amendment_id: int) -> HttpResponse:
    def act(ctx: DecisionContext, proposal: Proposal, amendment: TextAmendment) -> str:
        stands = supporting.check_support_amendment(
            ctx, request.user, amendment, support=request.POST.get("support") != "0"
        )
        return _("Your support is counted.") if stands else _("Support taken back.")

    return _on_amendment(request, amendment_id, act)


def versions(request: Request, pk: int) -> HttpResponse:
    """Every version of the text, each with what changed from the one before."""
    try:
        _ctx, proposal = access_proposal(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such proposal.")) from missing
    context: dict[str, Any] = {
        "proposal": proposal,
        "assembly": proposal.assembly,
        "versions": list(reversed(selectors.versions_of(proposal))),
    }
    return render(request, "amendments/versions.html", context)
