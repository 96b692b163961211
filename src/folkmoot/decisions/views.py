"""Pages for proposals, votes, ballots, results and the register: parse → access → action →
render. Every form works without JavaScript."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.federation.models import Assembly
from folkmoot.federation.views import assembly_or_404
from folkmoot.governance.audience import may_launch, may_propose
from folkmoot.governance.casting import BallotInput
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.http import AuthedRequest, Request
from folkmoot.notifications.reading import seen
from folkmoot.refusals import NotFound, Refused, reasons_text

from . import actions, amending, ballots, referrals, selectors
from .models import Proposal, RegisterEntry, Vote


def _shown(answer: Answer) -> dict[str, Any]:
    return {"allowed": answer.allowed, "reasons": reasons_text(answer)}


def _refused(request: Request, refused: Refused, back: str) -> HttpResponse:
    for message in refused.messages:
        messages.error(request, message)
    return redirect(back)


def _proposal_or_404(request: Request, pk: int) -> tuple[actions.DecisionContext, Proposal]:
    try:
        return actions.access_proposal(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such proposal.")) from missing


def _vote_or_404(request: Request, pk: int) -> Vote:
    try:
        return ballots.access_vote(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such vote.")) from missing


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
            "may": _shown(may_propose(ctx.protocol, key, ctx.viewer, today)),
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
    from .weekly import queues

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


def _parse_options(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _parse_moment(value: str) -> datetime | None:
    """A date and time from a form; ValueError when it is none (the caller says so)."""
    if not value:
        return None
    moment = parse_datetime(value)  # raises ValueError itself for an impossible date
    if moment is None:
        raise ValueError(value)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@login_required
def proposal_new(request: AuthedRequest, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    try:
        ctx = actions.decision_context(request.user, assembly)
    except NotFound as missing:
        raise Http404(_("This assembly has no protocol yet.")) from missing
    language = get_language() or "en"
    kinds = [
        (key, kind.name.get(language), actions.amendment_kind(ctx.protocol, key))
        for key, kind in ctx.protocol.decision_kinds.items()
        if may_propose(ctx.protocol, key, ctx.viewer, timezone.localdate())
    ]
    values = {
        "kind": request.GET.get("kind", ""),
        "amends": request.GET.get("amends", ""),
        "recalls": request.GET.get("recalls", ""),
    }
    errors: list[str] = []
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in request.POST}
        try:
            event_at = _parse_moment(request.POST.get("event_at", ""))
        except ValueError:
            errors = [_("Give the date and time of the event, such as 2026-05-01 18:30.")]
        else:
            done = _propose_from_form(request, ctx, event_at)
            if isinstance(done, HttpResponse):
                return done
            errors = done
    return render(
        request,
        "decisions/new.html",
        {
            "assembly": assembly,
            "kinds": kinds,
            "values": values,
            "errors": errors,
            # Issue 13: the amendment fields only for those who may propose an amendment.
            "may_amend": any(amends for _k, _n, amends in kinds),
            # VOTE-2: the decisions an Amendment may rectify, for those who may propose one.
            "rectifiable": RegisterEntry.objects.filter(assembly=assembly)[:200]
            if any(k == ctx.protocol.amendments.partial.decision_kind for k, _n, _a in kinds)
            else [],
            # Art. 9.4: the offices and groups of this person an internal vote may be held in.
            "withins": _withins(ctx, {k for k, _n, _a in kinds}, language),
            # VOTE-2: the further questions box, where a kind asks several (a MegaPoll).
            "multi_kinds": [
                ctx.protocol.decision_kinds[k].name.get(language)
                for k, _n, _a in kinds
                if ctx.protocol.decision_kinds[k].multi_question
            ],
            # Art. 8.3: the holders one may propose to recall, by the kind that recalls them.
            "recallable": _recallable(ctx, {k for k, _n, _a in kinds}, language),
            "rectifying_name": ctx.protocol.decision_kinds[
                ctx.protocol.amendments.partial.decision_kind
            ].name.get(language),
        },
        status=400 if errors else 200,
    )


def _within_name(ctx: actions.DecisionContext, term: str, language: str) -> str:
    what, _, name = term.partition(":")
    rule = (ctx.protocol.offices if what == "office" else ctx.protocol.groups).get(name)
    if rule is None:
        return ""
    plural = getattr(rule, "plural", None)
    return (plural or rule.name).get(language)


def _withins(ctx: actions.DecisionContext, kinds: set[str], language: str) -> list[Any]:
    """(term, name) of the offices the person holds and groups they belong to, in which an
    internal kind they may propose may be held."""
    terms: dict[str, str] = {}
    for key in kinds:
        kind = ctx.protocol.decision_kinds[key]
        if not kind.internal:
            continue
        for term in kind.proposers.any_of:
            what, _, name = term.partition(":")
            if what == "office" and name in ctx.viewer.offices and name in ctx.protocol.offices:
                terms[term] = ctx.protocol.offices[name].name.get(language)
            elif what == "group" and name in ctx.viewer.groups and name in ctx.protocol.groups:
                terms[term] = ctx.protocol.groups[name].name.get(language)
    return sorted(terms.items(), key=lambda t: t[1])


def _recallable(ctx: actions.DecisionContext, kinds: set[str], language: str) -> list[Any]:
    """(tenure id, "Name — Office (kind)") for each holder now whose office the protocol lets
    recall by a kind this person may propose."""
    from folkmoot.offices.models import Tenure

    offices = {
        key: rule
        for key, rule in ctx.protocol.offices.items()
        if rule.recalled_by is not None and rule.recalled_by in kinds
    }
    if not offices:
        return []
    tenures = (
        Tenure.objects.current()
        .filter(office__assembly=ctx.assembly, office__slug__in=offices)
        .select_related("holder", "office")
        .order_by("office__slug", "holder__display_name")
    )
    return [
        (
            t.pk,
            f"{t.holder} — {offices[t.office.slug].name.get(language)}",
            offices[t.office.slug].recalled_by,
        )
        for t in tenures
    ]


def _parse_questions(text: str) -> list[tuple[str, list[str]]]:
    """VOTE-2: a MegaPoll's further questions as typed: blocks apart by a blank line, each a
    question on its first line and one option per line after it ("- " before an option is
    allowed)."""
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    out = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        out.append((lines[0], [line.lstrip("-*• ").strip() for line in lines[1:]]))
    return out


def _propose_from_form(
    request: AuthedRequest, ctx: actions.DecisionContext, event_at: datetime | None
) -> HttpResponse | list[str]:
    try:
        proposal = actions.check_propose(
            ctx,
            request.user,
            request.POST.get("kind", ""),
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
            options=_parse_options(request.POST.get("options", "")),
            simple_question=bool(request.POST.get("simple_question")),
            urgent=bool(request.POST.get("urgent")),
            event_at=event_at,
            amendment=request.POST.get("amendment", ""),
            protocol_text=request.POST.get("protocol_text", ""),
            amends=_int_or_none(request.POST.get("amends", "")),
            recalls=_int_or_none(request.POST.get("recalls", "")),
            more_questions=_parse_questions(request.POST.get("more_questions", "")),
            within=request.POST.get("within", ""),
        )
    except NotFound:
        return [_("Choose a kind of decision.")]
    except Refused as refused:
        return refused.messages
    messages.success(request, _("Your proposal is open for debate."))
    return redirect("proposal", proposal.pk)


def proposal_page(request: Request, pk: int) -> HttpResponse:
    ctx, proposal = _proposal_or_404(request, pk)
    seen(request, proposal_id=proposal.pk)
    from .settle import settle_proposal

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
        selectors.referral_lines([entry.pk], request.user).get(entry.pk, [])
        if entry is not None
        else []
    )
    if proposal.amendment == "partial":  # art. 3: the last holder to agree may have left
        amending.apply_if_agreed(ctx.protocol, proposal)
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
            "referred_from": selectors.referred_from_text(proposal, request.user),
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


def _is_project(entry: RegisterEntry) -> bool:
    from folkmoot.projects.actions import is_project  # the projects' room, above

    return is_project(entry)


def _act_on_proposal(
    request: AuthedRequest, pk: int, act: Callable[[actions.DecisionContext, Proposal], str]
) -> HttpResponse:
    """Every button on a proposal: the action, then back to the proposal with its message,
    or with the core's reasons when it refuses (nothing changed)."""
    ctx, proposal = _proposal_or_404(request, pk)
    try:
        done = act(ctx, proposal)
    except Refused as refused:
        return _refused(request, refused, f"/decisions/{proposal.pk}/")
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
    ctx, proposal = _proposal_or_404(request, pk)
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
        return _refused(request, refused, f"/decisions/{proposal.pk}/")
    messages.success(request, _("Voting is open."))
    return redirect("vote", vote.pk)


# --- votes ----------------------------------------------------------------------------------


def _ballot_from_post(vote: Vote, data: Any) -> BallotInput:
    valid_raw = data.get("valid")
    if valid_raw not in (None, "", "0", "1"):
        raise Refused.because(
            Reason(
                "ballot_bad_validity",
                gettext_noop("Answer the validity question with valid or null."),
            )
        )
    valid = None if valid_raw in (None, "") else valid_raw == "1"
    if vote.method in ("star", "bloc-star", "allocated-score"):
        scores: dict[str, object] = {}
        for i, name in enumerate(vote.options):
            raw = data.get(f"score-{i}", "0") or "0"
            number = _int_or_none(raw)
            scores[name] = raw if number is None else number  # the core names a bad score
        return BallotInput(scores=scores, valid=valid)
    if vote.method in ("approval", "top-n"):
        # An index that is no option is passed on as it came: the core names it in its refusal.
        chosen = [_option_at(vote, i) or i for i in data.getlist("approve")]
        return BallotInput(approve=chosen, valid=valid)
    raw = data.get("choice", "")
    choice = _option_at(vote, raw)
    if raw and choice is None:
        choice = raw  # an unknown option: the core names it in its refusal
    return BallotInput(choice=choice, valid=valid)


def vote_page(request: Request, pk: int) -> HttpResponse:
    vote = _vote_or_404(request, pk)
    seen(request, vote_id=vote.pk)
    return _vote_view(request, vote)


def _marks_shown(vote: Vote, submitted: Any) -> dict[int, Any]:
    """What the voter had marked, by option index, to show again after a refusal (a refused
    ballot must not come back blank). Nothing submitted: every score at 0, nothing marked."""
    if vote.method in ("star", "bloc-star", "allocated-score"):
        return {i: _int_or_none(submitted.get(f"score-{i}", "0")) for i in range(len(vote.options))}
    if vote.method in ("approval", "top-n"):
        chosen = set(submitted.getlist("approve")) if submitted else set()
        return {i: str(i) in chosen for i in range(len(vote.options))}
    choice = submitted.get("choice") if submitted else None
    return {i: choice == str(i) for i in range(len(vote.options))}


def _option_at(vote: Vote, raw: str) -> str | None:
    index = _int_or_none(raw)
    return vote.options[index] if index is not None and index < len(vote.options) else None


def _int_or_none(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdecimal() else None


def _vote_view(
    request: Request,
    vote: Vote,
    cast: ballots.Cast | None = None,
    *,
    submitted: Any = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    from .settle import settle_vote

    now = timezone.now()
    result = settle_vote(vote, now)
    may = ballots.check_may_cast(request.user, vote)
    voted = ballots.has_voted(request.user, vote)
    language = (get_language() or "en")[:2]
    person_key = request.user.pk if request.user.is_authenticated else "anonymous"
    marks = _marks_shown(vote, submitted or QueryDict())
    shown_result = None
    if result is not None:
        shown_result = result.explained.get(language) or result.explained.get("en")
    elif selectors.shows_live_results(vote, now):
        shown_result = selectors.live_result(vote, language)
    order = actions.option_order(vote, person_key)
    parts = _parts_shown(vote, person_key, submitted, now)
    return render(
        request,
        "decisions/vote.html",
        {
            "assembly": vote.assembly,
            "vote": vote,
            "is_open": vote.is_open(now),
            "is_closed": vote.is_closed(now),
            "may": _shown(may),
            "voted": voted,
            # A secret ballot is changed with its change code; a public one by its voter.
            "needs_change_code": vote.secret,
            "options": [
                (vote.options.index(o), o, marks.get(vote.options.index(o))) for o in order
            ],
            "valid_chosen": submitted.get("valid") if submitted else None,
            "blank_chosen": bool(submitted) and submitted.get("choice") == "",
            "errors": errors or [],
            "scores": range(vote.max_score + 1),
            "result": result,
            "shown": shown_result,
            "charts": selectors.charts(shown_result, list(vote.options)) if shown_result else [],
            "counts": selectors.vote_counts(vote),
            "public_ballots": selectors.public_ballots(vote) if not vote.secret else [],
            "cast": cast,
            "codes": _codes_shown(vote, cast, submitted, order) if cast else None,
            "candidates": selectors.election_candidates(vote),
            "parts": parts,
        },
        status=400 if errors else 200,
    )


def _parts_shown(vote: Vote, person_key: Any, submitted: Any, now: Any) -> list[dict[str, Any]]:
    """VOTE-2: a MegaPoll's further questions on the same ballot page, each with its options
    (in the voter's own order) and, once closed, its own result."""
    from .settle import settle_vote

    out = []
    for part in vote.parts.order_by("position"):
        chosen = submitted.get(f"part-{part.pk}") if submitted else None
        out.append(
            {
                "vote": part,
                "number": (part.position or 0) + 1,
                "options": [
                    (part.options.index(o), o, chosen == str(part.options.index(o)))
                    for o in actions.option_order(part, person_key)
                ],
                "blank": bool(submitted) and chosen == "",
                "result": settle_vote(part, now) if part.is_closed(now) else None,
            }
        )
    return out


def _codes_shown(
    vote: Vote, cast: ballots.Cast, submitted: Any, order: list[str]
) -> dict[str, Any]:
    """BEY-2: what the voter marked and their codes, shown once, with a text to keep."""
    marked = _marks_shown(vote, submitted)
    lines = []
    for name in order:
        mark = marked.get(vote.options.index(name))
        if vote.method in ("star", "bloc-star", "allocated-score"):
            lines.append((name, str(mark or 0)))
        elif mark:
            lines.append((name, "✓"))
    if vote.method == "choice" and not any(marked.values()):
        lines.append((_("Blank vote"), "✓"))
    check = ballots.grouped(cast.check_code) if cast.check_code else ""
    change = ballots.grouped(cast.change_code) if cast.change_code else ""
    text = [f"{vote.title}", f"{_('Vote')} #{vote.pk}", ""]
    text += [f"{name}: {mark}" for name, mark in lines]
    if check:
        text += ["", f"{_('Check code (published with the ballots after the close)')}: {check}"]
    if change:
        text += [f"{_('Change code (private: only while voting is open)')}: {change}"]
    return {"lines": lines, "check": check, "change": change, "text": "\n".join(text) + "\n"}


@login_required
@require_POST
def vote_cast(request: AuthedRequest, pk: int) -> HttpResponse:
    vote = _vote_or_404(request, pk)
    try:
        # VOTE-2: a MegaPoll's questions are one ballot: all of them are cast, or none.
        with transaction.atomic():
            first = _ballot_from_post(vote, request.POST)
            cast = ballots.check_cast(
                request.user,
                vote,
                first,
                change_code=request.POST.get("change_code", ""),
            )
            for part in vote.parts.order_by("position"):
                raw = request.POST.get(f"part-{part.pk}", "")
                choice = _option_at(part, raw)
                ballots.check_cast(
                    request.user,
                    part,
                    BallotInput(
                        choice=choice if choice is not None or not raw else raw, valid=first.valid
                    ),
                    change_code=request.POST.get("change_code", ""),
                    same_code_as=cast.change_code,
                )
    except Refused as refused:
        # Shown again with what was marked (not the change code: it is typed again).
        return _vote_view(request, vote, submitted=request.POST, errors=refused.messages)
    # The codes are shown in this response only and stored nowhere with the voter (not even
    # in their session): the page keeps them on the voter's device (ballot-codes.js).
    messages.success(
        request, _("Your ballot is changed.") if cast.changed else _("Your ballot is cast.")
    )
    return _vote_view(request, vote, cast, submitted=request.POST)


def vote_electorate(request: Request, pk: int) -> HttpResponse:
    """VOTE-5, VOTE-10: who may vote, fixed at the opening, and why (the rule, and each
    person's membership start where seniority counts)."""
    vote = _vote_or_404(request, pk)
    return render(
        request,
        "decisions/electorate.html",
        {
            "assembly": vote.assembly,
            "vote": vote,
            "rule": selectors.electorate_rule(vote),
            "page_obj": Paginator(
                vote.electorate.select_related("person").order_by("person__display_name"), 100
            ).get_page(request.GET.get("page")),
        },
    )


def vote_check(request: Request, pk: int) -> HttpResponse:
    """BEY-2: after the close, anyone holding a check code finds its ballot in the published
    list. The code comes in a POST body, never in the address (which access logs keep)."""
    vote = _vote_or_404(request, pk)
    closed = vote.is_closed(timezone.now())
    code = ballots.normal_code(request.POST.get("code", "")) if request.method == "POST" else ""
    if closed and code:
        from .settle import settle_vote

        settle_vote(vote)  # the box is opened by the first read after the close
    found = selectors.ballot_by_check_code(vote, code) if closed else None
    return render(
        request,
        "decisions/receipt.html",
        {
            "assembly": vote.assembly,
            "vote": vote,
            "code": ballots.grouped(code) if code else "",
            "found": found,
            "closed": closed,
        },
        status=404 if code and closed and found is None else 200,
    )


def _closed_or_404(vote: Vote) -> None:
    """The ballots are published once the vote has closed; the first read after the close
    opens the box and counts (settle_vote does it once)."""
    if not vote.is_closed(timezone.now()):
        raise Http404(_("Ballots are published when the vote closes."))
    from .settle import settle_vote

    settle_vote(vote)


def vote_ballots_csv(request: Request, pk: int) -> HttpResponse:
    vote = _vote_or_404(request, pk)
    _closed_or_404(vote)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}-ballots.csv"'
    writer = csv.writer(response)
    header = ["check_code", *vote.options, "valid"]
    if not vote.secret:
        header.append("voter")
    writer.writerow(header)
    for row in selectors.published_ballots(vote):
        writer.writerow(row)
    return response


def vote_ballots_json(request: Request, pk: int) -> HttpResponse:
    """The ballots in the form `folkmoot tally` reads, so anyone can recount (BEY-2)."""
    vote = _vote_or_404(request, pk)
    _closed_or_404(vote)
    data = selectors.tally_file(vote)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}-ballots.json"'
    return response


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
    lines = selectors.referral_lines([e.pk for e in page], request.user)
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
