"""The guardians' part (issue 16): making the key together, then, after the close, shuffling
the ballots one after another and decrypting them. Each guardian runs `belenios-tool` on
their own device (the page gives the commands) and hands back its output; the server checks
it with the tool before keeping it, runs the steps that hold no secret, and tells the
guardians whose turn comes.

The key is Belenios's threshold key (Pedersen): every guardian's certificate, then every
guardian's polynomial, then every guardian's answer to the input the server computed from
the polynomials; the server then combines the public key. Nobody, the server included, ever
holds the whole private key; any `threshold` guardians can decrypt together."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.governance.sealing import Stage, check_stage
from folkmoot.notifications.send import notify
from folkmoot.refusals import Refused, require

from . import tool
from .models import Guardian, SealedElection
from .selectors import KEY_ROUNDS, round_of, stage_of, waiting_for_others

STEPS = ("certificate", "polynomial", "share", "shuffle", "decryption")
# The largest file a guardian hands back: a shuffle of 10,000 ballots (with its proof) is
# about 60 MB here; the key ceremony's files are a few kilobytes.
MAX_UPLOAD = 100 * 1024 * 1024


def _no(code: str, template: str, **params: Any) -> Refused:
    return Refused(Answer.no(Reason(code, template, params)))


def not_a_guardian() -> Refused:
    return _no("not_a_guardian", gettext_noop("Only the vote's guardians take this step."))


def too_large() -> Refused:
    return _no(
        "file_too_large",
        gettext_noop("This file is larger than any step of belenios-tool makes (%(mb)s MB)."),
        mb=MAX_UPLOAD // (1024 * 1024),
    )


def refused_by_tool(failed: tool.ToolFailed) -> Refused:
    return _no(
        "tool_refused",
        gettext_noop("belenios-tool refused this file: %(why)s"),
        why=str(failed),
    )


def _round_open(election: SealedElection, step: str) -> bool:
    """Whether some guardian has not handed in `step` yet: until then, each may hand theirs
    in again (a mistake, or a file the round's check refused, is mended by its author)."""
    field = KEY_ROUNDS[step]
    return election.guardians.filter(**{field: ""}).exists()


def check_guardian_step(
    election: SealedElection, guardian: Guardian | None, step: str, at: datetime | None = None
) -> None:
    """Whether the guardian may take `step`, judged at `at` (now by default; the worker judges
    a file it checks at the moment it was handed in, so a slow queue costs no guardian their
    turn)."""
    if guardian is None:
        raise not_a_guardian()
    if step not in STEPS:
        raise _no("unknown_step", gettext_noop("There is no step “%(step)s”."), step=step)
    now = at or timezone.now()
    current = stage_of(election, now)
    if current == Stage.FAILED:
        raise _no(
            "sealed_failed",
            gettext_noop("Voting closed before the key was made: there is nothing left to do."),
        )
    if step in KEY_ROUNDS:
        if election.threshold_params or current not in (Stage.KEYS, Stage.LATE):
            require(check_stage(current, Stage.KEYS))
        expected = round_of(guardian)
        again = bool(getattr(guardian, KEY_ROUNDS[step])) and _round_open(election, step)
        if step != expected and not again:
            if not expected:
                raise _no("key_part_done", gettext_noop("Your part of the key is done."))
            raise _no(
                "not_your_step",
                gettext_noop("Your next step is “%(expected)s”, not “%(step)s”."),
                expected=expected,
                step=step,
            )
        if waiting_for_others(election, step):
            raise _no(
                "wait_for_guardians",
                gettext_noop("The other guardians have not all done the step before yet."),
            )
        return
    if step == "shuffle":
        require(check_stage(current, Stage.SHUFFLING))
        if election.ended_at is None:
            raise _no(
                "box_closing",
                gettext_noop("The box is being closed; the archive to shuffle is ready shortly."),
            )
        if guardian.shuffled_at is not None:
            raise _no("shuffled_already", gettext_noop("You have already shuffled the ballots."))
        return
    require(check_stage(current, Stage.DECRYPTING))
    if guardian.decrypted_at is not None:
        raise _no("decrypted_already", gettext_noop("You have already decrypted your share."))


def check_polynomial(text: str, guardians: int, threshold: int) -> None:
    """What can be checked of one polynomial alone (the tool checks them together once all
    are in): its shape, a secret for each guardian, and the vote's threshold."""
    data = _json(text)
    try:
        coefexps = json.loads(data["coefexps"]["message"])["coefexps"]
        secrets = data["secrets"]
        shaped = isinstance(data["polynomial"], str) and isinstance(secrets, list)
    except (KeyError, TypeError, ValueError, RecursionError):
        shaped = False
    if not shaped:
        raise _no(
            "not_a_polynomial",
            gettext_noop("This is not a polynomial from step 3 of belenios-tool."),
        )
    if len(secrets) != guardians:
        raise _no(
            "wrong_guardian_count",
            gettext_noop(
                "This polynomial was made for %(made)s guardians; this vote has %(count)s: "
                "use this vote's certificates.jsons."
            ),
            made=len(secrets),
            count=guardians,
        )
    if len(coefexps) != threshold:
        raise _no(
            "wrong_threshold",
            gettext_noop(
                "This polynomial was made with --threshold=%(made)s; this vote's is %(threshold)s."
            ),
            made=len(coefexps),
            threshold=threshold,
        )


def check_share_output(text: str) -> None:
    data = _json(text)
    if not (isinstance(data, dict) and set(data) == {"private_key", "public_key"}):
        raise _no(
            "not_a_share",
            gettext_noop("This is not the answer of step 5 of belenios-tool."),
        )


def one_json_line(content: str) -> str:
    text = content.strip()
    if not text or "\n" in text or len(text) > MAX_UPLOAD:
        raise _no(
            "not_one_line",
            gettext_noop("Hand back exactly what belenios-tool printed: one line of JSON."),
        )
    _json(text)
    return text


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as bad:
        raise _no(
            "not_json", gettext_noop("This is not what belenios-tool prints (not JSON).")
        ) from bad


def owned_event(content: str, position: int) -> str:
    """A shuffle or a partial decryption as the tool prints it: the data on one line, then
    {"owner": trustee id, "payload": SHA-256 of that line}. The owner must be the guardian
    handing it back (their trustee id), so no guardian's part can be handed in for another."""
    lines = content.strip().splitlines()
    if len(lines) != 2 or len(content) > MAX_UPLOAD:
        raise _no(
            "not_two_lines",
            gettext_noop("Hand back exactly what belenios-tool printed: two lines of JSON."),
        )
    _json(lines[0])
    owned = _json(lines[1])
    if not isinstance(owned, dict) or owned.get("owner") != position:
        raise _no(
            "not_your_trustee_id",
            gettext_noop("This was made for another trustee id: yours is %(position)s."),
            position=position,
        )
    if owned.get("payload") != hashlib.sha256(lines[0].encode()).hexdigest():
        raise _no(
            "payload_mismatch",
            gettext_noop("The second line does not name the first: the file was changed."),
        )
    return lines[0] + "\n" + lines[1]


def do_guardian_step(
    *, election: SealedElection, person: Any, step: str, content: str, now: datetime | None = None
) -> Guardian:
    """Checks and keeps a guardian's file of the key; when it completes a round, runs the
    server's step and tells the guardians the next one. A shuffle or a partial decryption is
    checked in part now and handed to the worker (sealed.handing)."""
    if step in ("shuffle", "decryption"):
        from .handing import do_hand_in  # the worker checks those

        return do_hand_in(election=election, person=person, step=step, content=content, now=now)
    try:
        return _key_step(election=election, person=person, step=step, content=content)
    except Refused as refused:
        if refused.answer.reasons and refused.answer.reasons[0].code == "round_refused":
            _tell_the_others(election, person, step, now or timezone.now())
        raise


def _tell_the_others(election: SealedElection, person: Any, step: str, now: datetime) -> None:
    """The round's files failed together: the guardian whose file completed it reads why on
    their page; the others are told to check theirs (the fault may be any of them)."""
    others = election.guardians.exclude(person=person).values_list("person_id", flat=True)
    occasion = f"refused:{step}:{now:%Y%m%dT%H%M%S}"  # each refusal told once
    notify("sealed_guardian", list(others), vote=election.vote, occasion=occasion)


def _key_step(*, election: SealedElection, person: Any, step: str, content: str) -> Guardian:
    with transaction.atomic():
        # Under the election's row lock: two guardians finishing a round at once run the
        # next step once.
        locked = SealedElection.objects.select_for_update().get(pk=election.pk)
        locked.vote = election.vote
        guardian = locked.guardians.filter(person=person).first()
        check_guardian_step(locked, guardian, step)
        assert guardian is not None
        text = one_json_line(content)
        if step == "certificate":
            try:
                tool.check_certificates([text])
            except tool.ToolFailed as failed:
                raise refused_by_tool(failed) from failed
            guardian.certificate = text
        elif step == "polynomial":
            check_polynomial(text, locked.guardians.count(), locked.threshold)
            guardian.polynomial = text
        else:
            check_share_output(text)
            guardian.share_output = text
        guardian.save(update_fields=[KEY_ROUNDS[step]])
        _next_round(locked, step)
        record_step(locked, person, step)
        return guardian


def record_step(election: SealedElection, person: Any, step: str) -> None:
    vote = election.vote
    record("sealed.guardian", actor=person, assembly_id=vote.assembly_id, subject=vote, step=step)


def _next_round(election: SealedElection, done: str) -> None:
    try:
        _complete_round(election, done)
    except tool.ToolFailed as failed:
        # The files are checked together when the last one arrives: the fault may be any
        # guardian's, so nobody's file is kept and each may hand theirs in again.
        raise _no(
            "round_refused",
            gettext_noop(
                "belenios-tool refused this round's files together: %(why)s. Your file was "
                "not kept; the guardians may each hand theirs in again."
            ),
            why=str(failed),
        ) from failed


def _complete_round(election: SealedElection, done: str) -> None:
    guardians = list(election.guardians.all())
    vote = election.vote
    people = [g.person_id for g in guardians]
    if done == "certificate" and all(g.certificate for g in guardians):
        tool.check_certificates([g.certificate for g in guardians])
        notify("sealed_guardian", people, vote=vote, occasion="polynomial")
    elif done == "polynomial" and all(g.polynomial for g in guardians):
        inputs = tool.share_inputs(
            [g.certificate for g in guardians], [g.polynomial for g in guardians]
        )
        for guardian, share_input in zip(guardians, inputs, strict=True):
            guardian.share_input = share_input
            guardian.save(update_fields=["share_input"])
        notify("sealed_guardian", people, vote=vote, occasion="share")
    elif done == "share" and all(g.share_output for g in guardians):
        key = tool.election_key(
            [g.certificate for g in guardians],
            [g.polynomial for g in guardians],
            [g.share_output for g in guardians],
        )
        if json.loads(key.threshold).get("threshold") != election.threshold:
            raise tool.ToolFailed(f"threshold {json.loads(key.threshold).get('threshold')}")
        for guardian, decryption_key in zip(guardians, key.decryption_keys, strict=True):
            guardian.decryption_key = decryption_key
            guardian.save(update_fields=["decryption_key"])
        election.threshold_params = key.threshold
        election.save(update_fields=["threshold_params"])
