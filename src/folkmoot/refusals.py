"""How actions say no. Views show the messages; the API returns them as JSON."""

from __future__ import annotations

from django.utils.translation import gettext

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


def reasons_text(answer: Answer) -> list[str]:
    """The reasons of a refusal in the active language."""
    return [reason.render(gettext) for reason in answer.reasons]


def require(answer: Answer) -> None:
    if not answer:
        raise Refused(answer)
