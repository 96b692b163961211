"""Thin views: parse → access → action → render (DESIGN.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.chat.actions import readable_rooms
from folkmoot.governance.membership import JoinPolicy, Status
from folkmoot.http import Request
from folkmoot.notifications.reading import seen
from folkmoot.offices.models import Tenure
from folkmoot.offices.selectors import offices_of
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, Refused, reasons_text

from . import actions, selectors
from .forms import DecisionForm, JoinForm, TextsForm, TreeFilterForm
from .models import Assembly, FederationPage, JoinRequest, Membership
from .roll import keeps_the_roll


def assembly_or_404(request: Request, key: str) -> Assembly:
    try:
        return actions.access_assembly(request.user, key)
    except NotFound as missing:
        raise Http404(_("No such assembly.")) from missing


def assembly_index(request: Request) -> HttpResponse:
    form = TreeFilterForm(request.GET or None)
    chosen = form.cleaned_data["type"] or None if form.is_valid() else None
    roots = selectors.assembly_tree(request.user, chosen)
    template = "federation/_tree.html" if request.htmx else "federation/index.html"
    return render(request, template, {"roots": roots, "form": form, "chosen_type": chosen})


def assembly_detail(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    page = selectors.assembly_page(assembly, request.user)
    decision = actions.join_decision(request.user, assembly)
    in_force = protocol_in_force(assembly, ancestors=page.ancestors)
    language = get_language() or "en"
    context = {
        "page": page,
        "protocol": in_force,
        # OFF-1: holders, terms and vacancies at a glance (two queries).
        "offices": [
            (row, row.rule.name.get(language))
            for row in offices_of(assembly, in_force.protocol)
            if row.holders or row.rule.elected
        ]
        if in_force is not None
        else [],
        "assembly": assembly,
        "chat_rooms": readable_rooms(request.user, assembly, in_force.protocol)
        if in_force is not None
        else [],
        "join_allowed": decision.answer.allowed,
        "join_outcome": decision.outcome,
        "join_reasons": reasons_text(decision.answer),
        "join_form": JoinForm(),
        "may_manage": actions.may_manage_members(request.user, assembly),
        # Issue 13: the texts in the reader's language where translated, else as written.
        "texts": assembly.texts_in(language),
        # A federation's own pages (issue 13): one query, only at a federation.
        "federation_pages": [
            (p, p.in_language(language)["title"])
            for p in sorted(
                assembly.pages.only("slug", "title", "language", "translations", "federation"),
                key=lambda p: (p.slug in FederationPage.SPECIAL, p.title),  # notices last
            )
        ]
        if assembly.is_root
        else [],
        # Its secretaries are on the page already: no query to know who may edit.
        "may_edit": getattr(request.user, "is_staff", False)
        or any(t.holder_id == request.user.pk for t in page.secretaries),
        "may_leave": page.my_membership is not None
        and assembly.join_policy != JoinPolicy.AUTOMATIC,
        # Issue 13: offered to office holders; the page says who may, as the protocol says.
        "may_reshape": assembly.parent_id is not None
        and assembly.closed_at is None
        and _holds_an_office(request.user),
        # Named only to those who may see it: a restricted assembly is not named to others.
        "merged_into": Assembly.objects.visible_to(request.user)
        .filter(pk=assembly.merged_into_id)
        .first()
        if assembly.merged_into_id
        else None,
    }
    return render(request, "federation/detail.html", context)


def _holds_an_office(user: Any) -> bool:
    if getattr(user, "is_staff", False):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return Tenure.objects.in_office(timezone.now()).filter(holder=user).exists()


def assembly_by_reference(request: Request, reference: str) -> HttpResponse:
    return redirect(assembly_or_404(request, reference))


@login_required
@require_POST
def assembly_join(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    form = JoinForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        result = actions.check_join(request.user, assembly, message=message)
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    else:
        if isinstance(result, Membership):
            messages.success(request, _("Welcome to %(assembly)s.") % {"assembly": assembly.title})
        else:
            messages.success(request, _("Your request has been sent to the secretary."))
    return redirect(assembly)


@login_required
@require_POST
def assembly_leave(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    try:
        actions.check_leave(request.user, assembly)
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("You have left %(assembly)s.") % {"assembly": assembly.title})
    return redirect(assembly)


def assembly_members(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    name = request.GET.get("q", "")[:80]
    page = Paginator(selectors.members_of(assembly, name), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "federation/members.html",
        {
            "assembly": assembly,
            "page_obj": page,
            "may_manage": actions.may_manage_members(request.user, assembly),
            "keeps_roll": assembly.is_root and keeps_the_roll(request.user, assembly),
            "q": name,
            "page_query": "&" + urlencode({"q": name}) if name else "",
        },
    )


@login_required
def join_requests(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    if not actions.may_manage_members(request.user, assembly):
        raise Http404(_("No such assembly."))
    seen(request, kind="join_request", assembly=assembly)
    pending = assembly.join_requests.pending().select_related("user")
    decided = (
        assembly.join_requests.filter(decided_at__isnull=False)
        .select_related("user", "decided_by")
        .order_by("-decided_at")[:20]
    )
    return render(
        request,
        "federation/requests.html",
        {"assembly": assembly, "pending": pending, "decided": decided, "form": DecisionForm()},
    )


@login_required
@require_POST
def join_request_decide(request: Request, pk: int) -> HttpResponse:
    try:
        join_request: JoinRequest = actions.access_join_request(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such request.")) from missing
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to approve or reject the request."))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            actions.check_decide_join_request(
                request.user, join_request, approve=approve, note=form.cleaned_data["note"]
            )
        except Refused as refused:
            for text in refused.messages:
                messages.error(request, text)
        else:
            name = str(join_request.user)
            messages.success(
                request,
                (
                    _("%(name)s is now in the assembly.")
                    if approve
                    else _("%(name)s's request was rejected.")
                )
                % {"name": name},
            )
    return redirect("assembly-requests", join_request.assembly.slug)


@login_required
@require_POST
def membership_status(request: Request, slug: str, pk: int) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    try:
        membership = (
            Membership.objects.active()
            .select_related("assembly", "user")
            .get(pk=pk, assembly=assembly)
        )
        status = Status(request.POST.get("status", ""))
        actions.check_set_status(request.user, membership, status)
    except (Membership.DoesNotExist, NotFound) as missing:
        raise Http404(_("No such membership.")) from missing
    except ValueError:
        messages.error(request, _("Choose participant or member."))
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Status of %(name)s updated.") % {"name": membership.user})
    return redirect("assembly-members", assembly.slug)


@login_required
def assembly_edit(request: Request, slug: str) -> HttpResponse:
    """Issue 13: the assembly's secretary (or staff) edits its texts and their translations."""
    assembly = assembly_or_404(request, slug)
    if not actions.may_edit_texts(request.user, assembly):
        raise Http404(_("No such assembly."))
    form = TextsForm(request.POST or None, instance=assembly)
    if request.method == "POST" and form.is_valid():
        actions.do_save_assembly(assembly=form.save(commit=False), actor=request.user)
        messages.success(request, _("The assembly's texts are saved."))
        return redirect(assembly)
    return render(
        request,
        "federation/edit.html",
        {"assembly": assembly, "form": form},
        status=400 if form.errors else 200,
    )
