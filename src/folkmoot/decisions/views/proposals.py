"""The pages of proposals (VOTE-1..7, PRO-2): an assembly's decisions, a proposal with the
buttons its stage allows, and each of those buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.decisions import actions, amending, referrals, selectors
from folkmoot.decisions.models import Proposal, RegisterEntry, Vote
from folkmoot.federation.models import Assembly
from folkmoot.federation.views import assembly_or_404
from folkmoot.governance.audience import may_launch, may_propose
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.http import AuthedRequest, Request
from folkmoot.notifications.reading import seen
from folkmoot.refusals import NotFound, Refused, reasons_text

from .shared import proposal_or_404, redirect_refused, shown


def decisions_page(request: Request, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    try:
        ctx = actions.decision_context(request.user, assembly)
    except NotFound as missing:
        raise Http404(_("This assembly has no protocol yet.")) from missing
    language = get_language() or "en"
    today = timezone.localdate()
    kinds = [
        {
            "key": key,
            "name": kind.name.get(language),
            "description": kind.description.get(language) if kind.description else "",
            "may": shown(may_propose(ctx.protocol, key, ctx.viewer, today)),
        }
        for key, kind in ctx.protocol.decision_kinds.items()
    ]
    page = Paginator(selectors.proposals_of(assembly), 20).get_page(request.GET.get("page"))
    rows = selectors.proposal_rows(ctx, list(page), timezone.now())
    return render(
        request,
        "decisions/decisions.html",
        {
            "assembly": assembly,
            "kinds": kinds,
            "rows": rows,
            "page_obj": page,
            "elections": selectors.election_votes(assembly),
            "votes": selectors.votes_of(assembly, timezone.now()),
            "weekly": _weekly_rows(ctx, language),
        },
    )


def _weekly_rows(ctx: actions.DecisionContext, language: str) -> list[dict[str, Any]]:
    """VOTE-7: each weekly kind's queue, in order of arrival, and when the next may open."""
    from folkmoot.decisions.weekly import queues

    return [
        {
            "name": ctx.protocol.decision_kinds[q.kind].name.get(language),
            "next_opens_at": q.next_opens_at,
            "waiting": [
                {
                    "proposal": p,
                    "stage": selectors.stage_name(state.stage),
                    "ready": state.launchable,
                }
                for p, state in q.waiting
            ],
        }
        for q in queues(ctx, timezone.now())
    ]


def proposal_page(request: Request, pk: int) -> HttpResponse:
    ctx, proposal = proposal_or_404(request, pk)
    seen(request, proposal_id=proposal.pk)
    from folkmoot.decisions.settle import settle_proposal

    settle_proposal(proposal)
    if proposal.kind not in ctx.protocol.decision_kinds:
        # Its kind was amended out of the protocol: kept and shown as it stood, no buttons.
        return render(
            request,
            "decisions/proposal_retired.html",
            {
                "assembly": proposal.assembly,
                "proposal": proposal,
                "why": reasons_text(Answer.no(actions.KIND_RETIRED)),
                "vote": Vote.objects.filter(proposal=proposal).first(),
                "entry": RegisterEntry.objects.filter(proposal=proposal).first(),
                "outcomes": selectors.OUTCOMES,
            },
        )
    kind = ctx.kind(proposal.kind)
    state = actions.state_of(ctx, proposal)
    launch = actions.launch_answer(ctx, proposal, state)
    language = get_language() or "en"
    # Read after settling: the close may have just entered it in the register.
    entry = RegisterEntry.objects.filter(proposal=proposal).first()
    lines = (
        referrals.referral_lines([entry.pk], request.user).get(entry.pk, [])
        if entry is not None
        else []
    )
    if proposal.amendment == "partial":  # art. 3: the last holder to agree may have left
        amending.apply_if_agreed(ctx.protocol, proposal)
        amending.lapse_if_overdue(ctx.protocol, proposal)  # or its referendum did not open
    urgent = amending.urgent_change_of(ctx.protocol, proposal)
    support_offices = [
        (s.office, ctx.protocol.offices[s.office].name.get(language))
        for s in kind.supports
        if s.office in ctx.viewer.offices
    ]
    return render(
        request,
        "decisions/proposal.html",
        {
            "assembly": proposal.assembly,
            "proposal": proposal,
            "kind": kind,
            "kind_name": kind.name.get(language),
            "decision_ctx": ctx,  # the amendments section reads what this page has read
            "state": state,
            "stage_name": selectors.stage_name(state.stage),
            "waiting": selectors.waiting_text(ctx, state),
            "supports": selectors.support_rows(ctx, state, language),
            "support_offices": support_offices,
            "supported_by_me": selectors.my_supports(proposal, request.user),
            # The buttons the core's answers allow; the actions require the same answers.
            "may_approve": bool(actions.approve_text_answer(ctx, proposal, state)),
            "may_validate": bool(actions.validate_answer(ctx, proposal, state)),
            "may_launch": bool(launch),
            # One who launches votes reads why a ready proposal waits (VOTE-7's queue, say).
            "launch_waits": reasons_text(launch)
            if not launch
            and state.launchable
            and may_launch(ctx.protocol, proposal.kind, ctx.viewer, timezone.localdate())
            else [],
            "may_withdraw": request.user.is_authenticated
            and bool(actions.withdraw_answer(ctx, request.user, proposal, state)),
            "rectify_kind": ctx.protocol.amendments.partial.decision_kind
            if entry is not None
            and ctx.protocol.amendments.partial.decision_kind in ctx.protocol.decision_kinds
            and may_propose(
                ctx.protocol,
                ctx.protocol.amendments.partial.decision_kind,
                ctx.viewer,
                timezone.localdate(),
            )
            else "",
            "within_name": _within_name(ctx, proposal.within or "", language),
            "recalled_office": (
                ctx.protocol.offices[proposal.recalls.office.slug].name.get(language)
                if proposal.recalls is not None
                and proposal.recalls.office.slug in ctx.protocol.offices
                else ""
            ),
            "project_entry": entry if entry is not None and _is_project(entry) else None,
            # VOTE-2: the Amendments that name this decision, once it is in the register.
            "amended_by": selectors.amendments_of([entry.pk]).get(entry.pk, []) if entry else [],
            # Art. 3: a change of forums every coordinator may put in force at once.
            "urgent": urgent,
            "may_agree_urgent": urgent is not None
            and request.user.is_authenticated
            and bool(amending.urgent_answer(ctx, proposal)),
            "urgent_office": (
                ctx.protocol.offices[ctx.protocol.forum_changes.urgent_office].name.get(language)
                if ctx.protocol.forum_changes and ctx.protocol.forum_changes.urgent_office
                else ""
            ),
            "approvals": proposal.approvals.select_related("person"),
            "consensus": selectors.consensus_view(ctx, proposal, state, request.user),
            "gathered": proposal.gathered.select_related("author"),
            "launch_days": kind.voting.default_days,
            "voting": kind.voting,
            "referred_from": referrals.referred_from_text(proposal, request.user),
            "referral_lines": lines,
            "refer_entry": entry.pk
            if entry is not None
            and referrals.offered(
                entry,
                lines,
                user=request.user,
                parent_visible=proposal.assembly.parent_id is not None
                and Assembly.objects.visible_to(request.user)
                .filter(pk=proposal.assembly.parent_id)
                .exists(),
            )
            else None,
        },
    )


def _within_name(ctx: actions.DecisionContext, term: str, language: str) -> str:
    what, _, name = term.partition(":")
    rule = (ctx.protocol.offices if what == "office" else ctx.protocol.groups).get(name)
    if rule is None:
        return ""
    plural = getattr(rule, "plural", None)
    return (plural or rule.name).get(language)


def _is_project(entry: RegisterEntry) -> bool:
    from folkmoot.projects.actions import is_project  # the projects' room, above

    return is_project(entry)


def _act_on_proposal(
    request: AuthedRequest, pk: int, act: Callable[[actions.DecisionContext, Proposal], str]
) -> HttpResponse:
    """Every button on a proposal: the action, then back to the proposal with its message,
    or with the core's reasons when it refuses (nothing changed)."""
    ctx, proposal = proposal_or_404(request, pk)
    try:
        done = act(ctx, proposal)
    except Refused as refused:
        return redirect_refused(request, refused, f"/decisions/{proposal.pk}/")
    messages.success(request, done)
    return redirect("proposal", pk)


@login_required
@require_POST
def proposal_agree_urgent(request: AuthedRequest, pk: int) -> HttpResponse:
    """Art. 3: a coordinator agrees to apply a change of forums at once."""

    def act(ctx: actions.DecisionContext, proposal: Proposal) -> str:
        amending.check_agree_urgent(ctx, request.user, proposal)
        proposal.refresh_from_db()
        if proposal.urgent_version_id is not None:
            return _("Every holder agreed: the change is in force until its referendum.")
        return _("Your agreement is counted.")

    return _act_on_proposal(request, pk, act)


@login_required
@require_POST
def proposal_support(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(ctx: actions.DecisionContext, proposal: Proposal) -> str:
        office = request.POST.get("office", "")
        stands = actions.check_support(ctx, request.user, proposal, office=office)
        return _("Your support is counted.") if stands else _("Support taken back.")

    return _act_on_proposal(request, pk, act)


@login_required
@require_POST
def proposal_validate(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(ctx: actions.DecisionContext, proposal: Proposal) -> str:
        actions.check_validate(ctx, request.user, proposal)
        return _("The poll is validated: it no longer waits for supports.")

    return _act_on_proposal(request, pk, act)


@login_required
@require_POST
def proposal_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(ctx: actions.DecisionContext, proposal: Proposal) -> str:
        actions.check_approve_text(ctx, request.user, proposal)
        return _("You approved the text.")

    return _act_on_proposal(request, pk, act)


@login_required
@require_POST
def proposal_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(ctx: actions.DecisionContext, proposal: Proposal) -> str:
        reason = request.POST.get("reason", "")
        actions.check_withdraw(ctx, request.user, proposal, reason=reason)
        return _("The proposal is withdrawn.")

    return _act_on_proposal(request, pk, act)


@login_required
@require_POST
def proposal_respond(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(ctx: actions.DecisionContext, proposal: Proposal) -> str:
        actions.check_respond(
            ctx,
            request.user,
            proposal,
            response=request.POST.get("response", ""),
            reason=request.POST.get("reason", ""),
        )
        return _("Your response is recorded; you may change it while the round lasts.")

    return _act_on_proposal(request, pk, act)


@login_required
@require_POST
def proposal_option(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(ctx: actions.DecisionContext, proposal: Proposal) -> str:
        label = request.POST.get("label", "")
        actions.check_gather_option(ctx, request.user, proposal, label=label)
        return _("Your option is added.")

    return _act_on_proposal(request, pk, act)


def _days(raw: str) -> float | None:
    """The launcher's voting days; empty means the kind's default."""
    if not raw.strip():
        return None
    try:
        return float(raw.replace(",", "."))
    except ValueError as bad:
        raise Refused.because(
            Reason("days_not_a_number", gettext_noop("Voting days must be a number."))
        ) from bad


@login_required
@require_POST
def proposal_launch(request: AuthedRequest, pk: int) -> HttpResponse:
    ctx, proposal = proposal_or_404(request, pk)
    try:
        vote = actions.check_launch(
            ctx,
            request.user,
            proposal,
            days=_days(request.POST.get("days", "")),
            # The form sends secret=0 before the checkbox, so an unticked box means public.
            secret=None if "secret" not in request.POST else "1" in request.POST.getlist("secret"),
            results_live=request.POST.get("results_live") == "1",
        )
    except Refused as refused:
        return redirect_refused(request, refused, f"/decisions/{proposal.pk}/")
    messages.success(request, _("Voting is open."))
    return redirect("vote", vote.pk)
