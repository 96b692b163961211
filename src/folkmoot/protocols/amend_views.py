"""Amending the protocol through a form (issue 13, PRO-2): the rules of the protocol in force
as fields, the differences in the reader's words side by side, then a proposal of the kind
the protocol amends by (partial or total), for those the protocol lets propose it. The YAML
stays for experts, on the proposal form and in the API."""

from __future__ import annotations

import math
from typing import Any

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _

from folkmoot.decisions import actions as decisions
from folkmoot.federation.views import assembly_or_404
from folkmoot.governance.amendment import amendment_routes
from folkmoot.governance.audience import may_propose, who
from folkmoot.governance.editing import (
    FORUM_ACTIONS,
    VOTING_DAYS,
    amended,
    audiences_of,
    differences,
    values_of,
)
from folkmoot.governance.protocol import Audience, Protocol, ProtocolInvalid
from folkmoot.http import AuthedRequest
from folkmoot.refusals import NotFound, Refused

from .selectors import protocol_in_force
from .texts import problems_text


def _whiches(
    ctx: decisions.DecisionContext, new: Protocol | None = None
) -> list[tuple[str, str, str]]:
    """(partial|total, decision kind, its name) the person may propose here. A partial
    amendment goes to the kind its changes need (forums, seats: art. 3, 8.6), once known."""
    language = get_language() or "en"
    out = []
    for which in ("partial", "total"):
        kind = getattr(ctx.protocol.amendments, which).decision_kind
        if which == "partial" and new is not None:
            kind = _route(ctx.protocol, new)
        if kind in ctx.protocol.decision_kinds and may_propose(
            ctx.protocol, kind, ctx.viewer, timezone.localdate()
        ):
            out.append((which, kind, str(ctx.protocol.decision_kinds[kind].name.get(language))))
    return out


def _route(old: Protocol, new: Protocol) -> str:
    """The kind a partial amendment needs; the partial kind when its parts need different
    kinds (proposing it then says to split it)."""
    kinds = {r.kind for r in amendment_routes(old, new)}
    return kinds.pop() if len(kinds) == 1 else old.amendments.partial.decision_kind


def _sections(protocol: Protocol, values: dict[str, Any]) -> dict[str, Any]:
    """The form's fields, grouped as the protocol page groups its rules."""
    language = (get_language() or "en")[:2]
    choices = [
        (term, who(Audience(any_of=[term]), protocol).render(gettext, language))
        for term in audiences_of(protocol)
    ]
    names = {
        "read": _("Who may read"),
        "open_thread": _("Who may open a thread"),
        "reply": _("Who may reply"),
    }
    return {
        "choices": choices,
        "forums": [
            (
                key,
                forum.name.get(language),
                [(f"forum.{key}.{a}", names[a], values[f"forum.{key}.{a}"]) for a in FORUM_ACTIONS],
            )
            for key, forum in protocol.forums.items()
        ],
        "offices": [
            (
                key,
                office.name.get(language),
                values[f"office.{key}.seats"],
                values[f"office.{key}.term_days"],
                values.get(f"office.{key}.sealed"),  # None: its elections cannot be sealed
            )
            for key, office in protocol.offices.items()
        ],
        "kinds": [
            (
                key,
                kind.name.get(language),
                values[f"kind.{key}.secret"],
                [(n, values.get(f"kind.{key}.voting.{n}")) for n in VOTING_DAYS]
                if kind.voting
                else [],
                values[f"kind.{key}.sealed"],
            )
            for key, kind in protocol.decision_kinds.items()
        ],
        # Issue 16: the offices that may guard sealed votes.
        "guardians": [(key, office.name.get(language)) for key, office in protocol.offices.items()],
        "sanctions": [
            (key, level.name.get(language), values[f"sanction.{key}.hours"])
            for key, level in (protocol.sanctions.levels.items() if protocol.sanctions else [])
        ],
    }


def _read(post: Any, start: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The values the form sent, typed, and a message for each that is not a number."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, was in start.items():
        if name.startswith("forum."):
            values[name] = post.getlist(name)
        elif name.endswith(".secret"):
            values[name] = post.get(name) == "1"
        elif name.endswith(".sealed"):
            # An office's key, which the protocol checks; a form without the field (a page
            # from before it was offered) changes nothing.
            values[name] = post.get(name, "").strip() if name in post else was
        else:
            text = post.get(name, "").strip().replace(",", ".")
            if not text:
                values[name] = None
                continue
            try:
                number = float(text)
                if not math.isfinite(number):
                    raise ValueError(text)
                values[name] = int(number) if name.endswith((".seats", ".term_days")) else number
            except (ValueError, OverflowError):
                problems.append(
                    _("“%(value)s” is not a number (%(field)s).") % {"value": text, "field": name}
                )
                values[name] = was
    return values, problems


@login_required
def amend(request: AuthedRequest, slug: str) -> HttpResponse:
    assembly = assembly_or_404(request, slug)
    try:
        ctx = decisions.decision_context(request.user, assembly)
    except NotFound as missing:
        raise Http404(_("This assembly has no protocol yet.")) from missing
    whiches = _whiches(ctx)
    if not whiches:
        return render(
            request,
            "protocols/amend_refused.html",
            {
                "assembly": assembly,
                "reasons": [_("Nobody in your place may propose an amendment of this protocol.")],
            },
            status=403,
        )
    in_force = protocol_in_force(assembly)
    assert in_force is not None
    start = values_of(ctx.protocol)
    values: dict[str, Any] = dict(start)
    problems: list[str] = []
    changes: list[Any] = []
    routes: list[str] = []
    new_data: dict[str, Any] | None = None
    if request.method == "POST":
        values, problems = _read(request.POST, start)
        changed = {k: v for k, v in values.items() if v != start[k]}
        if not changed and not problems:
            problems.append(_("Change at least one rule first."))
        if not problems:
            try:
                new_data, new = amended(yaml.safe_load(in_force.version.document), changed)
            except ProtocolInvalid as invalid:
                problems = [f"{p['path']}: {p['message']}" for p in problems_text(invalid)]
            else:
                changes = differences(ctx.protocol, new, (get_language() or "en")[:2], gettext)
                whiches = _whiches(ctx, new) or whiches
                language = (get_language() or "en")[:2]
                routes = [
                    r.reason.render(gettext, language)
                    for r in amendment_routes(ctx.protocol, new)
                    if r.reason is not None
                ]
        if new_data is not None and not problems and "propose" in request.POST:
            which = request.POST.get("which", "")
            kind = next((k for w, k, _n in whiches if w == which), None)
            if kind is None:
                problems.append(_("Choose a partial or a total amendment."))
            else:
                try:
                    proposal = decisions.check_propose(
                        ctx,
                        request.user,
                        kind,
                        title=request.POST.get("title", ""),
                        body=request.POST.get("body", ""),
                        amendment=which,
                        protocol_text=yaml.safe_dump(new_data, allow_unicode=True, sort_keys=False),
                    )
                except Refused as refused:
                    problems.extend(refused.messages)
                else:
                    messages.success(request, _("Your amendment is open for debate."))
                    return redirect("proposal", proposal.pk)
    return render(
        request,
        "protocols/amend.html",
        {
            "assembly": assembly,
            "sections": _sections(ctx.protocol, values),
            "changes": changes,
            "problems": problems,
            "whiches": whiches,
            "routes": routes,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=400 if problems else 200,
    )
