"""What every page of the decisions shares: the objects they read, 404 for what is
missing or may not be seen, and the core's answers and refusals in words."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from folkmoot.decisions import actions, ballots
from folkmoot.decisions.models import Proposal, Vote
from folkmoot.governance.reasons import Answer
from folkmoot.http import Request
from folkmoot.refusals import NotFound, Refused, reasons_text


def shown(answer: Answer) -> dict[str, Any]:
    return {"allowed": answer.allowed, "reasons": reasons_text(answer)}


def redirect_refused(request: Request, refused: Refused, back: str) -> HttpResponse:
    for message in refused.messages:
        messages.error(request, message)
    return redirect(back)


def proposal_or_404(request: Request, pk: int) -> tuple[actions.DecisionContext, Proposal]:
    try:
        return actions.access_proposal(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such proposal.")) from missing


def vote_or_404(request: Request, pk: int) -> Vote:
    try:
        return ballots.access_vote(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such vote.")) from missing


def int_or_none(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdecimal() else None
