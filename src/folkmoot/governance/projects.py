"""Official projects (VOTE-2, Decidim's accountability, lightly): a binding decision carried
for a change becomes a project that someone carries out, with a status and a progress the
assembly follows in its register. Who steers it is the protocol's: the holders of the power
to launch votes (those who execute the assembly's will; RED15M art. 7.1) name its owner, and
the owner or they post its progress."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from .audience import Viewer, has_power
from .protocol import Power, Protocol
from .reasons import Answer, Reason, combine, gettext_noop

Status = Literal["planned", "in_progress", "done", "abandoned"]
STATUSES: tuple[Status, ...] = ("planned", "in_progress", "done", "abandoned")
DECIDED = ("carried", "decided", "consensus")


def becomes_project(
    *,
    makes_project: bool,
    binding: bool,
    outcome: str,
    winners: Sequence[str],
    options: Sequence[str],
    amendment: str,
) -> bool:
    """A binding decision of a kind that makes projects (RED15M: Proposal, art. 9.3), whose
    change won. Not a protocol amendment (adopting it is the whole of carrying it out), nor a
    yes/no decided for its second option ("No")."""
    if not makes_project or not binding or outcome not in DECIDED or amendment or not winners:
        return False
    return not (len(options) == 2 and winners[0] == options[1])


def _steers(protocol: Protocol, viewer: Viewer) -> bool:
    return has_power(protocol, viewer, Power.LAUNCH_VOTES)


def _not_steering() -> Answer:
    return Answer.no(
        Reason(
            "not_steering",
            gettext_noop("Only those who launch votes here, or the project's owner, may do this."),
        )
    )


def check_name_owner(protocol: Protocol, viewer: Viewer) -> Answer:
    if _steers(protocol, viewer):
        return Answer.yes()
    return Answer.no(
        Reason(
            "not_naming_owner",
            gettext_noop("Only those who launch votes here name a project's owner."),
        )
    )


def check_progress(
    protocol: Protocol, viewer: Viewer, *, is_owner: bool, status: str, progress: int, text: str
) -> Answer:
    """The owner or a holder of the power posts progress: a known status, a percentage, and
    a few words on what was done."""
    answers = [Answer.yes() if is_owner or _steers(protocol, viewer) else _not_steering()]
    if status not in STATUSES:
        answers.append(
            Answer.no(Reason("bad_status", gettext_noop("Choose the project's status.")))
        )
    if not 0 <= progress <= 100:
        answers.append(
            Answer.no(
                Reason(
                    "bad_progress",
                    gettext_noop("Progress is a percentage, from 0 to 100 (not %(progress)s)."),
                    {"progress": progress},
                )
            )
        )
    if not text.strip():
        answers.append(
            Answer.no(Reason("progress_text", gettext_noop("Say in a few words what was done.")))
        )
    elif len(text) > 5000:
        answers.append(
            Answer.no(
                Reason("progress_too_long", gettext_noop("At most 5,000 characters, please."))
            )
        )
    return combine(*answers)
