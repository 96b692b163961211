"""Elected here, or appointed (issue 13, ASM-4, OFF-3): an office the protocol elects is
elected in every assembly under it, except a secretary where the assembly says its secretary
is not elected (seed 002's table); an office that is not elected is appointed by whom the
protocol's `appointed_by` names. Pure: the caller says what it knows."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .protocol import Office
from .reasons import Answer, Reason, gettext_noop

SECRETARY = "secretary"  # ASM-4: every assembly has one


def elected_here(key: str, rule: Office, *, secretary_elected: bool) -> bool:
    if not rule.voted:
        return False
    return secretary_elected if key == SECRETARY else True


def check_appointer(rule: Office, *, holds_appointing_office: bool) -> Answer:
    if rule.appointed_by is None:
        return Answer.no(
            Reason(
                "no_appointer",
                gettext_noop("The protocol names nobody to appoint to this office."),
            )
        )
    if not holds_appointing_office:
        return Answer.no(
            Reason(
                "not_appointer",
                gettext_noop("Only the office the protocol names appoints to this one."),
            )
        )
    return Answer.yes()


def check_appointed_office(key: str, rule: Office, *, secretary_elected: bool) -> Answer:
    if elected_here(key, rule, secretary_elected=secretary_elected):
        return Answer.no(
            Reason(
                "office_elected",
                gettext_noop("This office is elected here: its holders come from elections."),
            )
        )
    return Answer.yes()


def check_seat(held: int, seats: int, *, replacing: bool) -> Answer:
    if held >= seats and not replacing:
        return Answer.no(
            Reason(
                "seats_full",
                gettext_noop(
                    "Every seat of this office is held: choose whom the new holder replaces."
                ),
            )
        )
    return Answer.yes()


def check_until(until: date | None, today: date) -> Answer:
    if until is not None and until < today:
        return Answer.no(
            Reason("until_past", gettext_noop("The last day of the term cannot be in the past."))
        )
    return Answer.yes()


def default_until(rule: Office, now: datetime) -> datetime | None:
    """An appointment lasts the office's term where the protocol gives one, else until the
    holder is replaced."""
    return now + timedelta(days=rule.term_days) if rule.term_days else None


def check_elected_here(key: str, rule: Office, *, secretary_elected: bool) -> Answer:
    """Standing for an office makes sense only where it is elected."""
    if elected_here(key, rule, secretary_elected=secretary_elected):
        return Answer.yes()
    return Answer.no(
        Reason(
            "office_appointed",
            gettext_noop("This office is appointed here, not elected: nobody stands for it."),
        )
    )
