"""Founding a new assembly below another (ASM-2, issue 13): who may propose one, who
approves it, and which types the protocol allows. Pure: the caller says who the person is
in the parent assembly (a Viewer) and whether they hold the approving office."""

from __future__ import annotations

from datetime import date

from .audience import Viewer, check_audience
from .protocol import Founding, Protocol
from .reasons import Answer, Reason, gettext_noop


def founding_rules(protocol: Protocol | None) -> Answer:
    if protocol is None or protocol.founding is None:
        return Answer.no(
            Reason(
                "no_founding",
                gettext_noop("This assembly's protocol provides for no new assemblies below it."),
            )
        )
    return Answer.yes()


def may_propose_assembly(protocol: Protocol | None, viewer: Viewer, today: date) -> Answer:
    rules = founding_rules(protocol)
    if not rules:
        return rules
    assert protocol is not None and protocol.founding is not None
    return check_audience(
        protocol,
        protocol.founding.proposers,
        viewer,
        today,
        code="may_not_found",
        template=gettext_noop("Only %(who)s may propose a new assembly here."),
        params={},
    )


def check_assembly_type(founding: Founding, assembly_type: str) -> Answer:
    if founding.types and assembly_type not in founding.types:
        return Answer.no(
            Reason(
                "type_not_founded",
                gettext_noop("The protocol does not found assemblies of this type here: %(type)s."),
                {"type": assembly_type},
            )
        )
    return Answer.yes()


def check_approver(founding: Founding, holds_approving_office: bool) -> Answer:
    if holds_approving_office:
        return Answer.yes()
    return Answer.no(
        Reason(
            "not_approver",
            gettext_noop("Only the office the protocol names approves new assemblies."),
        )
    )
