"""The form that opens a proposal (VOTE-2, VOTE-3): its kinds, amendments (PRO-2), the
decisions an Amendment may rectify, internal votes (art. 9.4), a MegaPoll's further
questions and recalls (art. 8.3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from folkmoot.decisions import actions
from folkmoot.decisions.models import RegisterEntry
from folkmoot.federation.views import assembly_or_404
from folkmoot.governance.audience import may_propose
from folkmoot.http import AuthedRequest
from folkmoot.refusals import NotFound, Refused

from .shared import int_or_none


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
            amends=int_or_none(request.POST.get("amends", "")),
            recalls=int_or_none(request.POST.get("recalls", "")),
            more_questions=_parse_questions(request.POST.get("more_questions", "")),
            within=request.POST.get("within", ""),
        )
    except NotFound:
        return [_("Choose a kind of decision.")]
    except Refused as refused:
        return refused.messages
    messages.success(request, _("Your proposal is open for debate."))
    return redirect("proposal", proposal.pk)
