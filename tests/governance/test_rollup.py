"""The roll-up rules of the core (BEY-4): what may go before the parent, and what it came to."""

import pytest

from folkmoot.governance.rollup import check_referable, referral_status, said_yes


def _codes(referral: str, **facts: object) -> list[str]:
    base: dict[str, object] = {
        "has_parent": True,
        "outcome": "carried",
        "is_election": False,
        "referred": False,
    }
    answer = check_referable(referral, **{**base, **facts})  # type: ignore[arg-type]
    return [r.code for r in answer.reasons]


def test_a_carried_decision_of_a_child_may_be_ratified_or_escalated() -> None:
    assert _codes("ratify") == [] and _codes("escalate") == []


@pytest.mark.parametrize("outcome", ["not_carried", "tie", "void", "no_quorum", "no_winner"])
def test_only_what_was_adopted_is_ratified_but_anything_escalates(outcome: str) -> None:
    assert _codes("ratify", outcome=outcome) == ["nothing_to_ratify"]
    assert _codes("escalate", outcome=outcome) == []


def test_every_reason_at_once() -> None:
    assert _codes("sideways", has_parent=False, is_election=True, referred=True) == [
        "unknown_referral",
        "no_parent",
        "election_not_referred",
        "already_referred",
    ]


@pytest.mark.parametrize(
    ("outcome", "winners", "status"),
    [
        (None, [], "pending"),
        ("carried", ["Yes"], "ratified"),
        ("consensus", ["Share the van"], "ratified"),
        ("decided", ["Yes"], "ratified"),
        ("decided", ["No"], "not_ratified"),
        ("not_carried", [], "not_ratified"),
        ("no_quorum", [], "not_ratified"),
    ],
)
def test_a_ratification_is_read_from_the_parents_decision(
    outcome: str | None, winners: list[str], status: str
) -> None:
    got = referral_status(
        "ratify", withdrawn=False, outcome=outcome, winners=winners, options=["Yes", "No"]
    )
    assert got == status


def test_an_escalation_is_decided_above_whatever_the_parent_chose() -> None:
    assert referral_status("escalate", withdrawn=False, outcome="tie") == "decided_above"
    assert referral_status("escalate", withdrawn=True, outcome=None) == "withdrawn"


def test_yes_means_the_first_option_won() -> None:
    assert said_yes("decided", ["Every week"], ["Every week", "Never"])
    assert not said_yes("decided", ["Never"], ["Every week", "Never"])
    assert not said_yes("decided", [], [])
