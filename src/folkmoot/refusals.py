"""How actions say no. Views show the messages; the API returns them as JSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext

from folkmoot.governance.reasons import Answer, Reason


class NotFound(Exception):
    """Missing and forbidden look the same to the caller (DESIGN.md, `access_*`)."""


class Refused(Exception):
    """The governance core said no; `answer.reasons` say why."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer)
        self.answer = answer

    @classmethod
    def because(cls, reason: Reason) -> Refused:
        return cls(Answer.no(reason))

    @property
    def messages(self) -> list[str]:
        return reasons_text(self.answer)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.answer.reasons]


class Invalid(Refused):
    """What was sent is malformed (a score of 9, an option the vote does not have): the API
    answers 422 naming each field, where a well-formed request the rules refuse gets 403."""

    def __init__(self, answer: Answer, fields: list[str]) -> None:
        super().__init__(answer)
        self.fields = fields


def reasons_text(answer: Answer) -> list[str]:
    """The reasons of a refusal in the active language; moments are shown in local time and
    the active locale's format."""
    language = (get_language() or "en")[:2]
    return [_localised(reason).render(gettext, language) for reason in answer.reasons]


def _moment(value: Any) -> Any:
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return value


def _localised(reason: Reason) -> Reason:
    if not any(isinstance(v, date) for v in reason.params.values()):  # datetimes are dates
        return reason
    return Reason(reason.code, reason.template, {k: _moment(v) for k, v in reason.params.items()})


def require(answer: Answer) -> None:
    if not answer:
        raise Refused(answer)


def create_once(model: Any, refusal: Reason, **fields: Any) -> Any:
    """Create a row that a unique constraint allows only once (a second click, a second
    report, a second endorsement); the second time, refuse with `refusal` and change nothing."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError as again:
        raise Refused.because(refusal) from again
