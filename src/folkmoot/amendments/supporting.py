"""Supporting an amendment (VOTE-14): members back an amendment the proposer did not take,
so that it competes on the ballot (`competing`); who may is who may amend (`actions`)."""

from __future__ import annotations

from typing import Any

from folkmoot.audit.log import record
from folkmoot.decisions.actions import DecisionContext
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.refusals import Refused, require

from .actions import amendable, taking_part
from .models import AmendmentSupport, TextAmendment


def check_support_amendment(
    ctx: DecisionContext, user: Any, amendment: TextAmendment, *, support: bool
) -> bool:
    """A member supports an amendment (or takes the support back) while the text is
    debated; the author's own support is implied, not counted."""
    proposal = amendment.proposal
    answers = []
    if proposal.proposer_id == user.pk:
        answers.append(
            Answer.no(
                Reason(
                    "proposer_answers",
                    gettext_noop(
                        "You answer the amendments to your proposal; others support them."
                    ),
                )
            )
        )
    else:
        try:
            answers.append(
                taking_part(
                    ctx,
                    user,
                    proposal,
                    gettext_noop("Only %(who)s may support amendments here."),
                )
            )
        except Refused as refused:
            answers.append(refused.answer)
    answers.append(amendable(ctx, proposal))
    if amendment.author_id == user.pk:
        answers.append(
            Answer.no(
                Reason("own_amendment", gettext_noop("Your own amendment needs others' support."))
            )
        )
    if amendment.withdrawn_at is not None or amendment.accepted:
        answers.append(
            Answer.no(
                Reason(
                    "amendment_closed",
                    gettext_noop(
                        "Only an amendment waiting for an answer or rejected is supported."
                    ),
                )
            )
        )
    require(combine(*answers))
    if support:
        _row, created = AmendmentSupport.objects.get_or_create(amendment=amendment, person=user)
    else:
        created = bool(
            AmendmentSupport.objects.filter(amendment=amendment, person=user).delete()[0]
        )
    if created:
        record(
            "amendment.support" if support else "amendment.unsupport",
            actor=user,
            assembly=proposal.assembly,
            subject=amendment,
        )
    return support
