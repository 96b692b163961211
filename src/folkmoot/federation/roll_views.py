"""The member roll's pages (MEM-1, issue 13): upload, preview, confirm, progress, export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.http import Request
from folkmoot.refusals import NotFound, Refused

from . import roll, roll_file
from .models import Assembly, RollImport
from .views import assembly_or_404


def _federation(request: Request, slug: str) -> Assembly:
    federation = assembly_or_404(request, slug)
    try:
        roll.access_roll(request.user, federation)
    except (NotFound, Refused) as hidden:
        raise Http404(_("No such assembly.")) from hidden
    return federation


@login_required
def roll_page(request: Request, slug: str) -> HttpResponse:
    federation = _federation(request, slug)
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("roll")
        if upload is None:
            problems.append(_("Choose the CSV file of the roll."))
        else:
            try:
                made = roll.check_roll_upload(
                    request.user,
                    federation,
                    upload.read(roll_file.MAX_BYTES + 1),
                    upload.name or "",
                )
            except Refused as refused:
                problems.extend(refused.messages)
            else:
                return redirect("roll-import", federation.slug, made.pk)
    return render(
        request,
        "federation/roll.html",
        {
            "assembly": federation,
            "problems": problems,
            "imports": RollImport.objects.filter(federation=federation).select_related(
                "uploaded_by"
            )[:20],
        },
        status=400 if problems else 200,
    )


@login_required
def roll_import(request: Request, slug: str, pk: int) -> HttpResponse:
    federation = _federation(request, slug)
    try:
        made = roll.access_import(request.user, federation, pk)
    except NotFound as missing:
        raise Http404(_("No such roll.")) from missing
    return render(
        request,
        "federation/roll_import.html",
        {
            "assembly": federation,
            "made": made,
            "working": made.state in (RollImport.State.QUEUED, RollImport.State.RUNNING),
            "problems": made.problems[:500],
        },
    )


@login_required
@require_POST
def roll_confirm(request: Request, slug: str, pk: int) -> HttpResponse:
    federation = _federation(request, slug)
    try:
        made = roll.access_import(request.user, federation, pk)
        roll.check_confirm_roll(request.user, made)
    except NotFound as missing:
        raise Http404(_("No such roll.")) from missing
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Confirmed: the roll is being applied."))
    return redirect("roll-import", slug, pk)


@login_required
def roll_export(request: Request, slug: str) -> StreamingHttpResponse:
    federation = _federation(request, slug)
    response = StreamingHttpResponse(
        roll.roll_csv(federation), content_type="text/csv; charset=utf-8"
    )
    name = f"{federation.slug}-roll-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
