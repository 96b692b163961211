"""Amendments on the ballot (VOTE-14): when a proposal's vote opens, each amendment the
proposer did not take into the text (rejected, or left unanswered) that enough members
support is offered as a competing option, "adopt the text with amendment N", beside
adopting the text as the proposer kept it and rejecting it.

Only where that question can be asked fairly:
- the vote asks whether to adopt the text (its usual options; a poll's own options answer
  another question, which an amended text does not change), and decides nothing else (a
  recall, a referral, a MegaPoll);
- the ballot scores or approves each option (STAR, approval): on a single-choice ballot
  the yes votes would split between the texts, and the threshold the protocol sets for
  more than two options would sink a proposal most voters wanted in some form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext

from folkmoot.decisions.models import Proposal, Vote
from folkmoot.governance.casting import COUNTED_AS
from folkmoot.governance.protocol import DecisionKind
from folkmoot.governance.redrafting import (
    Candidate,
    ballot_options,
    competing,
    occurrences,
    replace_passage,
)

from .models import TextAmendment

# Counted methods (`Vote.method`) whose ballots mark every option on its own.
SCORED = frozenset({"star", "approval"})


def ballot_method(kind: DecisionKind) -> str:
    """How the proposal's vote will be counted: its kind's method, or for a consensus kind
    the fallback vote's, should consensus fail."""
    if kind.consensus is not None:
        return COUNTED_AS[kind.consensus.fallback_method]
    return COUNTED_AS[kind.method]


def usual_language(kind: DecisionKind, proposal: Proposal) -> str | None:
    """The language in which the proposal got the options it was given when none were
    written (`decisions.actions.default_options`), or None: options of its own."""
    from folkmoot.decisions.actions import default_options

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if list(proposal.options) == default_options(kind, proposal.title):
                return code
    return None


def may_compete(kind: DecisionKind, proposal: Proposal, method: str | None = None) -> bool:
    return (
        (method or ballot_method(kind)) in SCORED
        and not proposal.more_questions
        and not proposal.recalls_id
        and not proposal.refers_to_id
        and not proposal.amends_id
        and not proposal.amendment
        and usual_language(kind, proposal) is not None
    )


def competing_amendments(kind: DecisionKind, proposal: Proposal) -> list[TextAmendment]:
    """The amendments that would go to the vote if it opened now, in ballot order."""
    found = (
        TextAmendment.objects.filter(proposal=proposal, withdrawn_at__isnull=True)
        .exclude(accepted=True)
        .annotate(backing=Count("supports"))
    )
    return chosen_among(kind, proposal, list(found))


def chosen_among(
    kind: DecisionKind,
    proposal: Proposal,
    amendments: Sequence[TextAmendment],
    method: str | None = None,
) -> list[TextAmendment]:
    """`competing_amendments` among amendments already read with their supports counted
    (`backing`): not taken into the text nor withdrawn, still applying to the text as it is
    (its passage found there once), and chosen by the rules."""
    if not may_compete(kind, proposal, method):
        return []
    open_ = {
        a.number: a
        for a in amendments
        if a.accepted is not True
        and a.withdrawn_at is None
        and occurrences(proposal.body, a.passage) == 1
    }
    chosen = competing(
        [Candidate(a.number, getattr(a, "backing", 0)) for a in open_.values()],
        kind.text_amendments,
    )
    return [open_[n] for n in chosen]


def label_of(first_option: str, number: int) -> str:
    label = gettext("%(option)s, with amendment %(number)s") % {
        "option": first_option,
        "number": number,
    }
    if len(label) <= 200:
        return label
    return gettext("Adopt the text with amendment %(number)s") % {"number": number}


def join_ballot(
    kind: DecisionKind, proposal: Proposal, options: list[str], *, method: str, text: str
) -> list[str]:
    """The options the vote opens with. Each competing amendment keeps its option and the
    whole text that option offers (`text`, the text put to the vote, with the amendment
    applied), so the result names the text it adopts. Called under the proposal's lock, in
    the transaction that opens the vote; labels are in the language of the usual options."""
    if not options or not may_compete(kind, proposal, method):
        return options
    amended = competing_amendments(kind, proposal)
    language = usual_language(kind, proposal) or settings.LANGUAGE_CODE
    labels: list[str] = []
    for amendment in amended:
        with translation.override(language):
            label = label_of(options[0], amendment.number)
        if label in options or label in labels:
            continue  # an option of that name is already offered: no doubt about a winner
        TextAmendment.objects.filter(pk=amendment.pk).update(
            ballot_option=label,
            ballot_text=replace_passage(text, amendment.passage, amendment.replacement),
        )
        labels.append(label)
    return ballot_options(options, labels)


def adopted_by(vote: Vote | None) -> tuple[TextAmendment | None, str | None]:
    """Once the vote is counted: the competing amendment whose text won, and that text."""
    if vote is None or not getattr(vote, "result", None):
        return None, None
    winners: list[Any] = list(vote.result.winners or [])
    if not winners or vote.proposal_id is None:
        return None, None
    found = (
        TextAmendment.objects.filter(proposal_id=vote.proposal_id, ballot_option=winners[0])
        .exclude(ballot_option="")
        .first()
    )
    if found is None:
        return None, None
    return found, found.ballot_text


def adopt_if_won(vote: Vote) -> bool:
    """Once the vote is counted: if an amended text won, it becomes the proposal's text, a
    version "adopted by the vote", so the proposal, its API and its register entry read the
    text decided. Once: a second call finds the text already there."""
    from django.db import transaction
    from django.db.models import Max

    from folkmoot.attachments.selectors import references
    from folkmoot.audit.log import record
    from folkmoot.forums.text import render

    from .models import ProposalVersion

    amendment, text = adopted_by(vote)
    if amendment is None or text is None or vote.proposal_id is None:
        return False
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=vote.proposal_id)
        if ProposalVersion.objects.filter(proposal=proposal, by_vote=True).exists():
            return False
        versions = ProposalVersion.objects.filter(proposal=proposal)
        if not versions.exists():
            ProposalVersion.objects.create(
                proposal=proposal, number=1, body=proposal.body, made_at=proposal.created_at
            )
        last = versions.aggregate(n=Max("number"))["n"] or 1
        proposal.body = text
        proposal.body_html = render(text, references("proposal", proposal.pk))
        proposal.save(update_fields=["body", "body_html"])
        ProposalVersion.objects.create(
            proposal=proposal,
            number=last + 1,
            body=text,
            made_at=vote.closes_at or proposal.created_at,
            made_by=amendment,
            by_vote=True,
        )
        record(
            "amendment.adopted_by_vote",
            assembly=proposal.assembly,
            subject=amendment,
            vote=vote.pk,
            version=last + 1,
        )
    return True
