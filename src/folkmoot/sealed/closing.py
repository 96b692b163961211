"""A sealed vote from its opening to its count (issue 16).

- Opening: at the vote's opening time, once the key is made, the Belenios election is built
  with every registered public credential (its Setup event), done once, by whoever reads it
  first (a page, a ballot, the worker).
- Ending: after the close, every ballot is appended to the archive in the order cast (a
  later ballot of the same credential replaces the earlier one: Belenios counts the last),
  then EndBallots and the encrypted tally.
- Shuffling: every guardian shuffles in turn; the tool checks each shuffle's proof
  (`election verify` on the archive with it) before it is kept. Belenios would accept a
  single shuffle; here the decryption waits for all of them, so no guardian has to trust
  the others to have mixed.
- Decrypting: `threshold` guardians each hand back a partial decryption, checked the same
  way; then the server combines them (`compute-result`), and the decrypted vectors, in the
  mixnet's order, become the vote's counted ballots (`decisions.Ballot`), counted by the
  usual count. A vector outside the method's scale is spoiled: counted nowhere, and said."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from folkmoot.decisions.models import Ballot, Vote
from folkmoot.decisions.settle import settle_vote
from folkmoot.governance.sealing import Stage, marks_of
from folkmoot.notifications.send import notify

from . import tool
from .models import Guardian, HandedIn, SealedBallot, SealedElection
from .selectors import stage_of


def ensure_opened(election: SealedElection, now: datetime | None = None) -> SealedElection:
    """Builds the Belenios election when the vote should be open and is not yet."""
    if election.opened_at is not None:
        return election
    if stage_of(election, now) not in (Stage.OPEN, Stage.SHUFFLING, Stage.DECRYPTING):
        return election
    with transaction.atomic():
        locked = SealedElection.objects.select_for_update().get(pk=election.pk)
        if locked.opened_at is None:
            vote = election.vote
            credentials = sorted(locked.keys.values_list("public_credential", flat=True), key=int)
            archive = tool.make_election(
                locked.uuid,
                locked.threshold_params,
                vote.title,
                _answers(vote, locked.width),
                credentials,
            )
            raw, _published = tool.published_election(archive)
            locked.archive, locked.election_json = archive, raw
            locked.opened_at = now or timezone.now()
            locked.save(update_fields=["archive", "election_json", "opened_at"])
        election.archive, election.election_json = locked.archive, locked.election_json
        election.opened_at = locked.opened_at
    return election


def _answers(vote: object, width: int) -> list[str]:
    options = list(getattr(vote, "options", []))
    # The validity answer rides as one more "candidate" (VOTE-8): 0 none, 1 valid, 2 null.
    return options + ["validity"] * (width - len(options))


def ensure_ended(election: SealedElection, now: datetime | None = None) -> SealedElection:
    """After the close: the ballots, EndBallots and the encrypted tally, once."""
    if election.decrypted_at is None and stage_of(election, now) == Stage.FAILED:
        _close_unkeyed(election, now or timezone.now())
        return election
    ensure_opened(election, now)
    if election.ended_at is not None or election.opened_at is None:
        return election
    if stage_of(election, now) not in (Stage.SHUFFLING, Stage.DECRYPTING):
        return election
    with transaction.atomic():
        # The vote row first, exclusively, as the count does (decisions.settle): a ballot
        # holds a share of it from its "still open?" check to its commit, so every ballot
        # accepted is committed before the box is read, and none is accepted after.
        Vote.objects.filter(pk=election.vote_id).update(closes_at=F("closes_at"))
        locked = SealedElection.objects.select_for_update().get(pk=election.pk)
        if locked.ended_at is None:
            with tool.opened(locked.uuid, bytes(locked.archive)) as archive:
                for ballot in SealedBallot.objects.filter(election=locked).order_by(
                    "cast_at", "pk"
                ):
                    archive.add("Ballot", ballot.ballot + "\n")
                archive.add("EndBallots")
                archive.add("EncryptedTally", archive.call("election", "compute-encrypted-tally"))
                locked.archive = archive.read()
            locked.ended_at = now or timezone.now()
            locked.save(update_fields=["archive", "ended_at"])
            first = locked.guardians.order_by("position").first()
            if first is not None:
                transaction.on_commit(
                    lambda: notify(
                        "sealed_guardian",
                        [first.person_id],
                        vote=locked.vote_id,
                        occasion="shuffle",
                    )
                )
        election.archive, election.ended_at = locked.archive, locked.ended_at
    return election


def due_sealed(now: datetime) -> list[SealedElection]:
    """Sealed votes the worker has something to do for: past their opening and not built,
    or past their close and not ended (or closed before the key was made)."""
    return list(
        SealedElection.objects.filter(
            decrypted_at__isnull=True, vote__opens_at__lte=now, vote__sealed_ballots=True
        )
        .exclude(opened_at__isnull=False, vote__closes_at__gt=now)
        .exclude(shuffles_ended_at__isnull=False)
        .defer("archive")
        .select_related("vote")[:200]
    )


def move_on(election: SealedElection, now: datetime) -> bool:
    before = (election.opened_at, election.ended_at, election.shuffles_ended_at)
    ensure_ended(election, now)
    ensure_shuffles_ended(election, now)
    return (election.opened_at, election.ended_at, election.shuffles_ended_at) != before


def _close_unkeyed(election: SealedElection, now: datetime) -> None:
    """The vote closed before its guardians made the key: no ballot could be cast. The vote
    is settled with none (its result says so: no ballots), so it does not wait forever."""
    with transaction.atomic():
        locked = SealedElection.objects.select_for_update().get(pk=election.pk)
        if locked.decrypted_at is None and not locked.threshold_params:
            locked.vote = election.vote
            locked.spoiled = 0
            _count(locked, now, vectors=[])
        election.decrypted_at, election.spoiled = locked.decrypted_at, locked.spoiled


def ensure_shuffles_ended(election: SealedElection, now: datetime | None = None) -> None:
    """EndShuffles, once decryption may begin (every guardian shuffled, or `threshold` of
    them and the time for shuffling is over), and the guardians told to decrypt. Light: one
    event; the guardians' archive for decrypting must hold it."""
    if election.shuffles_ended_at is not None or election.ended_at is None:
        return
    if stage_of(election, now) != Stage.DECRYPTING:
        return
    if HandedIn.objects.filter(guardian__election=election, step="shuffle").exists():
        # A shuffle handed in while shuffling was still open waits for its check (sealed.
        # handing): the time running out meanwhile must not cost its guardian their turn.
        return
    with transaction.atomic():
        locked = SealedElection.objects.select_for_update().get(pk=election.pk)
        if locked.shuffles_ended_at is None:
            with tool.opened(locked.uuid, bytes(locked.archive)) as archive:
                archive.add("EndShuffles")
                locked.archive = archive.read()
            locked.shuffles_ended_at = now or timezone.now()
            locked.save(update_fields=["archive", "shuffles_ended_at"])
            people = list(locked.guardians.values_list("person_id", flat=True))
            transaction.on_commit(
                lambda: notify(
                    "sealed_guardian", people, vote=locked.vote_id, occasion="decryption"
                )
            )
        election.archive, election.shuffles_ended_at = locked.archive, locked.shuffles_ended_at


def checked_archive(election: SealedElection, kind: str, text: str, *, last: bool) -> bytes:
    """The archive with a guardian's shuffle or partial decryption appended and everything
    verified by belenios-tool (and, for the last decryption needed, the result computed and
    verified too). Runs without any database lock: it takes about as long as the ballots
    are many (`bench/sealed.py`); the caller keeps the outcome only if the archive has not
    changed meanwhile."""
    with tool.opened(election.uuid, bytes(election.archive)) as archive:
        archive.add(kind, text + "\n")
        if kind == "Shuffle" and last:
            archive.add("EndShuffles")
        if kind == "PartialDecryption" and last:
            archive.add("Result", archive.call("election", "compute-result"))
        archive.verify()
        return archive.read()


def keep_shuffle(
    election: SealedElection, guardian: Guardian, archive: bytes, now: datetime
) -> None:
    """Under the election's lock, the archive unchanged since `checked_archive` read it."""
    guardian.shuffled_at = now
    guardian.save(update_fields=["shuffled_at"])
    election.archive = archive
    following = election.guardians.filter(shuffled_at__isnull=True).order_by("position").first()
    fields = ["archive"]
    if following is None:
        election.shuffles_ended_at = now
        fields.append("shuffles_ended_at")
    election.save(update_fields=fields)
    if following is not None:
        notify("sealed_guardian", [following.person_id], vote=election.vote_id, occasion="shuffle")
    else:
        others = election.guardians.values_list("person_id", flat=True)
        notify("sealed_guardian", list(others), vote=election.vote_id, occasion="decryption")


def keep_decryption(
    election: SealedElection, guardian: Guardian, archive: bytes, now: datetime, *, last: bool
) -> None:
    guardian.decrypted_at = now
    guardian.save(update_fields=["decrypted_at"])
    election.archive = archive
    election.save(update_fields=["archive"])
    if last:
        _count(election, now)


def _count(election: SealedElection, now: datetime, vectors: list[list[int]] | None = None) -> None:
    vote = election.vote
    counted: list[Ballot] = []
    spoiled = 0
    if vectors is None:
        vectors = tool.result_vectors(bytes(election.archive))
    for vector in vectors:
        stored = marks_of(
            vector,
            method=vote.method,
            options=len(vote.options),
            max_score=vote.max_score,
            ask_validity=vote.ask_validity,
            seats=vote.seats,
        )
        if stored is None:
            spoiled += 1
            continue
        counted.append(Ballot(vote=vote, marks=stored[0], valid=stored[1]))
    # In the mixnet's order, which no one can link to the order of casting.
    Ballot.objects.bulk_create(counted)
    election.spoiled, election.decrypted_at = spoiled, now
    election.save(update_fields=["spoiled", "decrypted_at"])
    vote.sealed = election
    assert vote.closes_at is not None
    settle_vote(vote, max(now, vote.closes_at))
