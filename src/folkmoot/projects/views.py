"""The page of an official project (VOTE-2): the decision, who carries it out, how far it is,
and what was done; forms for those who steer it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.accounts.picker import by_public_id, find_people
from folkmoot.decisions.actions import DecisionContext
from folkmoot.decisions.models import RegisterEntry
from folkmoot.governance.projects import check_name_owner
from folkmoot.http import AuthedRequest, Request
from folkmoot.refusals import NotFound, Refused

from . import actions
from .models import STATUS_CHOICES, ProjectUpdate


def _access(request: Request, pk: int) -> tuple[DecisionContext, RegisterEntry]:
    try:
        return actions.access_project(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such project.")) from missing


def project_page(request: Request, pk: int) -> HttpResponse:
    ctx, entry = _access(request, pk)
    project = actions.project_of(entry)
    user_pk = getattr(request.user, "pk", None)
    may_name = request.user.is_authenticated and bool(check_name_owner(ctx.protocol, ctx.viewer))
    may_post = request.user.is_authenticated and (
        may_name or (project is not None and project.owner_id == user_pk)
    )
    find = request.GET.get("find", "")
    return render(
        request,
        "projects/project.html",
        {
            "assembly": entry.assembly,
            "entry": entry,
            "project": project,
            "updates": ProjectUpdate.objects.filter(project=project).select_related("author")
            if project is not None
            else [],
            "may_name": may_name,
            "may_post": may_post,
            "statuses": STATUS_CHOICES,
            "find": find,
            "found": find_people(find, entry.assembly.federation_id) if may_name else [],
        },
    )


def _refused(request: Request, refused: Refused) -> None:
    for text in refused.messages:
        messages.error(request, text)


@login_required
@require_POST
def project_owner(request: AuthedRequest, pk: int) -> HttpResponse:
    ctx, entry = _access(request, pk)
    owner = by_public_id(request.POST.get("person", ""))
    if owner is None:
        messages.error(request, _("Choose who owns the project."))
        return redirect("project", pk)
    try:
        actions.check_set_owner(ctx, request.user, entry, owner)
    except Refused as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("%(name)s owns the project now.") % {"name": owner})
    return redirect("project", pk)


@login_required
@require_POST
def project_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    ctx, entry = _access(request, pk)
    raw = request.POST.get("progress", "").strip()
    if not (raw.isascii() and raw.isdecimal()):
        messages.error(request, _("Give the progress as a whole number from 0 to 100."))
        return redirect("project", pk)
    try:
        actions.check_post_progress(
            ctx,
            request.user,
            entry,
            status=request.POST.get("status", ""),
            progress=int(raw),
            text=request.POST.get("text", ""),
        )
    except Refused as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("The project's progress is posted."))
    return redirect("project", pk)
