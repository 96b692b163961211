"""Misconduct in office (OFF-6, RED15M art. 7): one holding the sanction power finds that an
office holder broke the protocol in their office and picks the days in the office's range;
the core scales them for repeats and bars the person for good after `permanent_after`.
It is served on the next election to the office: the person may not stand in a race that
opens while the bar covers it, and a candidacy already made for such a race is withdrawn.
They keep the seat they hold now (suspension is the other remedy, `check_suspend`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.forums.actions import ForumContext
from folkmoot.governance.protocol import Office as OfficeRule
from folkmoot.governance.reasons import Reason, combine, gettext_noop, written_reason
from folkmoot.governance.sanctions import (
    EndorsementState,
    check_misconduct_days,
    misconduct_bar,
    misconduct_sanction,
)
from folkmoot.notifications.recipients import holders_with_power
from folkmoot.notifications.send import notify
from folkmoot.offices.models import Candidacy, Tenure
from folkmoot.offices.windows import elections_of
from folkmoot.refusals import Refused, create_once, require

from .actions import check_power
from .models import MisconductEndorsement, OfficeMisconduct
from .selectors import misconduct_backing, standing_misconducts


def serves_from(assembly: Any, key: str, rule: OfficeRule, tz: str, now: datetime) -> datetime:
    """The opening of the next election to the office (a by-election for a vacant seat
    counts); an election being voted now has its ballot fixed, so the one after it. An
    office without elections: at once."""
    found = elections_of(assembly, key, rule, tz, now)
    if found is None:
        return now
    window = found.current
    if window.is_open(now):
        after = elections_of(assembly, key, rule, tz, window.closes_at)
        assert after is not None  # the same calendar
        window = after.current
    return window.opens_at


def check_misconduct(
    ctx: ForumContext, imposer: Any, holder: Any, *, office: str, days: float, reason: str
) -> OfficeMisconduct:
    require(check_power(ctx, "sanction"))
    rule = ctx.protocol.offices.get(office)
    if rule is None or rule.misconduct is None:
        raise Refused.because(
            Reason(
                "no_misconduct_rule",
                gettext_noop("This office has no rule for misconduct in the protocol."),
            )
        )
    if not Tenure.objects.filter(
        holder=holder, office__assembly=ctx.assembly, office__slug=office
    ).exists():
        raise Refused.because(
            Reason("never_held", gettext_noop("This person has not held that office here."))
        )
    if holder.pk == imposer.pk:
        raise Refused.because(
            Reason("own_misconduct", gettext_noop("Others must find your misconduct; not you."))
        )
    reason = reason.strip()
    require(
        combine(
            check_misconduct_days(rule.misconduct, days),
            written_reason(
                reason,
                missing=Reason(
                    "reason_needed", gettext_noop("Say why: the reason is shown to everyone.")
                ),
                limit=2000,
            ),
        )
    )
    now = timezone.now()
    return do_misconduct(
        ctx=ctx,
        imposer=imposer,
        holder=holder,
        office=office,
        days=days,
        reason=reason,
        starts=serves_from(ctx.assembly, office, rule, ctx.protocol.timezone, now),
    )


@transaction.atomic
def do_misconduct(
    *,
    ctx: ForumContext,
    imposer: Any,
    holder: Any,
    office: str,
    days: float,
    reason: str,
    starts: datetime,
) -> OfficeMisconduct:
    rule = ctx.protocol.offices[office]
    assert rule.misconduct is not None
    # Locking the holder's row counts repeats one imposition at a time (and a candidacy made
    # at the same moment waits: `candidacies.do_stand` takes the same lock).
    get_user_model().objects.select_for_update().filter(pk=holder.pk).first()
    rules = ctx.protocol.sanctions
    # A lapsed finding (unbacked, SAN-4) is no repeat.
    repeats = len(
        standing_misconducts(ctx.assembly, rules, timezone.now(), holder=holder, office=office)
    )
    misconduct = OfficeMisconduct.objects.create(
        assembly=ctx.assembly,
        holder=holder,
        office=office,
        days=days,
        duration=misconduct_sanction(rule.misconduct, days, repeats),
        repeat=repeats,
        serves_from=starts,
        reason=reason,
        imposed_by=imposer,
    )
    record(
        "moderation.misconduct",
        actor=imposer,
        assembly=ctx.assembly,
        subject=misconduct,
        office=office,
        holder=holder.pk,
        days=days,
        repeat=repeats,
    )
    notify(
        "office_misconduct", [holder.pk], actor=imposer, assembly=ctx.assembly, subject=misconduct
    )
    state, _deadline = misconduct_backing(rules, misconduct, timezone.now())
    if state is EndorsementState.NOT_NEEDED:
        _served(misconduct)
    else:  # SAN-4: the others who may sanction are asked to back it
        notify(
            "misconduct_to_back",
            [
                p.pk
                for p in holders_with_power(ctx.assembly, "sanction")
                if p.pk not in (holder.pk, imposer.pk)
            ],
            actor=imposer,
            assembly=ctx.assembly,
            subject=misconduct,
        )
    return misconduct


def _served(misconduct: OfficeMisconduct) -> None:
    """Once the finding stands: a candidacy already made for a race it covers is withdrawn
    (a race of an office without elections is open now)."""
    bar = misconduct_bar(serves_from=misconduct.serves_from, duration=misconduct.duration)
    withdrawn = [
        c.pk
        for c in Candidacy.objects.filter(
            office__assembly=misconduct.assembly,
            office__slug=misconduct.office,
            person=misconduct.holder_id,
            withdrawn_at__isnull=True,
        )
        if bar.covers(c.election_opens_at or timezone.now())
    ]
    if withdrawn:
        Candidacy.objects.filter(pk__in=withdrawn).update(withdrawn_at=timezone.now())
        record(
            "office.withdraw_barred",
            assembly=misconduct.assembly,
            subject=misconduct,
            candidacies=withdrawn,
        )


def check_back_misconduct(ctx: ForumContext, user: Any, misconduct: OfficeMisconduct) -> Any:
    """SAN-4: another holder of the sanction power backs a finding before its deadline."""
    require(check_power(ctx, "sanction"))
    if user.pk in (misconduct.imposed_by_id, misconduct.holder_id):
        raise Refused.because(
            Reason("own_misconduct_backing", gettext_noop("Others must back this finding."))
        )
    state, deadline = misconduct_backing(ctx.protocol.sanctions, misconduct, timezone.now())
    if state is not EndorsementState.PENDING or deadline is None:
        raise Refused.because(
            Reason("no_backing_needed", gettext_noop("This finding needs no further backing."))
        )
    return do_back_misconduct(ctx=ctx, user=user, misconduct=misconduct)


@transaction.atomic
def do_back_misconduct(*, ctx: ForumContext, user: Any, misconduct: OfficeMisconduct) -> Any:
    endorsement = create_once(
        MisconductEndorsement,
        Reason("backed_already", gettext_noop("You have already backed this finding.")),
        misconduct=misconduct,
        endorser=user,
    )
    record("moderation.misconduct_back", actor=user, assembly=ctx.assembly, subject=misconduct)
    fresh = OfficeMisconduct.objects.prefetch_related("endorsements").get(pk=misconduct.pk)
    state, _deadline = misconduct_backing(ctx.protocol.sanctions, fresh, timezone.now())
    if state is EndorsementState.ENDORSED:
        _served(fresh)
    return endorsement
