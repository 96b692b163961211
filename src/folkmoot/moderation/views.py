from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.accounts.picker import by_public_id, find_people
from folkmoot.forums.actions import ForumContext
from folkmoot.forums.models import Post, RescueRequest
from folkmoot.forums.views import _context, _post, _refused, post_url
from folkmoot.http import Request
from folkmoot.notifications.reading import seen
from folkmoot.offices.models import Tenure
from folkmoot.refusals import Refused

from . import actions, misconduct, selectors
from .models import OfficeMisconduct, OfficeSuspension, Report, Sanction


def _thread_url(post: Post) -> str:
    return post_url(post)


def _say(request: Request, refused: Refused) -> None:
    for text in refused.messages:
        messages.error(request, text)


@login_required
@require_POST
def report_post(request: Request, slug: str, pk: int) -> HttpResponse:
    ctx, post, _place = _post(request, pk)
    try:
        actions.check_report(ctx, request.user, post, request.POST.get("kind", ""))
    except Refused as refused:
        _say(request, refused)
    else:
        messages.success(request, _("Thank you: the moderators will look at it."))
    return redirect(_thread_url(post))


@login_required
@require_POST
def trash_post(request: Request, slug: str, pk: int) -> HttpResponse:
    ctx, post, _place = _post(request, pk)
    whole_thread = request.POST.get("scope") == "thread"
    try:
        minutes = int(request.POST.get("minutes", "0"))
        actions.check_trash(
            ctx,
            request.user,
            post=None if whole_thread else post,
            thread=post.thread if whole_thread else None,
            reason=request.POST.get("reason", ""),
            minutes=minutes,
        )
    except ValueError:
        messages.error(request, _("Give the sanction in minutes."))
    except Refused as refused:
        _say(request, refused)
    else:
        messages.success(request, _("Moved to the trash. Nothing was deleted."))
    return redirect(_thread_url(post))


@login_required
@require_POST
def keep_post(request: Request, slug: str, pk: int) -> HttpResponse:
    """The moderation queue's "Keep the post": the reports close, the post stays."""
    ctx, post, _place = _post(request, pk)
    try:
        actions.check_keep(ctx, request.user, post)
    except Refused as refused:
        _say(request, refused)
    else:
        messages.success(request, _("The post stays; those who reported it are told."))
    return redirect("moderation", ctx.assembly.slug)


@login_required
@require_POST
def restore_post(request: Request, slug: str, pk: int) -> HttpResponse:
    ctx, post, _place = _post(request, pk)
    try:
        actions.check_restore(
            ctx,
            request.user,
            post=post,
            thread=post.thread if request.POST.get("scope") == "thread" else None,
        )
    except Refused as refused:
        _say(request, refused)
    return redirect(_thread_url(post))


def sanctions_page(request: Request, slug: str) -> HttpResponse:
    """The public list of sanctions (RED15M: sanctions are public)."""
    ctx = _context(request, slug)
    if ctx.protocol.sanctions is None:
        raise Http404(_("This assembly's protocol has no sanctions."))
    seen(request, kind__startswith="sanction", assembly=ctx.assembly)
    rows = selectors.public_list(ctx.assembly, ctx.protocol.sanctions, timezone.now())
    may_sanction = actions.check_power(ctx, "sanction").allowed
    levels = [
        (k, v.name.get(request.LANGUAGE_CODE)) for k, v in ctx.protocol.sanctions.levels.items()
    ]
    suspensions = OfficeSuspension.objects.filter(assembly=ctx.assembly).select_related("holder")[
        :100
    ]
    offices = [
        (k, o.name.get(request.LANGUAGE_CODE))
        for k, o in ctx.protocol.offices.items()
        if o.suspension
    ]
    # The person picker (issue 13): a name typed, the people found; or the person a post's
    # "Sanction the author" link names.
    find = request.GET.get("find", "")
    found = find_people(find, ctx.assembly.federation_id) if may_sanction else []
    named = by_public_id(request.GET.get("person", "")) if may_sanction else None
    if named is not None and named not in found:
        found.insert(0, named)
    language = request.LANGUAGE_CODE
    # Art. 7: misconduct in office, for the offices whose protocol has a rule for it.
    misconduct_offices = [
        (k, o.name.get(language), o.misconduct)
        for k, o in ctx.protocol.offices.items()
        if o.misconduct
    ]
    office_names = {k: o.name.get(language) for k, o in ctx.protocol.offices.items()}
    now = timezone.now()
    misconducts = []
    for m in (
        OfficeMisconduct.objects.filter(assembly=ctx.assembly)
        .select_related("holder")
        .prefetch_related("endorsements")[:100]
    ):
        state, deadline = selectors.misconduct_backing(ctx.protocol.sanctions, m, now)
        misconducts.append(
            {
                "m": m,
                "office": office_names.get(m.office, m.office),
                "state": state.value,
                "deadline": deadline,
                "backings": len(m.endorsements.all()),
                "may_back": may_sanction
                and state.value == "pending"
                and request.user.pk not in (m.imposed_by_id, m.holder_id)
                and all(e.endorser_id != request.user.pk for e in m.endorsements.all()),
            }
        )
    # Those who hold or have held such an office: misconduct may come to light after a term.
    once_holders = (
        sorted(
            {
                t.holder
                for t in Tenure.objects.filter(
                    office__assembly=ctx.assembly,
                    office__slug__in=[k for k, _n, _m in misconduct_offices],
                )
                .exclude(holder_id=request.user.pk)  # others find one's misconduct (art. 7.1)
                .select_related("holder")
            },
            key=lambda p: (p.display_name, p.pk),
        )
        if may_sanction and misconduct_offices
        else []
    )
    holders = (
        sorted(
            {
                t.holder
                for t in Tenure.objects.in_office(timezone.now())
                .filter(office__assembly=ctx.assembly, office__slug__in=[k for k, _n in offices])
                .select_related("holder")
            },
            key=lambda p: (p.display_name, p.pk),
        )
        if may_sanction and offices
        else []
    )
    return render(
        request,
        "moderation/sanctions.html",
        {
            "assembly": ctx.assembly,
            "rows": rows,
            "may_sanction": may_sanction,
            # SAN-3: those who may back lifting a non grata, and how many it takes.
            "may_lift": {
                row.sanction.pk
                for row in rows
                if row.sanction.non_grata
                and row.in_force
                and actions.lift_answer(ctx, request.user, row.sanction)
            },
            "lift_needs": ctx.protocol.sanctions.non_grata_lifted_by,
            "levels": levels,
            "now": timezone.now(),
            "suspensions": suspensions,
            "offices": offices,
            "find": find,
            "found": found,
            "named": named,
            "holders": holders,
            "misconducts": misconducts,
            "misconduct_offices": misconduct_offices,
            "once_holders": once_holders,
        },
    )


@login_required
def moderation_queue(request: Request, slug: str) -> HttpResponse:
    ctx = _context(request, slug)
    power = actions.check_power(ctx, "moderate")
    if not power:
        return _refused(request, Refused(power), ctx.assembly)
    seen(request, kind__in=["report", "rescue"], assembly=ctx.assembly)
    reports = (
        Report.objects.filter(post__thread__assembly=ctx.assembly, resolved_at__isnull=True)
        .select_related("post", "post__author", "post__thread", "reporter")
        .order_by("created_at")
    )
    rescues = (
        RescueRequest.objects.filter(thread__assembly=ctx.assembly, decided_at__isnull=True)
        .select_related("thread", "requester")
        .order_by("created_at")
    )
    return render(
        request,
        "moderation/queue.html",
        {"assembly": ctx.assembly, "reports": reports, "rescues": rescues},
    )


@login_required
@require_POST
def impose(request: Request, slug: str) -> HttpResponse:
    ctx = _context(request, slug)
    person = by_public_id(request.POST.get("person", ""))
    if person is None:
        messages.error(request, _("Choose who is sanctioned."))
        return redirect("sanctions", ctx.assembly.slug)
    try:
        hours = float(request.POST["hours"]) if request.POST.get("hours") else None
        actions.check_sanction(
            ctx,
            request.user,
            person,
            level=request.POST.get("level", ""),
            reason=request.POST.get("reason", ""),
            decision_reference=request.POST.get("decision_reference", ""),
            off_protocol_hours=hours,
        )
    except ValueError:
        messages.error(request, _("Give the sanction's length in hours."))
    except Refused as refused:
        _say(request, refused)
    else:
        messages.success(request, _("Sanction imposed on %(name)s.") % {"name": person})
    return redirect("sanctions", ctx.assembly.slug)


def _sanction(ctx: ForumContext, pk: int) -> Sanction:
    found = Sanction.objects.filter(pk=pk, assembly=ctx.assembly).first()
    if found is None:
        raise Http404(_("No such sanction."))
    return found


@login_required
@require_POST
def endorse(request: Request, slug: str, pk: int) -> HttpResponse:
    ctx = _context(request, slug)
    sanction = _sanction(ctx, pk)
    try:
        actions.check_endorse(ctx, request.user, sanction)
    except Refused as refused:
        _say(request, refused)
    return redirect("sanctions", ctx.assembly.slug)


@login_required
@require_POST
def lift(request: Request, slug: str, pk: int) -> HttpResponse:
    """SAN-3: a holder backs lifting a persona non grata."""
    ctx = _context(request, slug)
    sanction = _sanction(ctx, pk)
    try:
        actions.check_back_lifting(
            ctx, request.user, sanction, reason=request.POST.get("reason", "")
        )
    except Refused as refused:
        _say(request, refused)
    else:
        messages.success(request, _("Your backing to lift it is counted."))
    return redirect("sanctions", ctx.assembly.slug)


@login_required
@require_POST
def suspend(request: Request, slug: str) -> HttpResponse:
    ctx = _context(request, slug)
    holder = by_public_id(request.POST.get("person", ""))
    if holder is None:
        messages.error(request, _("Choose who is suspended."))
        return redirect("sanctions", ctx.assembly.slug)
    try:
        actions.check_suspend(
            ctx,
            request.user,
            holder,
            office=request.POST.get("office", ""),
            reason=request.POST.get("reason", ""),
        )
    except Refused as refused:
        _say(request, refused)
    else:
        messages.success(request, _("%(name)s is suspended from office.") % {"name": holder})
    return redirect("sanctions", ctx.assembly.slug)


@login_required
@require_POST
def back_misconduct(request: Request, slug: str, pk: int) -> HttpResponse:
    """SAN-4: another holder of the sanction power backs a finding of misconduct."""
    ctx = _context(request, slug)
    found = OfficeMisconduct.objects.filter(pk=pk, assembly=ctx.assembly).first()
    if found is None:
        raise Http404(_("No such finding."))
    try:
        misconduct.check_back_misconduct(ctx, request.user, found)
    except Refused as refused:
        _say(request, refused)
    else:
        messages.success(request, _("Your backing is counted."))
    return redirect(reverse("sanctions", args=[ctx.assembly.slug]) + "#misconducts")


@login_required
@require_POST
def find_misconduct(request: Request, slug: str) -> HttpResponse:
    """Art. 7: misconduct in office, served on the next election to it."""
    ctx = _context(request, slug)
    holder = by_public_id(request.POST.get("person", ""))
    if holder is None:
        messages.error(request, _("Choose whose misconduct it is."))
        return redirect("sanctions", ctx.assembly.slug)
    try:
        days = float(request.POST.get("days", "").replace(",", "."))
    except ValueError:
        messages.error(request, _("Give the number of days, as a number."))
        return redirect("sanctions", ctx.assembly.slug)
    try:
        found = misconduct.check_misconduct(
            ctx,
            request.user,
            holder,
            office=request.POST.get("office", ""),
            days=days,
            reason=request.POST.get("reason", ""),
        )
    except Refused as refused:
        _say(request, refused)
    else:
        if found.ends_at is None:
            messages.success(
                request, _("%(name)s may not stand for this office again.") % {"name": holder}
            )
        else:
            messages.success(
                request,
                _("%(name)s may not stand for this office from %(from)s to %(to)s.")
                % {
                    "name": holder,
                    "from": date_format(timezone.localtime(found.serves_from), "DATETIME_FORMAT"),
                    "to": date_format(timezone.localtime(found.ends_at), "DATETIME_FORMAT"),
                },
            )
    return redirect("sanctions", ctx.assembly.slug)
