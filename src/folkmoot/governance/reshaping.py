"""Moving, merging and closing assemblies (ASM-2, issue 13): who may propose such a change,
whether the protocol allows it, and whether the federation's shape lets it happen now.
Pure: the caller gathers the facts (`ShapeFacts`) and says who the person is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .audience import Viewer, check_acting
from .protocol import Protocol, Reshaping
from .reasons import Answer, Reason, gettext_noop

KINDS = ("move", "merge", "close")


def reshaping_rules(protocol: Protocol | None) -> Answer:
    if protocol is None or protocol.reshaping is None:
        return Answer.no(
            Reason(
                "no_reshaping",
                gettext_noop(
                    "The protocol of the assembly above this one provides for no moving, "
                    "merging or closing of its assemblies."
                ),
            )
        )
    return Answer.yes()


def may_propose_change(
    protocol: Protocol | None, viewer: Viewer, today: date, *, own_secretary: bool
) -> Answer:
    """`viewer`: the person in the assembly above; its own secretary may always propose."""
    rules = reshaping_rules(protocol)
    if not rules or own_secretary:
        return rules
    assert protocol is not None and protocol.reshaping is not None
    return check_acting(
        protocol,
        protocol.reshaping.proposers,
        viewer,
        today,
        code="may_not_reshape",
        template=gettext_noop("Only %(who)s may propose to move, merge or close this assembly."),
        params={},
    )


KIND_NAMES = {
    "move": gettext_noop("moving an assembly under another"),
    "merge": gettext_noop("merging an assembly into another"),
    "close": gettext_noop("closing an assembly"),
}


@dataclass(frozen=True)
class KindName:
    """A reason parameter naming a change in the reader's language."""

    kind: str

    def render(self, translate: Any, language: str) -> str:
        return str((translate or (lambda s: s))(KIND_NAMES.get(self.kind, self.kind)))


def check_kind(reshaping: Reshaping, kind: str) -> Answer:
    if kind in reshaping.allows:
        return Answer.yes()
    return Answer.no(
        Reason(
            "kind_not_allowed",
            gettext_noop("The protocol does not allow this change here: %(kind)s."),
            {"kind": KindName(kind)},
        )
    )


@dataclass(frozen=True)
class ShapeFacts:
    """What the federation looks like around the change."""

    is_root: bool
    closed: bool
    open_children: int  # assemblies directly inside it, not closed
    open_votes: int  # votes and elections still to be cast or counted in it
    target_given: bool = False
    target_closed: bool = False
    target_is_parent: bool = False  # for a move: it is already there
    target_inside: bool = False  # the target is the assembly itself or inside it
    target_elsewhere: bool = False  # the target is in another federation
    # Why the target's protocol founds no assembly of this type below it; None: it does.
    target_refuses_type: Answer | None = None
    # An assembly changing parent would follow other rules while votes are open in it.
    rules_change_under_votes: bool = False


def _no(code: str, text: str, **params: object) -> Answer:
    return Answer.no(Reason(code, text, params))


def check_change(kind: str, facts: ShapeFacts) -> Answer:
    """Whether `kind` can happen to the assembly now; every refusal says what to do first."""
    if kind not in KINDS:
        return _no("unknown_change", gettext_noop("Choose to move, merge or close the assembly."))
    if facts.is_root:
        return _no(
            "federation_not_reshaped",
            gettext_noop("A federation is not moved, merged or closed from here."),
        )
    if facts.closed:
        return _no("already_closed", gettext_noop("This assembly is already closed."))
    if kind in ("merge", "close") and facts.open_votes:
        return _no(
            "open_votes",
            gettext_noop(
                "Votes still open in this assembly: %(count)s. Wait for them to close first."
            ),
            count=facts.open_votes,
        )
    if kind == "close":
        if facts.open_children:
            return _no(
                "open_children",
                gettext_noop(
                    "Assemblies still open inside this one: %(count)s. Move, merge or close them "
                    "first."
                ),
                count=facts.open_children,
            )
        return Answer.yes()
    if not facts.target_given:
        return _no(
            "target_needed",
            gettext_noop("Choose the assembly to move it under.")
            if kind == "move"
            else gettext_noop("Choose the assembly to merge it into."),
        )
    if facts.target_inside:
        return _no(
            "target_inside",
            gettext_noop("An assembly cannot go under or into itself or an assembly inside it."),
        )
    if facts.target_elsewhere:
        return _no(
            "target_elsewhere",
            gettext_noop("The other assembly must be in the same federation."),
        )
    if facts.target_closed:
        return _no("target_closed", gettext_noop("The other assembly is closed."))
    if facts.rules_change_under_votes:
        return _no(
            "rules_change_under_votes",
            gettext_noop(
                "There it would follow another protocol while votes are still open: a vote is "
                "counted by the rules it opened under. Wait for them to close first."
            ),
        )
    if kind == "move":
        if facts.target_is_parent:
            return _no("already_there", gettext_noop("The assembly is already there."))
        return facts.target_refuses_type or Answer.yes()
    return Answer.yes()
