"""Sanction states from stored facts, by the core's rules (SAN-4..6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from folkmoot.governance.protocol import Sanctions
from folkmoot.governance.sanctions import (
    EndorsementState,
    endorsement_status,
    expires_at,
    non_grata_lifted_at,
    sanction_in_force,
)

from .models import Sanction


@dataclass
class SanctionState:
    sanction: Sanction
    state: EndorsementState
    deadline: datetime | None
    ends_at: datetime
    in_force: bool


def endorsement(
    rules: Sanctions, sanction: Sanction, now: datetime
) -> tuple[EndorsementState, datetime | None]:
    return endorsement_status(
        rules,
        needed=sanction.needs_endorsement,
        imposed_at=sanction.imposed_at,
        imposer=str(sanction.imposed_by_id),
        endorsers={str(e.endorser_id): e.endorsed_at for e in sanction.endorsements.all()},
        now=now,
        duration=sanction.duration,
    )


def state_of(rules: Sanctions, sanction: Sanction, now: datetime) -> SanctionState:
    state, deadline = endorsement(rules, sanction, now)
    if sanction.non_grata and state is not EndorsementState.LAPSED:
        # SAN-3: non grata is sanctioned the maximum at every appearance: in force until
        # lifted, by as many holders of the office as the protocol names.
        lifted = non_grata_lifted_at(
            rules, {str(x.backer_id): x.at for x in sanction.liftings.all()}, now
        )
        if lifted is not None:
            return SanctionState(sanction, state, deadline, lifted, False)
        return SanctionState(
            sanction, state, deadline, datetime.max.replace(tzinfo=now.tzinfo), True
        )
    ends = expires_at(
        imposed_at=sanction.imposed_at, duration=sanction.duration, state=state, deadline=deadline
    )
    return SanctionState(
        sanction,
        state,
        deadline,
        ends,
        sanction_in_force(
            imposed_at=sanction.imposed_at, duration=sanction.duration, state=state, now=now
        ),
    )


def bounce_in_force(rules: Sanctions, sanction: Sanction, now: datetime) -> datetime | None:
    """SAN-5: an off-protocol sanction that lapsed unbacked puts half of it on whoever imposed
    it, from the moment it lapsed. Returns when that bounce ends, if it is in force now."""
    if sanction.level != "off_protocol":
        return None
    state, deadline = endorsement(rules, sanction, now)
    if state is not EndorsementState.LAPSED or deadline is None:
        return None
    ends = deadline + sanction.duration * rules.off_protocol_bounce
    return ends if deadline <= now < ends else None
