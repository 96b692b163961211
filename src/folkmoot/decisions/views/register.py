"""The consensus register (ASM-5, BEY-4): every decision the reader may see, and
referring one to the parent assembly."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from folkmoot.decisions import referrals, selectors
from folkmoot.decisions.models import Proposal, RegisterEntry
from folkmoot.federation.models import Assembly
from folkmoot.http import AuthedRequest, Request
from folkmoot.refusals import NotFound, Refused, reasons_text


def register_page(request: Request) -> HttpResponse:
    """ASM-5, BEY-4: every decision of every assembly the reader may see."""
    visible = Assembly.objects.visible_to(request.user)
    from folkmoot.projects.models import Project  # the projects' room, above

    project = Project.objects.filter(entry=OuterRef("pk"))
    entries = (
        RegisterEntry.objects.filter(assembly__in=visible)
        .select_related(
            "assembly", "assembly__root", "assembly__parent", "proposal__refers_to__assembly"
        )
        # VOTE-2: the project's status and whether Amendments name it, in the same query.
        .annotate(
            project_status=Subquery(project.values("status")[:1]),
            project_progress=Subquery(project.values("progress")[:1]),
            named_by_amendments=Exists(
                Proposal.objects.filter(amends=OuterRef("pk"), withdrawn_at__isnull=True)
            ),
        )
    )
    chosen = request.GET.get("assembly", "")
    if chosen:
        entries = entries.filter(assembly__slug=chosen)
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    lines = referrals.referral_lines([e.pk for e in page], request.user)
    named = [e.pk for e in page if e.named_by_amendments]  # type: ignore[attr-defined]
    amendments = selectors.amendments_of(named) if named else {}
    from folkmoot.projects.actions import is_project  # the projects' room, above
    from folkmoot.projects.models import STATUS_CHOICES

    statuses = dict(STATUS_CHOICES)
    children = {
        e.proposal.refers_to.assembly_id
        for e in page
        if e.proposal is not None and e.proposal.refers_to is not None
    }
    parents = {e.assembly.parent_id for e in page if e.assembly.parent_id is not None}
    # Issue 14: a consensus reached at a moot links to the moot's published minutes.
    from folkmoot.moots.models import ConsensusCheck  # the moots' room, above

    at_moot = {
        c.proposal_id: c.moot
        for c in ConsensusCheck.objects.filter(
            proposal_id__in=[e.proposal_id for e in page if e.proposal_id],
            outcome="reached",
            moot__published_at__isnull=False,
            moot__private=False,  # a private moot is named to nobody who may not see it
        ).select_related("moot")
    }
    wanted = children | parents
    seen = set(visible.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()
    for entry in page:
        # The parent's decision names the child's only where the reader may see the child.
        entry.shows_child = (  # type: ignore[attr-defined]
            entry.proposal is not None
            and entry.proposal.refers_to is not None
            and entry.proposal.refers_to.assembly_id in seen
        )
        entry.referral_lines = lines.get(entry.pk, [])  # type: ignore[attr-defined]
        entry.amendments = amendments.get(entry.pk, [])  # type: ignore[attr-defined]
        # VOTE-2: a decision carried for a change is an official project, followed here.
        entry.is_project = is_project(entry)  # type: ignore[attr-defined]
        entry.project_status_name = statuses.get(entry.project_status or "")  # type: ignore[attr-defined]
        entry.moot = at_moot.get(entry.proposal_id or 0)  # type: ignore[attr-defined]
        # BEY-4: offered where the core could say yes; the refer page says why not otherwise.
        entry.may_refer = referrals.offered(  # type: ignore[attr-defined]
            entry,
            entry.referral_lines,  # type: ignore[attr-defined]
            user=request.user,
            parent_visible=entry.assembly.parent_id in seen,
        )
    return render(
        request,
        "decisions/register.html",
        {
            "page_obj": page,
            "assemblies": visible.filter(register_entries__isnull=False)
            .distinct()
            .order_by("title"),
            "chosen": chosen,
            "outcomes": selectors.OUTCOMES,
        },
    )


@login_required
def register_refer(request: AuthedRequest, pk: int) -> HttpResponse:
    """BEY-4: bring a decision before the parent assembly, to ratify it or to decide it."""
    try:
        entry = referrals.access_entry(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such decision.")) from missing
    # Escalation asks least of a decision: if even that is refused, the page says why.
    answer = referrals.referable(entry, "escalate")
    ratify = referrals.referable(entry, "ratify")
    values = {"referral": "ratify" if ratify else "escalate", "kind": "", "body": ""}
    errors: list[str] = []
    kinds: list[tuple[str, str]] = []
    if entry.assembly.parent_id is not None:
        try:  # a parent the reader cannot see: nothing else is said about it
            ctx = referrals.parent_context(request.user, entry)
        except Refused as refused:
            answer = refused.answer
            ratify = refused.answer
        else:
            language = get_language() or "en"
            kinds = [(key, ctx.kind(key).name.get(language)) for key in referrals.kinds_for(ctx)]
    if request.method == "POST" and answer:
        values = {k: request.POST.get(k, "") for k in ("referral", "kind", "body")}
        try:
            proposal = referrals.check_refer(
                request.user,
                entry,
                referral=values["referral"],
                kind_key=values["kind"],
                text=values["body"],
            )
        except Refused as refused:
            errors = refused.messages
        else:
            parent = entry.assembly.parent
            assert parent is not None
            messages.success(
                request,
                _("The decision is now before %(assembly)s.") % {"assembly": parent.title},
            )
            return redirect("proposal", proposal.pk)
    return render(
        request,
        "decisions/refer.html",
        {
            "entry": entry,
            "parent": entry.assembly.parent,
            "outcomes": selectors.OUTCOMES,
            "blocked": reasons_text(answer),
            "ratify_refused": reasons_text(ratify) if answer else [],
            "kinds": kinds,
            "values": values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
