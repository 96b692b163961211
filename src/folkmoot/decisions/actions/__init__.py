"""Proposals and votes (VOTE-1..12, PRO-2): every permission comes from the governance core,
asked with the facts the platform holds about the person; stages are computed when read.

The actions of proposals, one module a step, all of them importable from here:

- `context`: the decision context, access to a proposal, its stage, shared refusals;
- `proposing`: opening a proposal (amendments, rectifications, recalls, internal votes);
- `moving_on`: supports, the drafters' approval, validation, withdrawal;
- `consensus`: the consensus rounds' responses and options;
- `launching`: launching the vote and opening it, the voter's order of options.

Ballots are cast in `decisions.ballots`, results settled in `decisions.settle`, decisions
referred in `decisions.referrals`."""

from .consensus import check_gather_option, check_respond, do_respond
from .context import (
    KIND_RETIRED,
    DecisionContext,
    access_proposal,
    at_most,
    decision_context,
    electorate_size,
    no,
    state_of,
)
from .launching import check_launch, do_open_vote, launch_answer, option_order
from .moving_on import (
    approve_text_answer,
    check_approve_text,
    check_support,
    check_validate,
    check_withdraw,
    do_approve_text,
    do_validate,
    do_withdraw,
    validate_answer,
    withdraw_answer,
)
from .proposing import (
    amendment_kind,
    check_propose,
    debate_forum,
    default_options,
    do_propose,
    known_kind,
)

__all__ = [
    "KIND_RETIRED",
    "DecisionContext",
    "access_proposal",
    "amendment_kind",
    "approve_text_answer",
    "at_most",
    "check_approve_text",
    "check_gather_option",
    "check_launch",
    "check_propose",
    "check_respond",
    "check_support",
    "check_validate",
    "check_withdraw",
    "debate_forum",
    "decision_context",
    "default_options",
    "do_approve_text",
    "do_open_vote",
    "do_propose",
    "do_respond",
    "do_validate",
    "do_withdraw",
    "electorate_size",
    "known_kind",
    "launch_answer",
    "no",
    "option_order",
    "state_of",
    "validate_answer",
    "withdraw_answer",
]
