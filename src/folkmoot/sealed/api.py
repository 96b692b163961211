"""Sealed votes through the API (issue 16, UI-5): the same actions as the page. An API
client seals its ballot itself (folkmoot.sealed.belenios.make_ballot does it in Python) and
sends only the sealed ballot; its voting key never leaves it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile

from folkmoot.api.auth import OPTIONAL, REQUIRED

from . import casting, ceremony
from .files import sealed_file
from .handing import MIXING
from .models import SealedBallot
from .selectors import access_sealed, guardian_of
from .status import status_for

router = Router(tags=["sealed votes"])


class SealedGuardianOut(Schema):
    position: int = Field(description="their trustee id in belenios-tool")
    name: str
    certificate: bool
    polynomial: bool
    share: bool
    shuffled: bool
    decrypted: bool


class SealedOut(Schema):
    vote: int
    uuid: str = Field(description="the Belenios election's uuid")
    stage: str = Field(
        description="keys | registering | late | open | shuffling | decrypting | counted | failed"
    )
    threshold: int = Field(description="how many guardians must decrypt")
    width: int = Field(
        description="the grade vector's length: one per option, then the validity answer "
        "(0 none, 1 valid, 2 null) when the vote asks it"
    )
    options: list[str]
    max_score: int
    method: str
    electorate: int
    keys: int = Field(description="voting keys registered: never more than the electorate")
    ballots: int = Field(description="ballots in the box that count (replaced ones excluded)")
    spoiled: int | None = Field(description="decrypted vectors outside the scale, once counted")
    my_key: str = Field(description="my registered public voting key, or empty")
    my_step: str = Field(description="as a guardian: my next step, or empty")
    my_step_waits: bool = Field(description="my step waits for another guardian")
    my_step_checking: str = Field(
        description="as a guardian: the step I handed in (shuffle or decryption) that the "
        "worker is checking against the archive, or empty"
    )
    my_step_refused: list[str] = Field(
        description="as a guardian: why the worker's check refused my last shuffle or "
        "decryption, while that step is still mine to take"
    )
    guardians: list[SealedGuardianOut]
    files: dict[str, str]


class SealedKeyIn(Schema):
    public_credential: str = Field(max_length=700)


class SealedBallotIn(Schema):
    ballot: str = Field(max_length=200_000, description="the sealed ballot, canonical JSON")


class SealedCastOut(Schema):
    tracker: str


class SealedBoxRow(Schema):
    tracker: str
    replaced: bool


class SealedStepIn(Schema):
    content: str = Field(description="what belenios-tool printed, one line of JSON")


def _out(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    election = access_sealed(request.user, vote_id)
    s = status_for(election, request.user)
    vote = election.vote
    return {
        "vote": vote.pk,
        "uuid": election.uuid,
        "stage": str(s.stage),
        "threshold": election.threshold,
        "width": election.width,
        "options": list(vote.options),
        "max_score": vote.max_score,
        "method": vote.method,
        "electorate": s.electorate,
        "keys": s.keys,
        "ballots": s.ballots,
        "spoiled": election.spoiled,
        "my_key": s.my_key,
        "my_step": s.todo,
        "my_step_waits": s.waiting,
        "my_step_checking": s.checking.step if s.checking else "",
        "my_step_refused": s.refused,
        "guardians": [g.__dict__ for g in s.guardians],
        "files": s.links,
    }


@router.get("/votes/{vote_id}/sealed", response=SealedOut, auth=OPTIONAL, summary="A sealed vote")
def sealed_status(request: HttpRequest, vote_id: int) -> dict[str, Any]:
    return _out(request, vote_id)


@router.post(
    "/votes/{vote_id}/sealed/key",
    response={201: SealedOut},
    auth=REQUIRED,
    summary="Register my public voting key, before the vote opens",
)
def register_key(request: HttpRequest, vote_id: int, payload: SealedKeyIn) -> Reply[Any]:
    election = access_sealed(request.user, vote_id)
    casting.check_register(election, request.user, payload.public_credential)
    return Reply(201, _out(request, vote_id))


@router.post(
    "/votes/{vote_id}/sealed/ballots",
    response={201: SealedCastOut},
    auth=REQUIRED,
    summary="Cast a ballot sealed with my voting key; a later one replaces it",
)
def cast_sealed(request: HttpRequest, vote_id: int, payload: SealedBallotIn) -> Reply[Any]:
    election = access_sealed(request.user, vote_id)
    cast = casting.check_cast_sealed(election, request.user, payload.ballot)
    return Reply(201, {"tracker": cast.tracker})


@router.get(
    "/votes/{vote_id}/sealed/ballots",
    response=list[SealedBoxRow],
    auth=OPTIONAL,
    summary="The ballot box: every tracker, replaced ones marked",
)
def sealed_box(request: HttpRequest, vote_id: int) -> list[dict[str, Any]]:
    election = access_sealed(request.user, vote_id)
    rows = SealedBallot.objects.filter(election=election).order_by("tracker")
    return [{"tracker": t, "replaced": r} for t, r in rows.values_list("tracker", "replaced")]


_STEP_DONE = (
    "200: the step is checked and kept. 202 (a shuffle or a decryption): handed in; the worker "
    "checks it against the archive (minutes for thousands of ballots), then `my_step_checking` "
    "is empty and the step is kept, or `my_step_refused` says why not."
)


def _handed(request: HttpRequest, vote_id: int, step: str) -> Reply[Any]:
    return Reply(202 if step in MIXING else 200, _out(request, vote_id))


@router.post(
    "/votes/{vote_id}/sealed/guardian/{step}",
    response={200: SealedOut, 202: SealedOut},
    auth=REQUIRED,
    summary="Hand back a guardian's step: certificate, polynomial, share, shuffle, decryption",
    description=_STEP_DONE,
)
def guardian_step(
    request: HttpRequest, vote_id: int, step: str, payload: SealedStepIn
) -> Reply[Any]:
    election = access_sealed(request.user, vote_id)
    ceremony.do_guardian_step(
        election=election, person=request.user, step=step, content=payload.content
    )
    return _handed(request, vote_id, step)


@router.post(
    "/votes/{vote_id}/sealed/guardian/{step}/file",
    response={200: SealedOut, 202: SealedOut},
    auth=REQUIRED,
    summary="Hand back a guardian's step as a file (a shuffle of many ballots is large)",
    description=_STEP_DONE,
)
def guardian_step_file(
    request: HttpRequest, vote_id: int, step: str, file: File[UploadedFile]
) -> Reply[Any]:
    election = access_sealed(request.user, vote_id)
    if guardian_of(election, request.user) is None:  # before reading the file
        raise ceremony.not_a_guardian()
    if file.size is None or file.size > ceremony.MAX_UPLOAD:
        raise ceremony.too_large()
    content = file.read().decode("utf-8", errors="replace")
    ceremony.do_guardian_step(election=election, person=request.user, step=step, content=content)
    return _handed(request, vote_id, step)


@router.get(
    "/votes/{vote_id}/sealed/files/{name}",
    auth=OPTIONAL,
    summary="A sealed vote's file: certificates.jsons, election.json, <uuid>.bel, and to a "
    "guardian share-input.json and decryption-key.json",
)
def sealed_download(request: HttpRequest, vote_id: int, name: str) -> HttpResponse:
    election = access_sealed(request.user, vote_id)
    content, media_type = sealed_file(election, request.user, name)
    return HttpResponse(content, content_type=media_type)
