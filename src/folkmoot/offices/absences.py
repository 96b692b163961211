"""OFF-6 (RED15M art. 7.1, issue 15): an office holder inactive for more than the protocol's
`inactivity_notice_days` (RED15M: 14, half a term) must tell the others. A holder declares an
absence (from, to, reason); activity is read from what they did in the assembly (its
audit log), computed when read; the worker tells the fellow holders once when the
days pass with neither activity nor notice; the offices page shows who is away, and to the
fellow holders who has gone quiet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.audit.models import AuditEvent
from folkmoot.federation.models import Assembly
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop, written_reason
from folkmoot.governance.schedule import inactivity_notice_due
from folkmoot.notifications.send import notify
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import require

from .models import Absence, Tenure

LONGEST = timedelta(days=366)  # a notice covers at most a year: a longer one is a resignation


@dataclass(frozen=True)
class Quiet:
    """A holder's activity as the office rule reads it."""

    last_active: datetime
    away: Absence | None  # the notice covering today, if any
    due: bool  # quiet past the protocol's days with no notice covering today


def last_active(tenure: Tenure, zone: ZoneInfo) -> datetime:
    """The latest of: what they did in the assembly (its audit log), when they took the
    office (a new holder is not idle from before), and the end of an absence they told of
    (they were not quiet without notice while away)."""
    acted = AuditEvent.objects.filter(
        actor_id=tenure.holder_id, assembly_id=tenure.office.assembly_id
    ).aggregate(at=Max("occurred_at"))
    moments = [tenure.started_at, acted["at"]]
    ended = (
        Absence.objects.filter(tenure=tenure, ends_on__lt=timezone.now().astimezone(zone).date())
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    if ended is not None:  # back the morning after the last day away
        moments.append(datetime.combine(ended + timedelta(days=1), time(), tzinfo=zone))
    return max(m for m in moments if m is not None)


def zone_of(protocol: Any) -> ZoneInfo:
    """Days of absence are the assembly's days, in its protocol's time zone."""
    return ZoneInfo(protocol.timezone if protocol is not None else settings.TIME_ZONE)


def away_on(tenure: Tenure, day: date) -> Absence | None:
    return (
        Absence.objects.filter(tenure=tenure, starts_on__lte=day, ends_on__gte=day)
        .order_by("-ends_on")
        .first()
    )


def quiet_of(
    tenure: Tenure, rule: Any, zone: ZoneInfo, now: datetime | None = None
) -> Quiet | None:
    """None where the office has no such rule."""
    if rule is None or rule.inactivity_notice_days is None:
        return None
    now = now or timezone.now()
    active = last_active(tenure, zone)
    away = away_on(tenure, now.astimezone(zone).date())
    return Quiet(active, away, away is None and inactivity_notice_due(rule, active, now))


def check_declare_absence(
    user: Any, assembly: Assembly, office_key: str, *, starts_on: Any, ends_on: Any, reason: str
) -> Absence:
    from .tenures import held_tenure

    tenure = held_tenure(user, assembly, office_key)
    reason = (reason or "").strip()
    in_force = protocol_in_force(assembly)
    today = timezone.now().astimezone(zone_of(in_force.protocol if in_force else None)).date()
    answers = [
        Answer.yes()
        if isinstance(starts_on, date) and isinstance(ends_on, date)
        else Answer.no(Reason("absence_dates", gettext_noop("Give the first and last day.")))
    ]
    if isinstance(starts_on, date) and isinstance(ends_on, date):
        if ends_on < starts_on:
            answers.append(
                Answer.no(
                    Reason("absence_order", gettext_noop("The last day comes after the first."))
                )
            )
        if ends_on < today:
            answers.append(
                Answer.no(
                    Reason("absence_past", gettext_noop("An absence is told before it ends."))
                )
            )
        if ends_on - starts_on > LONGEST:
            answers.append(
                Answer.no(
                    Reason(
                        "absence_too_long",
                        gettext_noop("An absence lasts at most a year: longer, resign the seat."),
                    )
                )
            )
    answers.append(
        written_reason(
            reason,
            missing=Reason("absence_reason", gettext_noop("Say why: your fellow holders read it.")),
        )
    )
    require(combine(*answers))
    return do_declare_absence(tenure=tenure, starts_on=starts_on, ends_on=ends_on, reason=reason)


@transaction.atomic
def do_declare_absence(*, tenure: Tenure, starts_on: date, ends_on: date, reason: str) -> Absence:
    absence = Absence.objects.create(
        tenure=tenure, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    record(
        "office.absence",
        actor=tenure.holder,
        assembly=tenure.office.assembly,
        subject=absence,
        starts_on=str(starts_on),
        ends_on=str(ends_on),
    )
    notify(
        "office_absence",
        _fellows(tenure),
        actor=tenure.holder,
        assembly=tenure.office.assembly,
        subject=absence,
    )
    return absence


def _fellows(tenure: Tenure) -> list[int]:
    """The other holders of the same office: the ones the protocol asks to be told."""
    return list(
        Tenure.objects.in_office(timezone.now())
        .filter(office_id=tenure.office_id)
        .exclude(holder_id=tenure.holder_id)
        .values_list("holder_id", flat=True)
    )


def tell_of_quiet_holders(now: datetime) -> int:
    """The worker's pass: for each holder of an office whose rule asks for notice, quiet past
    the protocol's days with no notice, the fellow holders are told once per quiet spell
    (the occasion is the day of the last activity). Holders of offices are few (seats, not
    members): a few queries each."""
    told = 0
    protocols: dict[int, Any] = {}
    tenures = Tenure.objects.in_office(now).select_related("office__assembly", "holder")
    for tenure in tenures.order_by("pk"):
        assembly = tenure.office.assembly
        if assembly.pk not in protocols:
            found = protocol_in_force(assembly)
            protocols[assembly.pk] = found.protocol if found is not None else None
        protocol = protocols[assembly.pk]
        rule = protocol.offices.get(tenure.office.slug) if protocol is not None else None
        if rule is None or rule.inactivity_notice_days is None:
            continue
        quiet = quiet_of(tenure, rule, zone_of(protocol), now)
        if quiet is None or not quiet.due:
            continue
        told += notify(
            "office_inactive",
            _fellows(tenure),
            assembly=assembly,
            subject=tenure,
            occasion=f"idle:{quiet.last_active.date().isoformat()}",
        )
    return told
