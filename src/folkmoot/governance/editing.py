"""Amending the protocol without writing YAML (issue 13, PRO-2): the rules a form can change,
as named fields over the protocol in force, and the differences the change makes, in the
reader's words. Pure: the form's values in, a new document and its differences out; the new
document is checked by `parse_protocol` like any other (PRO-1).

Field names: `forum.<key>.read|open_thread|reply` (audiences: the `any_of` list; an
audience's age, attribute and seniority conditions are kept), `office.<key>.seats`,
`office.<key>.term_days`, `kind.<key>.secret`, `kind.<key>.voting.min_days|default_days|
max_days`, `sanction.<key>.hours`."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .protocol import Protocol, parse_protocol
from .render import render_markdown

FORUM_ACTIONS = ("read", "open_thread", "reply")
VOTING_DAYS = ("min_days", "default_days", "max_days")


@dataclass(frozen=True)
class Change:
    """One line of the rules, as it read and as it would read ("" where there is none)."""

    before: str
    after: str
    where: str = ""  # the heading the line is under (the forum, the office, the kind)


def audiences_of(protocol: Protocol) -> list[str]:
    """What an audience may name in this protocol, broadest first."""
    return [
        "anonymous",
        "platform",
        "participant",
        "citizen",
        *(f"office:{key}" for key in protocol.offices),
        *(f"group:{key}" for key in protocol.groups),
    ]


def values_of(protocol: Protocol) -> dict[str, Any]:
    """The form's starting values: the protocol in force."""
    values: dict[str, Any] = {}
    for key, forum in protocol.forums.items():
        for action in FORUM_ACTIONS:
            values[f"forum.{key}.{action}"] = list(getattr(forum, action).any_of)
    for key, office in protocol.offices.items():
        values[f"office.{key}.seats"] = office.seats
        values[f"office.{key}.term_days"] = office.term_days
        if office.on_calendar:  # issue 16: its elections may be sealed
            values[f"office.{key}.sealed"] = office.sealed.guardians if office.sealed else ""
    for key, kind in protocol.decision_kinds.items():
        values[f"kind.{key}.secret"] = kind.secret
        # Issue 16: the office that guards its sealed ballots; "": not sealed.
        values[f"kind.{key}.sealed"] = kind.sealed.guardians if kind.sealed else ""
        if kind.voting is not None:
            for name in VOTING_DAYS:
                values[f"kind.{key}.voting.{name}"] = getattr(kind.voting, name)
    if protocol.sanctions is not None:
        for key, level in protocol.sanctions.levels.items():
            values[f"sanction.{key}.hours"] = level.hours
    return values


def apply_changes(document: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The document with the form's changes written in. Unknown names are ignored (the form
    offers only those `values_of` gives); the result is validated by `amended`."""
    data = copy.deepcopy(dict(document))
    for name, value in changes.items():
        part, key, *rest = name.split(".")
        section = {"forum": "forums", "office": "offices", "kind": "decision_kinds"}.get(part)
        if part == "sanction":
            target = data.get("sanctions", {}).get("levels", {}).get(key)
        elif section is not None:
            target = data.get(section, {}).get(key)
        else:
            continue
        if target is None or not rest:
            continue
        if part == "forum" and rest[0] in FORUM_ACTIONS:
            audience = target.get(rest[0])
            if isinstance(audience, dict):
                audience["any_of"] = list(value)
            else:
                target[rest[0]] = list(value)
        elif rest == ["sealed"]:
            _seal(target, str(value or ""))
        elif rest[0] == "voting" and len(rest) == 2:
            target.setdefault("voting", {})[rest[1]] = value
        elif len(rest) == 1:
            if value is None:
                target.pop(rest[0], None)
            else:
                target[rest[0]] = value
    return data


def _seal(target: dict[str, Any], guardians: str) -> None:
    """Seal a kind's votes or an office's elections under `guardians` (an office), keeping
    the threshold and hours already written; "" unseals them."""
    if not guardians:
        target.pop("sealed", None)
    elif isinstance(target.get("sealed"), dict):
        if target["sealed"].get("guardians") != guardians:
            # Another office: its threshold is its majority unless the text says otherwise.
            target["sealed"].pop("threshold", None)
        target["sealed"]["guardians"] = guardians
    else:
        target["sealed"] = {"guardians": guardians}


def amended(
    document: Mapping[str, Any], changes: Mapping[str, Any]
) -> tuple[dict[str, Any], Protocol]:
    """The new document and its protocol; raises ProtocolInvalid naming every problem."""
    data = apply_changes(document, changes)
    return data, parse_protocol(data)


def _heading(lines: list[str], index: int) -> str:
    for line in reversed(lines[:index]):
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return ""


def differences(
    before: Protocol,
    after: Protocol,
    language: str,
    translate: Callable[[str], str] | None = None,
) -> list[Change]:
    """The lines of the rules that change, side by side, in the reader's language (the
    protocol page's own text, so the diff says what the page will say)."""
    old = render_markdown(before, language, translate).splitlines()
    new = render_markdown(after, language, translate).splitlines()
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        left, right = old[a1:a2], new[b1:b2]
        where = _heading(new, b1) or _heading(old, a1)
        for i in range(max(len(left), len(right))):
            changes.append(
                Change(
                    left[i] if i < len(left) else "",
                    right[i] if i < len(right) else "",
                    where,
                )
            )
    return [c for c in changes if c.before.strip() or c.after.strip()]
