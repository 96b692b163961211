"""The pages for moving, merging and closing assemblies (ASM-2, issue 13): propose a change
with a preview of what it does; each proposal with its decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.http import Request
from folkmoot.notifications.reading import seen
from folkmoot.refusals import NotFound, Refused, reasons_text

from . import reshaping, reshaping_effects
from .forms import ReshapeForm
from .models import ReshapeRequest
from .views import assembly_or_404

DONE = {
    "move": gettext_lazy("Moved: the assembly now sits under the other one."),
    "merge": gettext_lazy(
        "Merged: its members joined the other assembly, and its record stays readable."
    ),
    "close": gettext_lazy("Closed: its record stays readable, and nothing new is done in it."),
}


@login_required
def reshape(request: Request, slug: str) -> HttpResponse:
    """GET: the form. POST with "preview": what the change would do. POST: the proposal goes
    to the approving office (or is done at once when that office proposes it)."""
    assembly = assembly_or_404(request, slug)
    ctx = reshaping.reshape_context(assembly)
    allowed = ctx.may_propose(request.user)
    if not allowed:
        return render(
            request,
            "federation/found_refused.html",
            {
                "assembly": assembly,
                "reasons": reasons_text(allowed),
                "step": _("Move, merge or close"),
            },
            status=403,
        )
    assert ctx.reshaping is not None
    form = ReshapeForm(
        request.POST if request.method == "POST" else None,
        assembly=assembly,
        allows=ctx.reshaping.allows,
        user=request.user,
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        kind, target = form.cleaned_data["kind"], form.cleaned_data["target"]
        refusal = reshaping.check_change(
            kind, reshaping_effects.shape_facts(assembly, kind, target)
        )
        if not refusal:
            for text in reasons_text(refusal):
                form.add_error(None, text)
        elif "preview" in request.POST:
            preview = reshaping_effects.consequences(assembly, kind, target)
        else:
            try:
                made = reshaping.check_propose_change(
                    request.user, ctx, kind=kind, target=target, why=form.cleaned_data["why"]
                )
            except Refused as refused:
                for text in refused.messages:
                    form.add_error(None, text)
            else:
                if made.approved:
                    messages.success(request, str(DONE[made.kind]))
                    return redirect(made.target or assembly if made.kind == "merge" else assembly)
                messages.success(request, _("Proposed: the approving office is told and decides."))
                return redirect("reshaping", made.pk)
    return render(
        request,
        "federation/reshape.html",
        {
            "assembly": assembly,
            "form": form,
            "preview": preview,
            "target": form.cleaned_data.get("target") if preview else None,
            "approving": ctx.approving,
            "office": ctx.office_name(get_language() or "en"),
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


def _access(request: Request, pk: int) -> tuple[reshaping.ReshapeContext, ReshapeRequest]:
    try:
        return reshaping.access_change(request.user, pk)
    except NotFound as missing:
        raise Http404 from missing


@login_required
def reshaping_detail(request: Request, pk: int) -> HttpResponse:
    ctx, made = _access(request, pk)
    seen(request, kind__in=["reshape", "reshape_decided"], subject_id=made.pk)
    waiting = made.decided_at is None
    return render(
        request,
        "federation/reshaping.html",
        {
            "made": made,
            "assembly": made.assembly,
            "preview": reshaping_effects.consequences(made.assembly, made.kind, made.target)
            if waiting
            else None,
            "target": made.target,
            "may_decide": waiting and ctx.is_approver(request.user),
        },
    )


@login_required
@require_POST
def reshaping_decide(request: Request, pk: int) -> HttpResponse:
    ctx, made = _access(request, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        made = reshaping.check_decide_change(
            request.user, ctx, made, approve=approve, reason=request.POST.get("reason", "")
        )
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
        return redirect("reshaping", pk)
    if approve:
        messages.success(request, str(DONE[made.kind]))
        return redirect(made.assembly)
    messages.success(request, _("Declined: the proposer is told why."))
    return redirect("foundings")
