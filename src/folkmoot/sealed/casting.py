"""A voter's part in a sealed vote (issue 16): registering their voting key before the vote
opens, then casting ballots sealed on their own device.

The voting key (Belenios's credential) is made on the voter's device; only its public half
comes here, while the electorate is fixed and before the election is built, so the server
never holds a secret that signs a ballot. A ballot is accepted only under the caster's own
key, after every check Belenios's verifier would make (belenios.check_ballot); a later
ballot replaces the earlier one, which stays in the ballot box marked as replaced. Casting
the same ballot twice (a replay) is refused: its tracker is already in the box."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction

from folkmoot.audit.log import record
from folkmoot.decisions.ballots import _first_participation, _still_open, check_may_cast
from folkmoot.decisions.models import Eligible
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.governance.sealing import Stage, check_stage
from folkmoot.refusals import Invalid, Refused, require

from . import belenios
from .closing import ensure_opened
from .models import SealedBallot, SealedElection, VoterKey
from .selectors import stage_of

# Keys are registered until the election is built: before the opening, and while the
# guardians are late with the key (nobody votes then).
REGISTRATION = (Stage.KEYS, Stage.REGISTERING, Stage.LATE)

# What each refusal of `belenios.check_ballot` tells the voter (their device made a ballot
# the format refuses: a tampered or foreign ballot, or a bug to report).
BALLOT_REFUSALS = {
    belenios.MALFORMED: gettext_noop("This is not a sealed ballot."),
    belenios.NON_CANONICAL: gettext_noop(
        "The ballot is not written in Belenios's one canonical form."
    ),
    belenios.WRONG_UUID: gettext_noop("This ballot was sealed for another vote."),
    belenios.WRONG_FINGERPRINT: gettext_noop("This ballot was sealed for another vote."),
    belenios.UNKNOWN_CREDENTIAL: gettext_noop("This ballot is not signed with your voting key."),
    belenios.WEIGHTED_CREDENTIAL: gettext_noop("This ballot is not signed with your voting key."),
    belenios.NOT_IN_GROUP: gettext_noop("The ballot holds numbers outside the election's group."),
    belenios.NOT_IN_ZQ: gettext_noop("The ballot's proofs hold numbers out of range."),
    belenios.WRONG_ANSWER_COUNT: gettext_noop("The ballot answers the wrong number of questions."),
    belenios.BAD_ANSWER_PROOF: gettext_noop(
        "The proof of the sealed answer does not hold: the ballot was changed after sealing."
    ),
    belenios.WRONG_SIGNED_HASH: gettext_noop(
        "The signature covers another ballot: the ballot was changed after signing."
    ),
    belenios.BAD_SIGNATURE: gettext_noop("The ballot's signature does not hold."),
}


def _in_electorate(election: SealedElection, user: Any) -> Answer:
    if Eligible.objects.filter(vote=election.vote, person=user).exists():
        return Answer.yes()
    return Answer.no(
        Reason(
            "not_in_electorate_snapshot",
            gettext_noop("You were not in the electorate of this vote when it was launched."),
        )
    )


def check_register(election: SealedElection, user: Any, public_credential: str) -> VoterKey:
    current = stage_of(election)
    if current not in REGISTRATION:
        require(check_stage(current, Stage.REGISTERING))
    require(_in_electorate(election, user))
    value = belenios._parse_int(public_credential.strip())
    if value is None or not belenios.is_member(value) or value == 1:
        raise Invalid(
            Answer.no(
                Reason(
                    "bad_public_credential",
                    gettext_noop(
                        "This is not a public voting key: a decimal number in the election's group."
                    ),
                )
            ),
            ["public_credential"],
        )
    return do_register(election=election, person=user, public_credential=public_credential)


@transaction.atomic
def do_register(*, election: SealedElection, person: Any, public_credential: str) -> VoterKey:
    """One key per voter, fixed once registered: a second key would let the voter cast two
    ballots that both count (Belenios counts the last per key, not per person)."""
    value = public_credential.strip()
    # Under the election's row lock, which building the election takes too: a key is either
    # in the election's list of credentials or refused, never registered and left out.
    locked = SealedElection.objects.select_for_update().get(pk=election.pk)
    locked.vote = election.vote
    current = stage_of(locked)
    if locked.opened_at is not None or current not in REGISTRATION:
        require(check_stage(current if locked.opened_at is None else Stage.OPEN, Stage.REGISTERING))
    try:
        with transaction.atomic():
            key = VoterKey.objects.create(election=election, person=person, public_credential=value)
    except IntegrityError as again:
        raise Refused.because(
            Reason(
                "key_registered",
                gettext_noop("You have already registered your voting key for this vote."),
            )
        ) from again
    record(
        "sealed.register",
        actor=person,
        assembly_id=election.vote.assembly_id,
        subject=election.vote,
    )
    return key


def check_cast_sealed(election: SealedElection, user: Any, ballot: str) -> SealedBallot:
    ensure_opened(election)
    require(check_stage(stage_of(election), Stage.OPEN))
    require(check_may_cast(user, election.vote))
    key = VoterKey.objects.filter(election=election, person=user).first()
    if key is None:
        raise Refused.because(
            Reason(
                "no_voting_key",
                gettext_noop(
                    "You did not register a voting key before this vote opened, so you cannot "
                    "cast a sealed ballot in it."
                ),
            )
        )
    problems = belenios.check_ballot(election.election_json, [key.public_credential], ballot)
    if problems:
        reasons = [
            Reason(f"ballot_{code}", BALLOT_REFUSALS[code]) for code in dict.fromkeys(problems)
        ]
        raise Invalid(Answer.no(*reasons), ["ballot"] * len(reasons))
    return do_cast_sealed(election=election, person=user, key=key, ballot=ballot)


def _box_still_open(election: SealedElection) -> None:
    """The box is closed (`closing.ensure_ended`) under the vote row taken exclusively, which
    `_still_open` holds a share of until this ballot commits; a server whose clock runs
    behind could still find the vote open by its times, so the box's own state is read too,
    under a share of the election's row on PostgreSQL (SQLite has one writer at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT ended_at FROM {SealedElection._meta.db_table} WHERE id = %s FOR SHARE",
                [election.pk],
            )
            (ended_at,) = cursor.fetchone()
    else:
        ended_at = SealedElection.objects.filter(pk=election.pk).values_list("ended_at", flat=True)[
            0
        ]
    if ended_at is not None:
        raise Refused.because(Reason("vote_closed", gettext_noop("This vote is closed.")))


@transaction.atomic
def do_cast_sealed(
    *, election: SealedElection, person: Any, key: VoterKey, ballot: str
) -> SealedBallot:
    vote = election.vote
    _still_open(vote)  # holds a share of the vote row: the close waits for this ballot
    _box_still_open(election)
    # The voter's key row, exclusively: two ballots of one voter at once (two tabs, a
    # client's retry) take turns instead of racing on "the one that counts".
    VoterKey.objects.select_for_update().filter(pk=key.pk).exists()
    tracker = belenios.tracker(ballot)
    replayed = Refused.because(
        Reason("ballot_replayed", gettext_noop("This very ballot is already in the box."))
    )
    if SealedBallot.objects.filter(election=election, tracker=tracker).exists():
        raise replayed
    SealedBallot.objects.filter(
        election=election, credential=key.public_credential, replaced=False
    ).update(replaced=True)
    if not _first_participation(vote, person) and not vote.may_change_ballot:
        raise Refused.because(
            Reason("already_voted", gettext_noop("You have already voted in this vote."))
        )
    try:
        with transaction.atomic():
            cast = SealedBallot.objects.create(
                election=election, credential=key.public_credential, ballot=ballot, tracker=tracker
            )
    except IntegrityError as again:
        raise replayed from again
    record("decision.cast", actor=person, assembly_id=vote.assembly_id, subject=vote)
    return cast
