"""A convenient start (FOR-6, RED15M art. 7.1 "coordinators inform each other by private
message"): write to the current holders of an office of an assembly, or — for a person
under a sanction there — to those who hold its sanctioning power, to appeal. The people
are read when the conversation starts; it is then an ordinary conversation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language

from folkmoot.federation.actions import access_assembly
from folkmoot.federation.models import Assembly
from folkmoot.governance.reasons import Reason, gettext_noop
from folkmoot.notifications.recipients import holders_of
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, Refused, require

from . import rules
from .actions import blocker_ids_among, check_start
from .models import Conversation
from .standing import appeal_holders


@dataclass
class Holders:
    assembly: Assembly
    name: str  # the office (or offices) in the reader's language
    people: list[Any]  # those the message would reach, the writer left out


def office_holders(user: Any, slug: str, office: str) -> Holders:
    assembly = access_assembly(user, slug)
    in_force = protocol_in_force(assembly)
    if in_force is None or office not in in_force.protocol.offices:
        raise NotFound(office)
    rule = in_force.protocol.offices[office]
    language = get_language() or "en"
    people = [p for p in holders_of(assembly, office) if p.pk != getattr(user, "pk", None)]
    return Holders(assembly, (rule.plural or rule.name).get(language), people)


def appeal_to(user: Any, slug: str) -> Holders:
    """Those who hold the sanctioning power of the assembly (SAN-6's exception)."""
    assembly = access_assembly(user, slug)
    in_force = protocol_in_force(assembly)
    if in_force is None or in_force.protocol.sanctions is None:
        raise NotFound(slug)
    language = get_language() or "en"
    names = [
        (o.plural or o.name).get(language)
        for o in in_force.protocol.offices.values()
        if "sanction" in o.powers
    ]
    people = [p for p in appeal_holders(assembly) if p.pk != getattr(user, "pk", None)]
    return Holders(assembly, ", ".join(names), people)


def check_write_to(user: Any, holders: Holders, *, subject: str, body: str) -> Conversation:
    if not holders.people:
        raise Refused.because(
            Reason(
                "no_holders",
                gettext_noop("Nobody else holds it now: there is nobody to write to."),
            )
        )
    # Writing to an office is writing to whoever holds it: one holder's block keeps the
    # writer from that holder alone, not from the office. Otherwise a single coordinator
    # could stop a sanctioned person appealing at all (SAN-6's exception, FOR-6).
    blockers = blocker_ids_among(user, holders.people)
    reached = [p for p in holders.people if p.pk not in blockers]
    if not reached:
        require(rules.check_not_blocked(str(p) for p in holders.people))
    return check_start(user, to=[p.public_id for p in reached], subject=subject, body=body)
