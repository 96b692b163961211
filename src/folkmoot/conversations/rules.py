"""The rules of private messages (FOR-6), pure Python like the governance core (no Django
here): how many people a conversation holds, what a message may be, and who may write to
whom — blocks, and sanctions (SAN-6) with their one exception, the appeal. The Django side
gathers the facts and asks these functions; pages and API refuse with their reasons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop, written_reason

MAX_PEOPLE = 12  # everyone in a conversation, whoever started it included
BODY_LENGTH = 5000
SUBJECT_LENGTH = 120
REASON_LENGTH = 300


@dataclass(frozen=True)
class Standing:
    """A sanction in force on the writer in one assembly (SAN-6), and who may hear their
    appeal there: the current holders of the sanctioning power (RED15M: coordinators)."""

    assembly: str  # its title
    until: datetime
    reason: str
    hears_appeals: frozenset[int]  # their ids
    who: Any  # the offices that hear it, rendered in the reader's language


def check_people(others: int) -> Answer:
    """`others`: the people chosen besides the writer."""
    if others < 1:
        return Answer.no(
            Reason("people_none", gettext_noop("Choose at least one person to write to."))
        )
    if others + 1 > MAX_PEOPLE:
        return Answer.no(
            Reason(
                "people_too_many",
                gettext_noop(
                    "A conversation has at most %(limit)s people, you included: you chose "
                    "%(count)s others."
                ),
                {"limit": MAX_PEOPLE, "count": others},
            )
        )
    return Answer.yes()


def check_named(count: int) -> Answer:
    """`count`: how many people a form or a call names, asked before anyone is looked up,
    so that a list of thousands costs nothing. More than a conversation can hold is too
    many whoever they are (the writer among them, or one named twice)."""
    if count > MAX_PEOPLE:
        return Answer.no(
            Reason(
                "people_too_many",
                gettext_noop(
                    "A conversation has at most %(limit)s people, you included: you named "
                    "%(count)s."
                ),
                {"limit": MAX_PEOPLE, "count": count},
            )
        )
    return Answer.yes()


def check_group(*, direct: bool) -> Answer:
    """People are added to a group conversation only: one between two people stays theirs."""
    if not direct:
        return Answer.yes()
    return Answer.no(
        Reason(
            "add_to_direct",
            gettext_noop(
                "Nobody is added to a conversation between two people: start a group "
                "conversation instead."
            ),
        )
    )


def check_adding(
    *,
    direct: bool,
    present: int,
    chosen: int,
    already_in: Iterable[str],
    left: Iterable[str],
    blocked: Iterable[str],
) -> Answer:
    """Adding people to a conversation, by someone in it. `present`: the people in it now,
    the adder included; `chosen`: the new people; `already_in`, `left`, `blocked`: the names
    of those chosen who are in it already, who left it, and who block, or are blocked by,
    someone in it. The limit is the one a conversation starts with (`check_people`),
    counted over those in it now: someone who left no longer is, and is not brought back
    (leaving is their choice, which others may not undo). A block between the newcomer and
    anyone in it keeps them out, and the reason names the newcomer only: who blocks whom
    is nobody else's business."""
    if direct:
        return check_group(direct=True)
    already_in, left, blocked = sorted(already_in), sorted(left), sorted(blocked)
    if chosen < 1 and not (already_in or left):
        return Answer.no(Reason("add_none", gettext_noop("Choose at least one person to add.")))
    answers = []
    if present + chosen > MAX_PEOPLE:
        answers.append(
            Answer.no(
                Reason(
                    "people_too_many",
                    gettext_noop(
                        "A conversation has at most %(limit)s people: %(present)s are in this "
                        "one, so you may add %(room)s more (you chose %(count)s)."
                    ),
                    {
                        "limit": MAX_PEOPLE,
                        "present": present,
                        "room": max(MAX_PEOPLE - present, 0),
                        "count": chosen,
                    },
                )
            )
        )
    for code, template, names in (
        ("already_in", gettext_noop("Already in this conversation: %(people)s."), already_in),
        (
            "left_before",
            gettext_noop("Left this conversation, and may not be brought back: %(people)s."),
            left,
        ),
        (
            "add_blocked",
            gettext_noop(
                "Cannot be added, because of a block between them and someone in this "
                "conversation: %(people)s."
            ),
            blocked,
        ),
    ):
        if names:
            answers.append(Answer.no(Reason(code, template, {"people": ", ".join(names)})))
    return combine(*answers)


def check_pace(*, sent: int, limit: int, wait: int) -> Answer:
    """At most `limit` messages a minute per person (settings.PRIVATE_MESSAGES_PER_MINUTE):
    `sent` in the last minute, the next place free in `wait` seconds."""
    if limit <= 0 or sent < limit:
        return Answer.yes()
    return Answer.no(
        Reason(
            "too_fast",
            gettext_noop(
                "You are sending private messages too fast: at most %(limit)s a minute. "
                "Send it again in %(seconds)s s."
            ),
            {"limit": limit, "seconds": max(wait, 1)},
        )
    )


def check_body(body: str) -> Answer:
    if not body:
        return Answer.no(Reason("body_empty", gettext_noop("Write the message.")))
    if len(body) > BODY_LENGTH:
        return Answer.no(
            Reason(
                "body_too_long",
                gettext_noop(
                    "The message is too long: at most %(limit)s characters (it has %(length)s)."
                ),
                {"limit": BODY_LENGTH, "length": len(body)},
            )
        )
    return Answer.yes()


def check_subject(subject: str) -> Answer:
    if len(subject) > SUBJECT_LENGTH:
        return Answer.no(
            Reason(
                "subject_too_long",
                gettext_noop("The subject has at most %(limit)s characters."),
                {"limit": SUBJECT_LENGTH},
            )
        )
    return Answer.yes()


def check_not_blocked(blocked_by: Iterable[str]) -> Answer:
    """`blocked_by`: the names of the people who block the writer, among those the message
    would reach (for a new conversation, everyone chosen; in a one-to-one, the other)."""
    names = sorted(blocked_by)
    if not names:
        return Answer.yes()
    return Answer.no(
        Reason(
            "blocked",
            gettext_noop("Not taking private messages from you: %(people)s."),
            {"people": ", ".join(names)},
        )
    )


def check_someone_listens(others_present: int) -> Answer:
    if others_present:
        return Answer.yes()
    return Answer.no(
        Reason(
            "nobody_left",
            gettext_noop("Everyone else has left this conversation: nobody would read you."),
        )
    )


def check_sanctions(standings: Iterable[Standing], recipients: Iterable[int]) -> Answer:
    """SAN-6 for private messages: a person under a sanction in force writes to nobody,
    except to the holders of the sanctioning power of an assembly that sanctioned them, so
    they can always appeal (FOR-6: "a sanctioned person can still write to coordination").
    Every recipient must be such a holder: an appeal is not a way to reach anyone else."""
    standings = list(standings)
    if not standings:
        return Answer.yes()
    hearing = frozenset().union(*(s.hears_appeals for s in standings))
    recipients = set(recipients)
    if recipients and recipients <= hearing:
        return Answer.yes()
    return combine(*(_sanctioned(s) for s in standings))


def _sanctioned(standing: Standing) -> Answer:
    params = {
        "assembly": standing.assembly,
        "until": standing.until,
        "reason": standing.reason,
        "who": standing.who,
    }
    if standing.until.year >= 9999:  # non grata: in force until lifted (SAN-3)
        return Answer.no(
            Reason(
                "sanctioned",
                gettext_noop(
                    "You are non grata in %(assembly)s until it is lifted (%(reason)s): you may "
                    "write private messages only to its %(who)s, to appeal."
                ),
                params,
            )
        )
    return Answer.no(
        Reason(
            "sanctioned",
            gettext_noop(
                "You are sanctioned in %(assembly)s until %(until)s (%(reason)s): until then you "
                "may write private messages only to its %(who)s, to appeal."
            ),
            params,
        )
    )


def check_report(reason: str, *, own: bool, hidden: bool) -> Answer:
    """`hidden`: the staff already hid the message; a new report would only reopen a
    decision already taken."""
    answers = [
        written_reason(
            reason,
            missing=Reason(
                "report_reason", gettext_noop("Say why you report it: the staff read it.")
            ),
            limit=REASON_LENGTH,
        )
    ]
    if own:
        answers.append(
            Answer.no(Reason("report_own", gettext_noop("You cannot report your own message.")))
        )
    if hidden:
        answers.append(
            Answer.no(
                Reason(
                    "report_hidden",
                    gettext_noop("The platform's staff have already hidden this message."),
                )
            )
        )
    return combine(*answers)
