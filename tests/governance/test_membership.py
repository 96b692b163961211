"""MEM-1, MEM-2: join policies decided by the core."""

from datetime import date

from folkmoot.governance.eligibility import EligibilityRules, PersonFacts
from folkmoot.governance.membership import (
    JoinOutcome,
    JoinPolicy,
    JoinSituation,
    Status,
    check_may_leave,
    decide_join,
    seniority_days,
    status_on_joining,
)

TODAY = date(2026, 11, 22)


def situation(**changes: object) -> JoinSituation:
    base = dict(
        policy=JoinPolicy.OPEN,
        rules=EligibilityRules(),
        is_root=False,
        already_belongs=False,
        has_pending_request=False,
        in_federation=True,
    )
    base.update(changes)
    return JoinSituation(**base)  # type: ignore[arg-type]


def test_open_assembly_joins_at_once():
    decision = decide_join(situation(), PersonFacts(), TODAY)
    assert decision.answer and decision.outcome is JoinOutcome.JOIN


def test_approval_assembly_queues_a_request():
    decision = decide_join(situation(policy=JoinPolicy.APPROVAL), PersonFacts(), TODAY)
    assert decision.outcome is JoinOutcome.REQUEST


def test_automatic_assembly_cannot_be_joined_it_is_already_yours():
    decision = decide_join(situation(policy=JoinPolicy.AUTOMATIC), PersonFacts(), TODAY)
    assert not decision.answer
    assert "already belong" in decision.answer.reasons[0].render()


def test_automatic_assembly_tells_outsiders_to_join_the_federation():
    decision = decide_join(
        situation(policy=JoinPolicy.AUTOMATIC, in_federation=False), PersonFacts(), TODAY
    )
    assert "join the federation first" in decision.answer.reasons[0].render()


def test_joining_below_the_root_needs_the_federation_first():
    decision = decide_join(situation(in_federation=False), PersonFacts(), TODAY)
    assert decision.answer.reasons[0].code == "federation_first"


def test_a_root_can_be_joined_from_outside():
    decision = decide_join(situation(is_root=True, in_federation=False), PersonFacts(), TODAY)
    assert decision.outcome is JoinOutcome.JOIN


def test_no_second_membership_and_no_second_request():
    assert (
        decide_join(situation(already_belongs=True), PersonFacts(), TODAY).answer.reasons[0].code
        == "already_member"
    )
    pending = decide_join(
        situation(policy=JoinPolicy.APPROVAL, has_pending_request=True), PersonFacts(), TODAY
    )
    assert pending.answer.reasons[0].code == "request_pending"


def test_eligibility_applies_to_approval_assemblies_too():
    decision = decide_join(
        situation(policy=JoinPolicy.APPROVAL, rules=EligibilityRules(min_age=18, max_age=30)),
        PersonFacts(birth_date=date(1960, 1, 1)),
        TODAY,
    )
    assert decision.answer.reasons[0].code == "age_out_of_range"


def test_newcomers_status_comes_from_the_federation():
    assert (
        status_on_joining(is_root=True, root_grants=Status.MEMBER, federation_status=None)
        is Status.MEMBER
    )
    assert (
        status_on_joining(is_root=True, root_grants=Status.PARTICIPANT, federation_status=None)
        is Status.PARTICIPANT
    )
    assert (
        status_on_joining(
            is_root=False, root_grants=Status.PARTICIPANT, federation_status=Status.MEMBER
        )
        is Status.MEMBER
    )
    assert (
        status_on_joining(is_root=False, root_grants=Status.MEMBER, federation_status=None)
        is Status.PARTICIPANT
    )


def test_leaving_rules():
    assert check_may_leave(policy=JoinPolicy.OPEN, belongs=True)
    assert not check_may_leave(policy=JoinPolicy.OPEN, belongs=False)
    assert (
        check_may_leave(policy=JoinPolicy.AUTOMATIC, belongs=True).reasons[0].code
        == "automatic_leave"
    )


def test_seniority_is_whole_days_since_joining():
    assert seniority_days(date(2026, 9, 22), TODAY) == 61
    assert seniority_days(None, TODAY) is None
    assert seniority_days(date(2027, 1, 1), TODAY) == 0
