"""Recall (RED15M art. 8.3, "ser cesados según el protocolo establecido"): a holder is
removed before the term ends by the decision kind the office names (`recalled_by`); carried
for its first option, the seat passes as on resignation."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable
from datetime import datetime

from .audience import Named
from .protocol import Protocol
from .reasons import Answer, Reason, combine, gettext_noop


def check_recall(
    protocol: Protocol,
    kind_key: str,
    office_key: str | None,
    *,
    with_other: bool,
    usual_options: bool,
) -> Answer:
    """A holder now (`office_key` None: nobody holds that seat here now), of an office the
    protocol lets recall, by the kind it names; a recall is only that, and answered with the
    usual options, since the recall happens when its first option wins."""
    answers = []
    if not usual_options:
        answers.append(
            Answer.no(
                Reason(
                    "recall_options",
                    gettext_noop(
                        "A recall is answered with the usual options: leave the options empty."
                    ),
                )
            )
        )
    if office_key is None:
        answers.append(
            Answer.no(Reason("no_such_holder", gettext_noop("Nobody holds that seat here now.")))
        )
        return combine(*answers)
    rule = protocol.offices.get(office_key)
    if rule is None or rule.recalled_by is None:
        answers.append(
            Answer.no(
                Reason(
                    "no_recall",
                    gettext_noop("The protocol lets nobody recall holders of this office."),
                )
            )
        )
        return combine(*answers)
    if kind_key != rule.recalled_by:
        answers.append(
            Answer.no(
                Reason(
                    "recall_kind",
                    gettext_noop("Recalling one of the %(office)s is decided by %(kind)s."),
                    {
                        "office": Named(rule.plural or rule.name),
                        "kind": Named(protocol.decision_kinds[rule.recalled_by].name),
                    },
                )
            )
        )
    if with_other:
        answers.append(
            Answer.no(
                Reason(
                    "recall_only",
                    gettext_noop("A recall decides only the recall: not an amendment as well."),
                )
            )
        )
    return combine(*answers)


def recall_overtaken(
    *,
    proposed_at: datetime,
    holder: Hashable,
    elections: Iterable[tuple[datetime, Collection[Hashable]]],
) -> datetime | None:
    """Art. 8.3 with OFF-4: a recall proposed during one term and carried after its holder
    won an election of the office would end the mandate the electorate has just given. An
    election the holder won that closed after the recall was proposed overtakes it: the
    fresh mandate is the later decision. `elections`: each election of the office as (its
    close, its winners). Returns the close of the first such election, or None: the recall
    takes effect."""
    won = [closed for closed, winners in elections if closed > proposed_at and holder in winners]
    return min(won, default=None)
