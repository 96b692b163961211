"""A guardian's shuffle or partial decryption, checked by the worker (issue 16).

belenios-tool checks such a file by verifying the whole archive with it: 50 s to 3 min for a
thousand ballots (`bench/sealed.py`), longer than a request may wait behind a proxy, and a
worker of the web server held all that time. So the request checks what is quick (a
guardian, their turn, two lines of JSON made with their trustee id) and keeps the file
(`HandedIn`); the task worker checks it against the archive, on a queue of its own
("sealed", so that a check of many minutes holds no email back), and keeps it (the next
guardians are told their turn), or keeps why not on the guardian (`Guardian.refused`) and
tells them. The page says meanwhile that the file is being checked, and lets them hand it in
again. A check is judged as of the moment the file was handed in: the time for shuffling
ending meanwhile costs nobody their shuffle (closing.ensure_shuffles_ended waits for it).
A check the queue lost (unreachable, or a worker stopped during it) is asked for again by
the decisions worker (`ask_again`)."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.notifications.send import notify
from folkmoot.refusals import Refused

from . import tool
from .ceremony import check_guardian_step, owned_event, record_step, refused_by_tool
from .models import Guardian, HandedIn, SealedElection

log = logging.getLogger(__name__)

MIXING = ("shuffle", "decryption")
# A check asked this long ago and still not done was lost (a worker stopped during it): longer
# than a check takes at 10,000 ballots (about 20 minutes, bench/sealed.py).
LOST_AFTER = timedelta(hours=2)
# Refusals of the file itself, which its guardian mends by handing it in again. Any other
# (the step already done, the vote counted) means the step is no longer theirs: nothing to say.
_TO_MEND = {"tool_refused", "guardians_busy", "check_failed"}


def do_hand_in(
    *, election: SealedElection, person: Any, step: str, content: str, now: datetime | None
) -> Guardian:
    """Keeps the guardian's file for the worker's check, once the quick checks pass; a file
    handed in again replaces one not yet checked."""
    from .closing import ensure_shuffles_ended

    current = SealedElection.objects.defer("archive").get(pk=election.pk)
    current.vote = election.vote
    ensure_shuffles_ended(current, now)
    guardian = current.guardians.filter(person=person).first()
    check_guardian_step(current, guardian, step)
    assert guardian is not None
    text = owned_event(content, guardian.position)
    with transaction.atomic():
        # Deleted, not updated: an earlier file (up to 100 MB) is not read back; its task
        # finds it gone.
        HandedIn.objects.filter(guardian=guardian).delete()
        handed = HandedIn.objects.create(
            guardian=guardian, step=step, content=text, handed_at=now or timezone.now()
        )
        Guardian.objects.filter(pk=guardian.pk).update(refused=[])
        transaction.on_commit(lambda: _ask(handed.pk, handed.handed_at))
    guardian.refused = []
    return guardian


def _ask(handed_id: int, handed_at: datetime) -> None:
    """Asks the task worker for the check. A queue that cannot be reached fails nothing: the
    file is kept, and the decisions worker asks again (`ask_again`)."""
    from .tasks import check_handed_task

    try:
        check_handed_task.enqueue(handed_id, handed_at.isoformat())  # arguments are JSON
    except Exception:
        log.exception("sealed: could not ask for the check of %s", handed_id)
        return
    HandedIn.objects.filter(pk=handed_id).update(asked_at=timezone.now())


def ask_again(now: datetime) -> int:
    """The decisions worker's pass: checks never asked for (the queue was down), or asked
    for so long ago that the worker must have lost them."""
    lost = HandedIn.objects.filter(
        Q(asked_at__isnull=True, handed_at__lt=now - timedelta(minutes=1))
        | Q(asked_at__lt=now - LOST_AFTER)
    ).values_list("pk", "handed_at")
    for handed_id, handed_at in lost:
        _ask(handed_id, handed_at)
    return len(lost)


def checking(guardian: Guardian) -> HandedIn | None:
    """The file this guardian handed in that waits for the worker's check, without it."""
    return HandedIn.objects.defer("content").filter(guardian=guardian).first()


def check_handed(handed_id: int, handed_at: datetime, now: datetime | None = None) -> str:
    """The worker's: belenios-tool verifies the archive with the file; kept, or the guardian
    is told why not. A file handed in again since is checked by its own task."""
    handed = HandedIn.objects.select_related("guardian").filter(pk=handed_id).first()
    if handed is None or handed.handed_at != handed_at:
        return "replaced"
    guardian = handed.guardian
    election = (
        SealedElection.objects.defer("archive").select_related("vote").get(pk=guardian.election_id)
    )
    try:
        _mixing_step(election, handed, now)
    except Refused as refused:
        reasons = list(refused.answer.reasons)
        if not {r.code for r in reasons} & _TO_MEND:
            _forget(handed)  # the step is no longer theirs: nothing to mend, nothing to say
            return "moot"
        _refuse(handed, election.vote_id, reasons, now)
        return "refused"
    except Exception as failed:  # the tool or the database, not the file: they may try again
        log.exception("sealed: the check of %s failed", handed_id)
        why = Reason(
            "check_failed",
            gettext_noop("The check could not be completed (%(why)s); hand your step in again."),
            {"why": str(failed)[:300]},
        )
        _refuse(handed, election.vote_id, [why], now)
        return "failed"
    # Kept: the next guardians were told their turn (closing.keep_shuffle); this one hears
    # that the wait is over, as the page promised.
    notify(
        "sealed_guardian",
        [guardian.person_id],
        vote=election.vote_id,
        occasion=f"kept:{handed.step}",
    )
    return "kept"


def _forget(handed: HandedIn) -> None:
    HandedIn.objects.filter(pk=handed.pk, handed_at=handed.handed_at).delete()


def _refuse(handed: HandedIn, vote_id: int, reasons: list[Reason], now: datetime | None) -> None:
    kept = [
        {"step": handed.step, "code": r.code, "template": r.template, "params": _plain(r.params)}
        for r in reasons
    ]
    with transaction.atomic():
        if not HandedIn.objects.filter(pk=handed.pk, handed_at=handed.handed_at).delete()[0]:
            return  # handed in again meanwhile: that one is checked now
        Guardian.objects.filter(pk=handed.guardian_id).update(refused=kept)
    moment = now or timezone.now()
    notify(
        "sealed_guardian",
        [handed.guardian.person_id],
        vote=vote_id,
        occasion=f"refused-own:{handed.step}:{moment:%Y%m%dT%H%M%S}",
    )


def refusal_of(guardian: Guardian, step: str) -> list[Reason]:
    """Why the last file the guardian handed in for `step` was refused, as reasons to render."""
    return [
        Reason(r.get("code", ""), r.get("template", ""), r.get("params") or {})
        for r in guardian.refused or []
        if isinstance(r, dict) and r.get("step") == step
    ]


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    # Kept as JSON: the tool's message and counts are strings and numbers already.
    return {k: v if isinstance(v, (int, float)) else str(v) for k, v in params.items()}


def _mixing_step(election: SealedElection, handed: HandedIn, now: datetime | None) -> None:
    """belenios-tool verifies the whole archive with the file, which takes long for many
    ballots, so that runs with no lock held; the result is kept, and the file forgotten, only
    if the archive has not changed meanwhile (another guardian's step landed first: then it
    is checked again on the new archive, a few times at most)."""
    from .closing import checked_archive, ensure_shuffles_ended, keep_decryption, keep_shuffle

    step, person = handed.step, handed.guardian.person
    for _attempt in range(3):
        current = SealedElection.objects.get(pk=election.pk)
        current.vote = election.vote
        ensure_shuffles_ended(current, now)
        guardian = current.guardians.filter(person=person).first()
        check_guardian_step(current, guardian, step, at=handed.handed_at)
        assert guardian is not None
        text = owned_event(handed.content, guardian.position)
        last = _completes(current, step)
        try:
            archive = checked_archive(
                current, "Shuffle" if step == "shuffle" else "PartialDecryption", text, last=last
            )
        except tool.ToolFailed as failed:
            raise refused_by_tool(failed) from failed
        seen = hashlib.sha256(bytes(current.archive)).digest()
        with transaction.atomic():
            locked = SealedElection.objects.select_for_update().get(pk=election.pk)
            locked.vote = election.vote
            if hashlib.sha256(bytes(locked.archive)).digest() != seen:
                continue  # another step landed first: check again on the new archive
            guardian = locked.guardians.get(pk=guardian.pk)
            check_guardian_step(locked, guardian, step, at=handed.handed_at)
            moment = now or timezone.now()
            # With the step kept, in the same transaction: a file handed in again meanwhile
            # has nothing left to do.
            HandedIn.objects.filter(guardian=guardian).delete()
            if step == "shuffle":
                keep_shuffle(locked, guardian, archive, moment)
            else:
                keep_decryption(locked, guardian, archive, moment, last=last)
            record_step(locked, person, step)
            return
    raise Refused(
        Answer.no(
            Reason(
                "guardians_busy",
                gettext_noop("Other guardians' steps kept landing first; hand yours in again."),
            )
        )
    )


def _completes(election: SealedElection, step: str) -> bool:
    """Whether this guardian's step is the last one needed: every other guardian has
    shuffled, or `threshold` − 1 others have decrypted."""
    guardians = election.guardians
    if step == "shuffle":
        return guardians.filter(shuffled_at__isnull=True).count() == 1
    return guardians.filter(decrypted_at__isnull=False).count() + 1 >= election.threshold
