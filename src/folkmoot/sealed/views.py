"""The pages of a sealed vote (issue 16): one page where each person finds their part (a
voter registers their key, then seals and casts; a guardian takes their step with
belenios-tool and hands back its output), the public ballot box, and the files."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.http import AuthedRequest, Request
from folkmoot.refusals import NotFound, Refused

from . import casting, ceremony
from .files import sealed_file
from .models import SealedBallot, SealedElection, VoterKey
from .selectors import access_sealed, guardian_of
from .status import status_for


def _election_or_404(request: Request, pk: int) -> SealedElection:
    try:
        return access_sealed(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such sealed vote.")) from missing


def _page(
    request: Request, election: SealedElection, *, errors: list[str] | None = None, **extra: Any
) -> HttpResponse:
    status = status_for(election, request.user)
    vote = election.vote
    return render(
        request,
        "sealed/vote.html",
        {
            "assembly": vote.assembly,
            "vote": vote,
            "s": status,
            "errors": errors or [],
            "store_key": f"folkmoot.sealed.{election.uuid}.{getattr(request.user, 'pk', '')}",
            "option_rows": list(enumerate(vote.options)),
            "scores": range(vote.max_score + 1),
            "score_method": vote.method in ("star", "bloc-star", "allocated-score"),
            **extra,
        },
        status=400 if errors else 200,
    )


def sealed_vote(request: Request, pk: int) -> HttpResponse:
    election = _election_or_404(request, pk)
    return _page(request, election, tracker=_my_tracker(request, election))


def _my_tracker(request: Request, election: SealedElection) -> str:
    """The tracker named in the address, when it is a ballot cast with the viewer's key."""
    sought = request.GET.get("tracker", "")
    if not sought or not request.user.is_authenticated:
        return ""
    mine = VoterKey.objects.filter(election=election, person=request.user).values(
        "public_credential"
    )
    found = SealedBallot.objects.filter(
        election=election, tracker=sought, credential__in=mine
    ).exists()
    return sought if found else ""


@login_required
@require_POST
def sealed_register(request: AuthedRequest, pk: int) -> HttpResponse:
    election = _election_or_404(request, pk)
    try:
        casting.check_register(election, request.user, request.POST.get("public_credential", ""))
    except Refused as refused:
        return _page(request, election, errors=refused.messages)
    messages.success(request, _("Your voting key is registered. Keep it: you need it to vote."))
    return redirect("sealed_vote", pk)


@login_required
@require_POST
def sealed_cast(request: AuthedRequest, pk: int) -> HttpResponse:
    election = _election_or_404(request, pk)
    try:
        cast = casting.check_cast_sealed(election, request.user, request.POST.get("ballot", ""))
    except Refused as refused:
        return _page(request, election, errors=refused.messages)
    messages.success(request, _("Your sealed ballot is in the box."))
    # To a page of its own address (a reload does not send the ballot again), which shows
    # the tracker to the voter whose ballot it is.
    return redirect(f"{reverse('sealed_vote', args=[pk])}?tracker={quote(cast.tracker)}")


@login_required
@require_POST
def sealed_guardian(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    election = _election_or_404(request, pk)
    if guardian_of(election, request.user) is None:  # before reading any file
        return _page(request, election, errors=[_("Only the vote's guardians take this step.")])
    upload = request.FILES.get("file")
    content = request.POST.get("content", "")
    if upload is not None:
        if upload.size is None or upload.size > ceremony.MAX_UPLOAD:
            return _page(request, election, errors=[_("This file is too large.")])
        content = upload.read().decode("utf-8", errors="replace")
    try:
        ceremony.do_guardian_step(
            election=election, person=request.user, step=step, content=content
        )
    except Refused as refused:
        return _page(request, election, errors=refused.messages)
    if step in ("shuffle", "decryption"):
        messages.success(
            request,
            _(
                "Handed in. belenios-tool now checks it against every ballot, which takes a "
                "few minutes for thousands; you will be told when it is kept, or why not."
            ),
        )
    else:
        messages.success(request, _("Your part is checked and kept. Thank you."))
    return redirect("sealed_vote", pk)


def sealed_box(request: Request, pk: int) -> HttpResponse:
    """The public ballot box: every ballot cast, by its tracker, in the order of the
    trackers (not of casting); a replaced ballot stays, marked."""
    election = _election_or_404(request, pk)
    sought = request.GET.get("tracker", "").strip()
    rows = SealedBallot.objects.filter(election=election).order_by("tracker")
    found = rows.filter(tracker=sought).first() if sought else None
    return render(
        request,
        "sealed/box.html",
        {
            "assembly": election.vote.assembly,
            "vote": election.vote,
            "election": election,
            "rows": rows.values("tracker", "replaced"),
            "sought": sought,
            "found": found,
        },
    )


def sealed_download(request: Request, pk: int, name: str) -> HttpResponse:
    election = _election_or_404(request, pk)
    try:
        content, media_type = sealed_file(election, request.user, name)
    except NotFound as missing:
        raise Http404(_("This file does not exist yet.")) from missing
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
