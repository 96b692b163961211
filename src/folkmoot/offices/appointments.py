"""Appointing to an office that is not elected where it is held (issue 13, ASM-4, seed 002):
Harmony's general secretaries appoint the secretary of an assembly whose secretary is not
elected. Who appoints is the protocol's `appointed_by`, checked by the core; an appointment
lasts the office's term where the protocol gives one, a chosen term, or until replaced; the
holder it replaces leaves at once. Every step is in the audit log, and the appointee and the
person replaced are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.federation.models import Assembly, Membership
from folkmoot.governance.appointment import (
    check_appointed_office,
    check_appointer,
    check_seat,
    check_until,
    default_until,
)
from folkmoot.governance.audience import closed
from folkmoot.governance.protocol import Office as OfficeRule
from folkmoot.governance.protocol import Protocol
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.notifications.send import notify
from folkmoot.protocols.facts import acts_in_office
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, Refused, require

from .models import Office, Tenure


@dataclass(frozen=True)
class AppointmentContext:
    assembly: Assembly
    protocol: Protocol
    key: str
    rule: OfficeRule
    appointing: Assembly | None  # where the appointing office sits

    def may_appoint(self, user: Any) -> Answer:
        if self.assembly.closed_on is not None:  # its offices ended with it (issue 13)
            return closed(self.assembly.closed_on)
        holds = (
            self.appointing is not None
            and self.rule.appointed_by is not None
            and getattr(user, "is_authenticated", False)
            and acts_in_office(user, self.appointing, self.rule.appointed_by.office)
        )
        return check_appointer(self.rule, holds_appointing_office=bool(holds))


def appointment_context(assembly: Assembly, key: str) -> AppointmentContext:
    in_force = protocol_in_force(assembly)
    if in_force is None or key not in in_force.protocol.offices:
        raise NotFound(key)
    rule = in_force.protocol.offices[key]
    appointing: Assembly | None = None
    if rule.appointed_by is not None:
        federation = assembly.root or assembly
        if rule.appointed_by.federation:
            appointing = federation
        elif rule.appointed_by.assembly:
            appointing = (
                federation
                if federation.slug == rule.appointed_by.assembly
                else Assembly.objects.filter(
                    slug=rule.appointed_by.assembly, root=federation
                ).first()
            )
        else:
            appointing = assembly.parent
    return AppointmentContext(assembly, in_force.protocol, key, rule, appointing)


def _belongs_to_federation(person: Any, assembly: Assembly) -> Answer:
    federation_id = assembly.federation_id
    if Membership.objects.active().filter(user=person, assembly_id=federation_id).exists():
        return Answer.yes()
    return Answer.no(
        Reason(
            "appointee_outside",
            gettext_noop("Only someone who takes part in the federation can be appointed."),
        )
    )


def _end_of(day: date | None, ctx: AppointmentContext, now: datetime) -> datetime | None:
    """The term ends when its last day does, in the protocol's time zone."""
    if day is None:
        return default_until(ctx.rule, now)
    zone = ZoneInfo(ctx.protocol.timezone)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def check_appoint(
    actor: Any,
    ctx: AppointmentContext,
    person: Any,
    *,
    until: date | None = None,
    until_replaced: bool = False,
    replacing: Tenure | None = None,
) -> Tenure:
    """`until`: the term's last day; None: the office's term (or until replaced where the
    protocol gives no term); `until_replaced`: no end."""
    require(
        check_appointed_office(ctx.key, ctx.rule, secretary_elected=ctx.assembly.secretary_elected)
    )
    require(ctx.may_appoint(actor))
    require(_belongs_to_federation(person, ctx.assembly))
    now = timezone.now()
    # "Today" on the protocol's calendar, as the term's last day is read (`_end_of`).
    require(check_until(until, now.astimezone(ZoneInfo(ctx.protocol.timezone)).date()))
    return do_appoint_to(
        ctx=ctx,
        actor=actor,
        person=person,
        until=None if until_replaced else _end_of(until, ctx, now),
        replacing=replacing,
        now=now,
    )


@transaction.atomic
def do_appoint_to(
    *,
    ctx: AppointmentContext,
    actor: Any,
    person: Any,
    until: datetime | None,
    replacing: Tenure | None,
    now: datetime,
) -> Tenure:
    office, _ = Office.objects.get_or_create(
        assembly=ctx.assembly, slug=ctx.key, defaults={"seats": ctx.rule.seats}
    )
    # The office's row is locked while its seats are counted, so two appointments at once
    # cannot both take the last seat, nor both replace the same holder.
    Office.objects.select_for_update().get(pk=office.pk)
    holders = list(Tenure.objects.in_office(now).filter(office=office))
    if any(t.holder_id == person.pk for t in holders):
        raise Refused.because(
            Reason("already_holds", gettext_noop("This person already holds this office."))
        )
    if replacing is not None and replacing.pk not in {t.pk for t in holders}:
        raise Refused.because(
            Reason("replaced_meanwhile", gettext_noop("That holder has already left this office."))
        )
    require(check_seat(len(holders), ctx.rule.seats, replacing=replacing is not None))
    if replacing is not None:
        _end(replacing, actor, now, verb="office.replaced")
    # A lapsed appointment of the same person ends now, so the new one may begin.
    Tenure.objects.filter(office=office, holder=person, ended_at__isnull=True).update(ended_at=now)
    tenure = Tenure.objects.create(
        office=office, holder=person, started_at=now, until=until, appointed_by=actor
    )
    record(
        "office.appoint",
        actor=actor,
        assembly=ctx.assembly,
        subject=tenure,
        office=ctx.key,
        until=until.isoformat() if until else None,
        replacing=replacing.holder_id if replacing else None,
    )
    notify(
        "appointed",
        [person],
        actor=actor,
        assembly=ctx.assembly,
        subject=tenure,
    )
    return tenure


def _end(tenure: Tenure, actor: Any, now: datetime, *, verb: str) -> None:
    if not Tenure.objects.filter(pk=tenure.pk, ended_at__isnull=True).update(ended_at=now):
        raise Refused.because(
            Reason("replaced_meanwhile", gettext_noop("That holder has already left this office."))
        )
    record(verb, actor=actor, assembly=tenure.office.assembly, subject=tenure)
    notify(
        "appointment_ended",
        [tenure.holder_id],
        actor=actor,
        assembly=tenure.office.assembly,
        subject=tenure,
    )


def access_tenure(ctx: AppointmentContext, pk: int) -> Tenure:
    tenure = (
        Tenure.objects.in_office(timezone.now())
        .filter(pk=pk, office__assembly=ctx.assembly, office__slug=ctx.key)
        .select_related("office__assembly", "holder")
        .first()
    )
    if tenure is None:
        raise NotFound(pk)
    return tenure


def check_end_appointment(actor: Any, ctx: AppointmentContext, tenure: Tenure) -> Tenure:
    require(
        check_appointed_office(ctx.key, ctx.rule, secretary_elected=ctx.assembly.secretary_elected)
    )
    require(ctx.may_appoint(actor))
    with transaction.atomic():
        _end(tenure, actor, timezone.now(), verb="office.appointment_ended")
    tenure.refresh_from_db()
    return tenure
