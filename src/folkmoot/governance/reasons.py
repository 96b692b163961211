"""Answers that carry their reason, so the interface can say *why* (issue 3).

The core cannot import Django's translation machinery, so it marks message templates with
`gettext_noop` (a no-op of its own, that `makemessages` extracts) and the Django layer translates them when shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it here."""
    return message


@dataclass(frozen=True, slots=True)
class Reason:
    """A translatable message template and its `%(name)s` parameters."""

    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, translate: Any = None, language: str = "en") -> str:
        """The message in `language`; `translate` is gettext from the caller. A parameter
        that knows how to render itself (a name given in the protocol's four languages, a
        list of audiences) is rendered in the same language."""
        text = translate(self.template) if translate else self.template
        if not self.params:
            return text
        params = {
            key: value.render(translate, language) if hasattr(value, "render") else value
            for key, value in self.params.items()
        }
        return text % params


@dataclass(frozen=True, slots=True)
class Answer:
    """Yes or no, with the reasons behind a no (empty when allowed)."""

    allowed: bool
    reasons: tuple[Reason, ...] = ()

    def __bool__(self) -> bool:
        return self.allowed

    @classmethod
    def yes(cls) -> Answer:
        return cls(True)

    @classmethod
    def no(cls, *reasons: Reason) -> Answer:
        return cls(False, reasons)


def combine(*answers: Answer) -> Answer:
    """Allowed only if every answer allows; a refusal lists every reason at once."""
    reasons = tuple(r for a in answers if not a.allowed for r in a.reasons)
    return Answer(not reasons, reasons)


def written_reason(text: str, *, missing: Reason, limit: int = 300) -> Answer:
    """A reason someone must write (a withdrawal, an absence, a lifting): given, and not
    longer than `limit`, said in words rather than cut."""
    if not text:
        return Answer.no(missing)
    if len(text) > limit:
        return Answer.no(
            Reason(
                "too_long",
                gettext_noop(
                    "The reason is too long: at most %(limit)s characters (it has %(length)s)."
                ),
                {"limit": limit, "length": len(text)},
            )
        )
    return Answer.yes()
