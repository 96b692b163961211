"""Adopting what an amendment carries (PRO-2, PRO-3): onto the version in force now, so that
an amendment adopted meanwhile is not undone (preamble ¶3, the latest prevails); and art. 3's
urgent change of forums (FOR-5), in force once every coordinator agrees, then ratified by its
referendum or lapsing, which adopts the version that restores what it changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from folkmoot.audit.log import record
from folkmoot.forums.actions import do_reply
from folkmoot.governance.amendment import (
    check_latest_prevails,
    check_urgent_agreement,
    rebase,
    urgent_change_agreed,
)
from folkmoot.governance.protocol import Protocol, ProtocolInvalid, load_protocol
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.governance.schedule import Stage
from folkmoot.offices.models import Tenure
from folkmoot.protocols.actions import do_adopt_protocol_version
from folkmoot.protocols.selectors import protocol_in_force, protocol_of_version
from folkmoot.refusals import Refused, create_once, require

from .models import Proposal, UrgentAgreement


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def rebased(proposal: Proposal, protocol: Protocol) -> tuple[str, Answer]:
    """The document to adopt: the amendment's own, or, when another was adopted since it
    was proposed, its changes carried onto the version in force (preamble ¶3: the latest
    prevails where both changed a rule, unless the protocol keeps the earlier decision)."""
    base = proposal.base_version
    current = protocol_in_force(proposal.assembly)
    if base is None or current is None or current.version.pk == base.pk:
        return proposal.protocol_text, Answer.yes()
    merged, conflicts = rebase(
        yaml.safe_load(base.document),
        yaml.safe_load(current.version.document),
        yaml.safe_load(proposal.protocol_text),
    )
    answer = check_latest_prevails(protocol, conflicts)
    document = _dump(merged)
    try:
        load_protocol(document)
    except ProtocolInvalid:
        answer = combine(
            answer,
            Answer.no(
                Reason(
                    "amendment_merge_invalid",
                    gettext_noop(
                        "Carried onto the protocol in force now, it would not be a valid protocol."
                    ),
                )
            ),
        )
    return document, answer


def _say_in_thread(proposal: Proposal, text: str, author: Any = None) -> None:
    if proposal.thread is not None:
        do_reply(thread=proposal.thread, author=author or proposal.proposer, body=text)


# --- art. 3: an urgent change of forums ----------------------------------------------------------


@dataclass(frozen=True)
class UrgentChange:
    """Where a change of forums stands on its urgent path (shown on the proposal's page)."""

    office: str
    holders: frozenset[int]
    agreed: frozenset[int]
    applied: bool
    lapsed: bool

    @property
    def agreeing(self) -> int:
        return len(self.holders & self.agreed)


def changes_forums(protocol: Protocol, proposal: Proposal) -> bool:
    """A partial amendment, proposed as the kind that changes forums, that changes them."""
    rule = protocol.forum_changes
    if rule is None or proposal.amendment != "partial" or proposal.kind != rule.decision_kind:
        return False
    old = protocol_of_version(proposal.base_version_id) if proposal.base_version_id else protocol
    try:
        new = load_protocol(proposal.protocol_text)
    except ProtocolInvalid:
        return False
    return old.forums != new.forums


def urgent_change_of(protocol: Protocol, proposal: Proposal) -> UrgentChange | None:
    """None for a proposal that cannot take the urgent path."""
    rule = protocol.forum_changes
    if rule is None or rule.urgent_office is None or not changes_forums(protocol, proposal):
        return None
    holders = Tenure.objects.in_office(timezone.now()).filter(
        office__assembly=proposal.assembly, office__slug=rule.urgent_office
    )
    return UrgentChange(
        office=rule.urgent_office,
        holders=frozenset(holders.values_list("holder_id", flat=True)),
        agreed=frozenset(proposal.urgent_agreements.values_list("holder_id", flat=True)),
        applied=proposal.urgent_version_id is not None,
        lapsed=proposal.urgent_lapsed_at is not None,
    )


def urgent_answer(ctx: Any, proposal: Proposal) -> Answer:
    from .actions import state_of

    stage = state_of(ctx, proposal).stage
    return check_urgent_agreement(
        ctx.protocol,
        ctx.viewer.offices,
        changes_forums=changes_forums(ctx.protocol, proposal),
        open_=stage not in (Stage.CLOSED, Stage.WITHDRAWN) and proposal.urgent_lapsed_at is None,
        applied=proposal.urgent_version_id is not None,
    )


def check_agree_urgent(ctx: Any, user: Any, proposal: Proposal) -> UrgentAgreement:
    require(urgent_answer(ctx, proposal))
    return do_agree_urgent(protocol=ctx.protocol, proposal=proposal, holder=user)


@transaction.atomic
def do_agree_urgent(*, protocol: Protocol, proposal: Proposal, holder: Any) -> UrgentAgreement:
    # Locking the proposal: the last two agreements at once apply the change once.
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.urgent_version_id is not None:  # applied while this request waited
        raise Refused.because(
            Reason(
                "urgent_applied",
                gettext_noop("It is already in force, until its referendum ratifies it."),
            )
        )
    agreement = create_once(
        UrgentAgreement,
        Reason("urgent_agreed_already", gettext_noop("You have already agreed to apply it now.")),
        proposal=proposal,
        holder=holder,
    )
    record("decision.urgent_agree", actor=holder, assembly=proposal.assembly, subject=proposal)
    change = urgent_change_of(protocol, proposal)
    if change is not None and urgent_change_agreed(change.holders, change.agreed):
        _apply_urgently(protocol, proposal)
    return agreement


def _apply_urgently(protocol: Protocol, proposal: Proposal) -> None:
    replaced = protocol_in_force(proposal.assembly)
    document, answer = rebased(proposal, protocol)
    if not answer:
        raise Refused(answer)
    version = do_adopt_protocol_version(
        assembly=proposal.assembly,
        document=document,
        actor=None,
        decision_reference=f"urgent:proposal:{proposal.pk}",
        note=proposal.title[:200],
    )
    Proposal.objects.filter(pk=proposal.pk).update(
        urgent_version=version,
        urgent_replaced_version=replaced.version if replaced is not None else None,
    )
    proposal.urgent_version = version
    proposal.urgent_replaced_version = replaced.version if replaced is not None else None
    record(
        "decision.urgent_apply",
        assembly=proposal.assembly,
        subject=proposal,
        version=version.number,
    )
    with translation.override(settings.LANGUAGE_CODE):
        _say_in_thread(
            proposal,
            gettext(
                "Every coordinator agreed: this change of forums is in force now (version "
                "%(number)s). Its referendum ratifies it, or it lapses."
            )
            % {"number": version.number},
        )


def lapse_urgent_change(proposal: Proposal, protocol: Protocol | None = None) -> None:
    """Art. 3: an urgent change its referendum does not ratify (not carried, or withdrawn)
    lapses: what it changed is restored on the version in force now, which keeps whatever
    was adopted since."""
    if proposal.urgent_version_id is None or proposal.urgent_lapsed_at is not None:
        return
    current = protocol_in_force(proposal.assembly)
    before = proposal.urgent_replaced_version or proposal.base_version
    if current is None or before is None or proposal.urgent_version is None:
        return
    # Its own changes are undone; a rule decided again since keeps that later decision.
    merged, _kept = rebase(
        yaml.safe_load(proposal.urgent_version.document),
        yaml.safe_load(current.version.document),
        yaml.safe_load(before.document),
        current_wins=True,
    )
    document = _dump(merged)
    try:
        load_protocol(document)
    except ProtocolInvalid:
        # Later amendments made the old forums unworkable: the change stays, and it is said.
        record("decision.urgent_lapse_failed", assembly=proposal.assembly, subject=proposal)
        return
    version = do_adopt_protocol_version(
        assembly=proposal.assembly,
        document=document,
        actor=None,
        decision_reference=f"lapsed:proposal:{proposal.pk}",
        note=proposal.title[:200],
    )
    Proposal.objects.filter(pk=proposal.pk).update(urgent_lapsed_at=timezone.now())
    proposal.urgent_lapsed_at = timezone.now()
    record(
        "decision.urgent_lapse",
        assembly=proposal.assembly,
        subject=proposal,
        version=version.number,
    )
    with translation.override(settings.LANGUAGE_CODE):
        _say_in_thread(
            proposal,
            gettext(
                "The urgent change lapses: its referendum did not ratify it. The forums are "
                "as before it (version %(number)s)."
            )
            % {"number": version.number},
        )


def apply_if_agreed(protocol: Protocol, proposal: Proposal) -> bool:
    """Art. 3: the change is in force once every holder now in office has agreed, also when
    the one who had not leaves office (the page that reads it, or the worker, applies it).
    Not once its referendum has been decided or it was withdrawn."""
    from .models import RegisterEntry

    if (
        proposal.urgent_version_id is not None
        or proposal.urgent_lapsed_at is not None
        or proposal.withdrawn_at is not None
    ):
        return False
    change = urgent_change_of(protocol, proposal)
    if change is None or not urgent_change_agreed(change.holders, change.agreed):
        return False
    if RegisterEntry.objects.filter(proposal=proposal).exists():
        return False
    try:
        with transaction.atomic():
            locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
            if locked.urgent_version_id is not None:
                return False
            _apply_urgently(protocol, locked)
    except Refused:
        return False  # carried onto the protocol now it would not be valid: it waits
    proposal.refresh_from_db()
    return True


def apply_agreed_urgent_changes() -> int:
    """The worker's pass: changes whose last holder to agree has left office."""
    applied = 0
    waiting = Proposal.objects.filter(
        urgent_version__isnull=True,
        urgent_lapsed_at__isnull=True,
        withdrawn_at__isnull=True,
        urgent_agreements__isnull=False,
    ).distinct()
    for proposal in waiting.select_related("assembly")[:200]:
        current = protocol_in_force(proposal.assembly)
        if current is not None and apply_if_agreed(current.protocol, proposal):
            applied += 1
    return applied
