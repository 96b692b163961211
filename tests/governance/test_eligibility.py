"""MEM-2 eligibility rules, decided by the core without a database."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from folkmoot.governance.eligibility import (
    EligibilityRules,
    PersonFacts,
    age_on,
    check_eligibility,
)

TODAY = date(2026, 11, 22)
YOUTH = EligibilityRules(min_age=18, max_age=30)


def test_a_person_aged_25_may_join_the_youth_assembly():
    assert check_eligibility(YOUTH, PersonFacts(birth_date=date(2001, 1, 1)), TODAY)


def test_a_person_turning_31_tomorrow_is_still_30_today():
    person = PersonFacts(birth_date=date(1995, 11, 23))
    assert age_on(person.birth_date, TODAY) == 30
    assert check_eligibility(YOUTH, person, TODAY)


def test_a_person_who_turned_31_today_is_refused_with_their_age():
    answer = check_eligibility(YOUTH, PersonFacts(birth_date=date(1995, 11, 22)), TODAY)
    assert not answer
    (reason,) = answer.reasons
    assert reason.code == "age_out_of_range"
    assert reason.render() == "This assembly is for people aged 18–30; you are 31."


def test_a_seventeen_year_old_is_refused():
    answer = check_eligibility(YOUTH, PersonFacts(birth_date=date(2009, 11, 23)), TODAY)
    assert [r.code for r in answer.reasons] == ["age_out_of_range"]


def test_without_a_birth_date_the_person_is_told_to_add_one():
    answer = check_eligibility(YOUTH, PersonFacts(), TODAY)
    assert [r.code for r in answer.reasons] == ["age_unknown"]
    assert "birth date" in answer.reasons[0].render()


def test_leap_day_birthdays_count_on_the_first_of_march():
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_declared_attribute_is_required_when_the_assembly_asks_for_it():
    rules = EligibilityRules(
        required_attribute="disabled", required_attribute_label="Disabled person"
    )
    assert check_eligibility(rules, PersonFacts(attributes=frozenset({"disabled"})), TODAY)
    refused = check_eligibility(rules, PersonFacts(), TODAY)
    assert refused.reasons[0].render() == (
        "This assembly is for people who declare themselves: Disabled person."
    )


def test_membership_of_another_assembly_can_be_required():
    rules = EligibilityRules(required_assembly_id=7, required_assembly_title="Youth Assembly")
    assert check_eligibility(rules, PersonFacts(assembly_ids=frozenset({7})), TODAY)
    refused = check_eligibility(rules, PersonFacts(assembly_ids=frozenset({8})), TODAY)
    assert refused.reasons[0].render() == "Only members of Youth Assembly may join this assembly."


def test_seniority_counts_days_of_continuous_membership():
    rules = EligibilityRules(min_seniority_days=60)
    assert check_eligibility(rules, PersonFacts(seniority_days=60), TODAY)
    refused = check_eligibility(rules, PersonFacts(seniority_days=59), TODAY)
    assert "you have 59" in refused.reasons[0].render()
    assert not check_eligibility(rules, PersonFacts(seniority_days=None), TODAY)


def test_every_unmet_rule_is_reported_at_once():
    rules = EligibilityRules(
        min_age=18, max_age=30, required_attribute="disabled", min_seniority_days=10
    )
    answer = check_eligibility(rules, PersonFacts(birth_date=date(1950, 1, 1)), TODAY)
    assert [r.code for r in answer.reasons] == [
        "age_out_of_range",
        "attribute_missing",
        "seniority_too_short",
    ]


def test_no_rules_means_everyone_is_eligible():
    assert EligibilityRules().is_open
    assert check_eligibility(EligibilityRules(), PersonFacts(), TODAY)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
)
def test_age_never_decreases_as_time_passes(born: date, later: date):
    if later < born:
        born, later = later, born
    assert age_on(born, later) >= 0
    assert age_on(born, later) <= age_on(born, TODAY)


@given(
    st.integers(min_value=0, max_value=120),
    st.integers(min_value=0, max_value=120),
    st.integers(0, 120),
)
def test_age_range_admits_exactly_the_ages_inside_it(low: int, high: int, age: int):
    low, high = min(low, high), max(low, high)
    born = date(TODAY.year - age, 1, 1)
    answer = check_eligibility(
        EligibilityRules(min_age=low, max_age=high), PersonFacts(birth_date=born), TODAY
    )
    assert answer.allowed == (low <= age <= high)
