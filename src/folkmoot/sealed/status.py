"""What a sealed vote's page and the API show one person (issue 16): the stage, what this
person has to do now, the guardians' progress, the keys registered against the electorate
(so anyone can see that the server registered no extra key), and the ballot box."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from folkmoot.governance.reasons import Answer
from folkmoot.governance.sealing import Stage
from folkmoot.refusals import reasons_text

from .closing import ensure_opened
from .handing import checking, refusal_of
from .models import Guardian, HandedIn, SealedElection, VoterKey
from .selectors import guardian_of, round_of, stage_of, waiting_for_others
from .tool import ToolFailed

log = logging.getLogger(__name__)


@dataclass
class GuardianRow:
    position: int
    name: str
    person_id: int
    certificate: bool
    polynomial: bool
    share: bool
    shuffled: bool
    decrypted: bool


@dataclass
class Status:
    election: SealedElection
    stage: Stage
    electorate: int
    keys: int
    ballots: int
    guardians: list[GuardianRow]
    my_key: str = ""  # the viewer's public credential, when registered
    in_electorate: bool = False
    guardian: Guardian | None = None
    todo: str = ""  # the guardian's next step, "" when none
    waiting: bool = False  # the step waits for other guardians
    checking: HandedIn | None = None  # their shuffle or decryption, handed in, being checked
    refused: list[str] = field(default_factory=list)  # why the last one was refused
    links: dict[str, str] = field(default_factory=dict)


def guardian_todo(
    election: SealedElection, guardian: Guardian, current: Stage, handed_in: bool | None = None
) -> tuple[str, bool]:
    """The guardian's next step and whether it waits for another guardian; none while what
    they handed in is being checked (`handed_in`, looked up when not given)."""
    if current in (Stage.KEYS, Stage.LATE):
        step = round_of(guardian)
        return step, bool(step) and waiting_for_others(election, step)
    step = ""
    if current == Stage.SHUFFLING and guardian.shuffled_at is None:
        step = "shuffle"
    elif current == Stage.DECRYPTING and guardian.decrypted_at is None:
        step = "decryption"
    if handed_in is None and step:
        handed_in = checking(guardian) is not None
    if not step or handed_in:
        return "", False  # nothing to do, or what they handed in is being checked
    if step == "shuffle":
        earlier = election.guardians.filter(
            position__lt=guardian.position, shuffled_at__isnull=True
        ).exists()
        return step, earlier
    return step, False


def status_for(election: SealedElection, user: Any) -> Status:
    # Building the election at the opening is light; ending it (every ballot appended) is
    # the worker's (closing.due_sealed), never a page's. A tool failure is logged, and the
    # page still shows what it can.
    try:
        ensure_opened(election)
    except ToolFailed:
        log.exception("sealed vote %s: building the election failed", election.vote_id)
    current = stage_of(election)
    vote = election.vote
    rows = [
        GuardianRow(
            position=g.position,
            name=g.person.get_full_name() or g.person.get_username(),
            person_id=g.person_id,
            certificate=bool(g.certificate),
            polynomial=bool(g.polynomial),
            share=bool(g.share_output),
            shuffled=g.shuffled_at is not None,
            decrypted=g.decrypted_at is not None,
        )
        for g in election.guardians.select_related("person")
    ]
    status = Status(
        election=election,
        stage=current,
        electorate=vote.electorate.count(),
        keys=election.keys.count(),
        ballots=election.ballots.filter(replaced=False).count(),
        guardians=rows,
    )
    if getattr(user, "is_authenticated", False):
        status.in_electorate = vote.electorate.filter(person=user).exists()
        mine = VoterKey.objects.filter(election=election, person=user).first()
        status.my_key = mine.public_credential if mine else ""
        status.guardian = guardian_of(election, user)
        if status.guardian is not None:
            status.checking = checking(status.guardian)
            status.todo, status.waiting = guardian_todo(
                election, status.guardian, current, handed_in=status.checking is not None
            )
            if status.todo:
                refused = refusal_of(status.guardian, status.todo)
                status.refused = reasons_text(Answer.no(*refused))
    pk = vote.pk
    status.links = {
        "page": reverse("sealed_vote", args=[pk]),
        "box": reverse("sealed_box", args=[pk]),
        "certificates": reverse("sealed_file", args=[pk, "certificates.jsons"]),
    }
    if election.opened_at is not None:
        status.links["election"] = reverse("sealed_file", args=[pk, "election.json"])
        status.links["archive"] = reverse("sealed_file", args=[pk, f"{election.uuid}.bel"])
    return status
