"""Adopting what an amendment carries (PRO-2, PRO-3): onto the version in force now, so that
an amendment adopted meanwhile is not undone (preamble ¶3, the latest prevails); and art. 3's
urgent change of forums (FOR-5), in force once every coordinator agrees, then ratified by its
referendum or lapsing, which adopts the version that restores what it changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
    ratify_by,
    rebase,
    urgent_change_agreed,
    urgent_change_lapses,
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
    # In force: by when its referendum must open (None: no limit). Lapsed for want of it.
    ratify_by: datetime | None = None
    lapsed_unopened: bool = False

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
    deadline, unopened = None, False
    if proposal.urgent_version is not None:
        applied_at = proposal.urgent_version.adopted_at
        deadline = ratify_by(protocol, applied_at)
        if proposal.urgent_lapsed_at is not None and deadline is not None:
            unopened = urgent_change_lapses(
                protocol,
                applied_at=applied_at,
                referendum_opened_at=_referendum_opened_at(proposal),
                now=proposal.urgent_lapsed_at,
            )
    return UrgentChange(
        office=rule.urgent_office,
        holders=frozenset(holders.values_list("holder_id", flat=True)),
        agreed=frozenset(proposal.urgent_agreements.values_list("holder_id", flat=True)),
        applied=proposal.urgent_version_id is not None,
        lapsed=proposal.urgent_lapsed_at is not None,
        ratify_by=deadline,
        lapsed_unopened=unopened,
    )


def _referendum_opened_at(proposal: Proposal) -> datetime | None:
    from .models import Vote

    return (
        Vote.objects.filter(proposal=proposal, opens_at__isnull=False)
        .values_list("opens_at", flat=True)
        .first()
    )


def tell_holders_to_agree(protocol: Protocol, proposal: Proposal) -> int:
    """Art. 3: the holders of the office whose agreement an urgent change of forums waits
    for hear of it, once each (the notifications' unique key); one who has agreed already,
    or who proposed it, is not told. Called when it is proposed, and by the worker's watch
    for a holder who took office since, while it still waits."""
    from folkmoot.notifications.send import notify

    change = urgent_change_of(protocol, proposal)
    if change is None or change.applied or change.lapsed or proposal.withdrawn_at is not None:
        return 0
    return notify(
        "urgent_to_agree",
        change.holders - change.agreed,
        actor=proposal.proposer_id,
        assembly=proposal.assembly,
        proposal=proposal,
        occasion=change.office,
    )


def urgent_answer(ctx: Any, proposal: Proposal) -> Answer:
    from .actions import state_of

    stage = state_of(ctx, proposal).stage
    return check_urgent_agreement(
        ctx.protocol,
        ctx.viewer.offices,
        changes_forums=changes_forums(ctx.protocol, proposal),
        open_=stage not in (Stage.CLOSED, Stage.WITHDRAWN),
        applied=proposal.urgent_version_id is not None,
        lapsed=proposal.urgent_lapsed_at is not None,
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


def lapse_urgent_change(
    proposal: Proposal, protocol: Protocol | None = None, *, unopened_days: int | None = None
) -> None:
    """Art. 3: an urgent change its referendum does not ratify (not carried, or withdrawn,
    or not opened within `unopened_days` of its coming into force) lapses: what it changed
    is restored on the version in force now, which keeps whatever was adopted since."""
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
        why="not_ratified" if unopened_days is None else "referendum_not_opened",
    )
    with translation.override(settings.LANGUAGE_CODE):
        if unopened_days is None:
            text = gettext(
                "The urgent change lapses: its referendum did not ratify it. The forums are "
                "as before it (version %(number)s)."
            )
        else:
            text = gettext(
                "The urgent change lapses: its referendum did not open within %(days)s days of "
                "its coming into force. The forums are as before it (version %(number)s)."
            )
        _say_in_thread(proposal, text % {"number": version.number, "days": unopened_days})


def lapse_if_overdue(protocol: Protocol, proposal: Proposal, now: datetime | None = None) -> bool:
    """Art. 3: an urgent change in force must be ratified by its referendum; one whose
    referendum has not opened within `forum_changes.ratify_within_days` of its coming into
    force lapses (the core's `urgent_change_lapses`). Once its referendum is decided, that
    decision stands. Called by the proposal's page when read, and by the worker."""
    from .models import RegisterEntry

    if proposal.urgent_version is None or proposal.urgent_lapsed_at is not None:
        return False
    now = now or timezone.now()
    if not urgent_change_lapses(
        protocol,
        applied_at=proposal.urgent_version.adopted_at,
        referendum_opened_at=_referendum_opened_at(proposal),
        now=now,
    ):
        return False
    if RegisterEntry.objects.filter(proposal=proposal).exists():
        return False
    rule = protocol.forum_changes
    assert rule is not None  # urgent_change_lapses says no without it
    with transaction.atomic():
        # Locking the proposal: two workers, or a worker and a page, lapse it once.
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.urgent_lapsed_at is not None:
            return False
        lapse_urgent_change(locked, protocol, unopened_days=rule.ratify_within_days)
    proposal.refresh_from_db()
    return proposal.urgent_lapsed_at is not None


def lapse_overdue_urgent_changes(now: datetime | None = None) -> int:
    """The worker's pass: urgent changes in force whose referendum did not open in time."""
    lapsed = 0
    overdue = Proposal.objects.filter(
        urgent_version__isnull=False,
        urgent_lapsed_at__isnull=True,
        assembly__closed_at__isnull=True,
        register_entry__isnull=True,
    ).select_related("assembly", "urgent_version")
    for proposal in overdue.order_by("pk")[:200]:
        current = protocol_in_force(proposal.assembly)
        if current is not None and lapse_if_overdue(current.protocol, proposal, now):
            lapsed += 1
    return lapsed


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
