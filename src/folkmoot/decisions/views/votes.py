"""The pages of a vote: the ballot and its result (VOTE-5, VOTE-8, VOTE-11), the
electorate (VOTE-10), and after the close the published ballots and the check of a
ballot by its code (BEY-2)."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.decisions import actions, ballots, selectors
from folkmoot.decisions.models import Vote
from folkmoot.governance.casting import BallotInput
from folkmoot.governance.reasons import Reason, gettext_noop
from folkmoot.http import AuthedRequest, Request
from folkmoot.notifications.reading import seen
from folkmoot.refusals import Refused

from .shared import int_or_none, shown, vote_or_404


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
            number = int_or_none(raw)
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
    vote = vote_or_404(request, pk)
    seen(request, vote_id=vote.pk)
    return _vote_view(request, vote)


def _marks_shown(vote: Vote, submitted: Any) -> dict[int, Any]:
    """What the voter had marked, by option index, to show again after a refusal (a refused
    ballot must not come back blank). Nothing submitted: every score at 0, nothing marked."""
    if vote.method in ("star", "bloc-star", "allocated-score"):
        return {i: int_or_none(submitted.get(f"score-{i}", "0")) for i in range(len(vote.options))}
    if vote.method in ("approval", "top-n"):
        chosen = set(submitted.getlist("approve")) if submitted else set()
        return {i: str(i) in chosen for i in range(len(vote.options))}
    choice = submitted.get("choice") if submitted else None
    return {i: choice == str(i) for i in range(len(vote.options))}


def _option_at(vote: Vote, raw: str) -> str | None:
    index = int_or_none(raw)
    return vote.options[index] if index is not None and index < len(vote.options) else None


def _vote_view(
    request: Request,
    vote: Vote,
    cast: ballots.Cast | None = None,
    *,
    submitted: Any = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    from folkmoot.decisions.settle import settle_vote

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
            "may": shown(may),
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
    from folkmoot.decisions.settle import settle_vote

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
    vote = vote_or_404(request, pk)
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
    vote = vote_or_404(request, pk)
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
    vote = vote_or_404(request, pk)
    closed = vote.is_closed(timezone.now())
    code = ballots.normal_code(request.POST.get("code", "")) if request.method == "POST" else ""
    if closed and code:
        from folkmoot.decisions.settle import settle_vote

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
    from folkmoot.decisions.settle import settle_vote

    settle_vote(vote)


def vote_ballots_csv(request: Request, pk: int) -> HttpResponse:
    vote = vote_or_404(request, pk)
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
    vote = vote_or_404(request, pk)
    _closed_or_404(vote)
    data = selectors.tally_file(vote)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}-ballots.json"'
    return response
