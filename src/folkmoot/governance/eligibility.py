"""Who may join an assembly (MEM-2): age range, declared attribute, membership of another
assembly, seniority. Pure functions of (rules, facts, today)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .reasons import Answer, Reason, combine, gettext_noop


@dataclass(frozen=True, slots=True)
class EligibilityRules:
    min_age: int | None = None
    max_age: int | None = None
    required_attribute: str | None = None
    required_attribute_label: str = ""
    required_assembly_id: int | None = None
    required_assembly_title: str = ""
    min_seniority_days: int | None = None

    @property
    def is_open(self) -> bool:
        return not any(
            (
                self.min_age is not None,
                self.max_age is not None,
                self.required_attribute,
                self.required_assembly_id is not None,
                self.min_seniority_days,
            )
        )


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the rules may look at. `seniority_days` is continuous membership of the
    federation the assembly belongs to (MEM-3); None when not a member of it."""

    birth_date: date | None = None
    attributes: frozenset[str] = frozenset()
    assembly_ids: frozenset[int] = frozenset()
    seniority_days: int | None = None


def age_on(birth_date: date, today: date) -> int:
    """Completed years, as a birthday is celebrated (29 Feb counts on 1 Mar)."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def check_age(rules: EligibilityRules, person: PersonFacts, today: date) -> Answer:
    if rules.min_age is None and rules.max_age is None:
        return Answer.yes()
    if person.birth_date is None:
        return Answer.no(
            Reason(
                "age_unknown",
                gettext_noop(
                    "This assembly is for people aged %(range)s: add your birth date to your profile."
                ),
                {"range": age_range_text(rules)},
            )
        )
    age = age_on(person.birth_date, today)
    too_young = rules.min_age is not None and age < rules.min_age
    too_old = rules.max_age is not None and age > rules.max_age
    if too_young or too_old:
        return Answer.no(
            Reason(
                "age_out_of_range",
                gettext_noop("This assembly is for people aged %(range)s; you are %(age)s."),
                {"range": age_range_text(rules), "age": age},
            )
        )
    return Answer.yes()


def age_range_text(rules: EligibilityRules) -> str:
    if rules.min_age is not None and rules.max_age is not None:
        return f"{rules.min_age}–{rules.max_age}"
    if rules.min_age is not None:
        return f"{rules.min_age}+"
    return f"≤{rules.max_age}"


def check_attribute(rules: EligibilityRules, person: PersonFacts) -> Answer:
    if not rules.required_attribute or rules.required_attribute in person.attributes:
        return Answer.yes()
    return Answer.no(
        Reason(
            "attribute_missing",
            gettext_noop("This assembly is for people who declare themselves: %(attribute)s."),
            {"attribute": rules.required_attribute_label or rules.required_attribute},
        )
    )


def check_required_assembly(rules: EligibilityRules, person: PersonFacts) -> Answer:
    if rules.required_assembly_id is None or rules.required_assembly_id in person.assembly_ids:
        return Answer.yes()
    return Answer.no(
        Reason(
            "assembly_membership_missing",
            gettext_noop("Only members of %(assembly)s may join this assembly."),
            {"assembly": rules.required_assembly_title},
        )
    )


def check_seniority(rules: EligibilityRules, person: PersonFacts) -> Answer:
    if not rules.min_seniority_days:
        return Answer.yes()
    days = person.seniority_days or 0
    if days >= rules.min_seniority_days:
        return Answer.yes()
    return Answer.no(
        Reason(
            "seniority_too_short",
            gettext_noop(
                "Joining needs %(required)s days of continuous membership of the federation; "
                "you have %(days)s."
            ),
            {"required": rules.min_seniority_days, "days": days},
        )
    )


def check_eligibility(rules: EligibilityRules, person: PersonFacts, today: date) -> Answer:
    """Every unmet rule is reported at once, so a person learns everything they lack."""
    return combine(
        check_age(rules, person, today),
        check_attribute(rules, person),
        check_required_assembly(rules, person),
        check_seniority(rules, person),
    )
