"""A vote's result in a line, in the active language: what the proposal's thread, the forums
the protocol names and the chat are told when it is published (decisions.settle)."""

from __future__ import annotations

from django.utils.translation import gettext

from .models import Vote, VoteResult


def summary(vote: Vote, row: VoteResult) -> str:
    """The result in a line, in the active language (posts and chat)."""
    outcomes = {
        "carried": gettext("Carried: %(winners)s."),
        "decided": gettext("Decided: %(winners)s."),
        "not_carried": gettext("Not carried: no option passed the threshold."),
        "void": gettext("Void: more than half of the voters held the vote null."),
        "no_quorum": gettext("Not valid: the quorum was not reached."),
        "tie": gettext("An unbroken tie."),
        "no_winner": gettext("No winner."),
        "no_candidates": gettext("Nobody stood."),
        "consensus": gettext("Consensus reached."),
        "not_sealed": gettext("Nobody could vote: the guardians did not make the key in time."),
        "no_ballots": gettext("No ballot was counted: nothing was decided."),
    }
    text = outcomes.get(row.outcome, row.outcome) % {"winners": ", ".join(row.winners)}
    return gettext("Result of “%(title)s” (%(ballots)s ballots): %(text)s") % {
        "title": vote.title,
        "ballots": row.ballots,
        "text": text,
    }
