"""The pages for founding assemblies (ASM-2, issue 13): propose one below an assembly, with a
preview; the approving office's queue; each proposal with its decision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.http import Request
from folkmoot.notifications.reading import seen
from folkmoot.refusals import NotFound, Refused, reasons_text

from . import founding
from .forms import FoundingForm
from .models import Assembly, FoundingRequest
from .views import assembly_or_404


def _form(ctx: founding.FoundingContext, user: Any, data: Any = None) -> FoundingForm:
    types = list(ctx.founding.types) if ctx.founding is not None else []
    return FoundingForm(data, parent=ctx.parent, types=types, user=user)


def preview_of(proposal: dict[str, Any], parent: Assembly) -> dict[str, Any]:
    """What the new assembly's page will say, read from a proposal (nothing is saved)."""
    assembly = Assembly(
        parent=parent,
        **{
            k: v
            for k, v in proposal.items()
            if k in founding.FIELDS and k not in ("umbrella", "required_assembly")
        },
    )
    ids = [i for i in (proposal.get("umbrella"), proposal.get("required_assembly")) if i]
    named = Assembly.objects.in_bulk(ids)
    return {
        "assembly": assembly,
        "umbrella": named.get(proposal.get("umbrella") or 0),
        "required_assembly": named.get(proposal.get("required_assembly") or 0),
    }


def _access(request: Request, pk: int) -> tuple[founding.FoundingContext, FoundingRequest]:
    try:
        return founding.access_founding(request.user, pk)
    except NotFound as missing:
        raise Http404 from missing


def found(request: Request, slug: str) -> HttpResponse:
    """GET: the form. POST with "preview": the form again with the page it will make. POST:
    the proposal goes to the approving office (or is approved at once by it)."""
    parent = assembly_or_404(request, slug)
    ctx = founding.founding_context(parent)
    allowed = ctx.may_propose(request.user)
    if not allowed:
        return render(
            request,
            "federation/found_refused.html",
            {"assembly": parent, "reasons": reasons_text(allowed)},
            status=403,
        )
    form = _form(ctx, request.user, request.POST if request.method == "POST" else None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" not in request.POST:
            try:
                made = founding.check_propose_assembly(request.user, ctx, form.proposal())
            except Refused as refused:
                for text in refused.messages:
                    form.add_error(None, text)
            else:
                if made.approved:
                    messages.success(request, _("The assembly is founded."))
                    assert made.assembly is not None
                    return redirect(made.assembly)
                messages.success(request, _("Proposed: the approving office is told and decides."))
                return redirect("founding", made.pk)
        preview = preview_of(form.proposal(), parent)
    return render(
        request,
        "federation/found.html",
        {
            "parent": parent,
            "form": form,
            "preview": preview,
            "approving": ctx.approving,
            "office": ctx.protocol.offices[ctx.office].name if ctx.protocol and ctx.office else "",
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


@login_required
def founding_detail(request: Request, pk: int) -> HttpResponse:
    ctx, made = _access(request, pk)
    seen(request, kind__in=["founding", "founding_decided"], subject_id=made.pk)
    return render(
        request,
        "federation/founding.html",
        {
            "made": made,
            "parent": made.parent,
            "preview": preview_of(made.proposal, made.parent),
            "may_decide": made.decided_at is None and ctx.is_approver(request.user),
        },
    )


@login_required
@require_POST
def founding_decide(request: Request, pk: int) -> HttpResponse:
    ctx, made = _access(request, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        made = founding.check_decide_founding(
            request.user, ctx, made, approve=approve, reason=request.POST.get("reason", "")
        )
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
        return redirect("founding", pk)
    if approve and made.assembly is not None:
        messages.success(request, _("The assembly is founded."))
        return redirect(made.assembly)
    messages.success(request, _("Declined: the proposer is told why."))
    return redirect("foundings")


@login_required
def founding_index(request: Request) -> HttpResponse:
    """What waits for my decision as the approving office, and what I proposed: new
    assemblies, and moving, merging or closing them."""
    from . import reshaping

    changes = reshaping.queue_of(request.user)
    return render(
        request,
        "federation/foundings.html",
        {
            **founding.queue_of(request.user),
            "changes_to_decide": changes["to_decide"],
            "my_changes": changes["mine"],
        },
    )
