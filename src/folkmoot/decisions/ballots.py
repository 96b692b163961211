"""Casting a ballot (VOTE-8, VOTE-11, BEY-2; docs/secrecy.md). The "has voted" row and the
ballot are written in one transaction. A secret ballot goes into the vote's box
(`BoxedBallot`), which holds no voter and is re-written in a random order at the close; a
public ballot names its voter. The voter is shown two codes: a public check code, published
with the ballot list, which finds the ballot and changes nothing; and a private change code
(secret votes where the protocol lets a ballot change), stored only as a hash bound to the
voter, which works only while the vote is open and only for the person it was given to."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from folkmoot import regions
from folkmoot.audit.log import record
from folkmoot.governance.audience import closed, sanctioned
from folkmoot.governance.casting import BallotInput, ballot_marks
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.protocols.facts import named_in_sanctions, sanction_viewer
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import Invalid, NotFound, Refused, require
from folkmoot.statements import Statement

from .models import Ballot, BoxedBallot, Eligible, Participation, Vote, VoteResult

# Unambiguous letters and digits: a code is read aloud and typed back.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CHECK_CODE_LENGTH = 12  # 60 bits: unguessable among a vote's published codes
CHANGE_CODE_LENGTH = 16  # 80 bits: a private key to one ballot while the vote is open


def new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normal_code(typed: str) -> str:
    """A code as typed back: any case, with or without the spaces and dashes it is shown
    with. Anything else is kept so that it matches nothing."""
    return "".join(ch for ch in typed if ch not in " -\t").upper()[:32]


def grouped(code: str) -> str:
    """Shown in groups of four, easier to copy by hand."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def change_hash(vote: Vote, person: Any, code: str) -> str:
    """The only trace of a change code: bound to the vote and to the person it was given to,
    so another voter holding it finds nothing (and the operator, who never sees the code,
    cannot recompute it)."""
    return hashlib.sha256(f"{vote.pk}:{person.pk}:{code}".encode()).hexdigest()


@dataclass(frozen=True)
class Cast:
    changed: bool
    check_code: str = ""
    change_code: str = ""


def _visible_votes(user: Any) -> Any:
    """Votes of the assemblies this person may see; missing and forbidden look the same."""
    from folkmoot.federation.models import Assembly

    return Vote.objects.select_related("assembly", "proposal", "office").filter(
        assembly__in=Assembly.objects.visible_to(user)
    )


def access_vote(user: Any, vote_id: int) -> Vote:
    vote = _visible_votes(user).filter(pk=vote_id).first()
    if vote is None:
        raise NotFound(vote_id)
    regions.follow(vote.assembly_id)
    return vote


def _vote_to_cast(staff: bool, *, person: int, vote: int) -> Any:
    from folkmoot.accounts.models import User
    from folkmoot.federation.models import Assembly

    # The assembly is loaded only where a sanction needs it (rare): the ballot's audit row
    # takes its id.
    visible = Assembly.objects.all() if staff else Assembly.objects.visible_to(User(pk=person))
    return Vote.objects.filter(pk=vote, assembly__in=visible).annotate(
        in_electorate=Exists(Eligible.objects.filter(vote=OuterRef("pk"), person=person)),
        named_in_sanctions=named_in_sanctions(person, OuterRef("assembly")),
    )


_VOTE_TO_CAST = Statement(Vote, _vote_to_cast, person=int, vote=int)


def access_vote_to_cast(user: Any, vote_id: int) -> Vote:
    """`access_vote`, reading in the same query what a ballot checks next (issue 11): whether
    the person is in the electorate fixed at the opening, and whether any sanction of the
    assembly names them (where none does, SAN-6 has nothing to find). Compiled once
    (folkmoot.statements): this runs for every ballot of a national vote."""
    found = _VOTE_TO_CAST.run(bool(user.is_staff), person=user.pk, vote=vote_id)
    if not found:
        raise NotFound(vote_id)
    regions.follow(found[0].assembly_id)
    return found[0]


def check_may_cast(
    user: Any,
    vote: Vote,
    *,
    in_electorate: bool | None = None,
    standing: Answer | None = None,
) -> Answer:
    """Open, in the electorate fixed at the opening, and not under a sanction (SAN-6). A
    list of votes passes what it read once for the page: whether the person is in each
    electorate, and their standing in the assembly."""
    now = timezone.now()
    if not getattr(user, "is_authenticated", False):
        return Answer.no(Reason("login_to_vote", gettext_noop("Sign in to vote.")))
    if not vote.is_open(now):
        if vote.opens_at is not None and now < vote.opens_at:
            return Answer.no(
                Reason(
                    "vote_not_open", gettext_noop("Voting opens on %(at)s."), {"at": vote.opens_at}
                )
            )
        return Answer.no(Reason("vote_closed", gettext_noop("This vote is closed.")))
    if in_electorate is None:
        in_electorate = getattr(vote, "in_electorate", None)
    if in_electorate is None:
        in_electorate = Eligible.objects.filter(vote=vote, person=user).exists()
    if not in_electorate:
        return Answer.no(
            Reason(
                "not_in_electorate_snapshot",
                gettext_noop("You were not in the electorate of this vote when it opened."),
            )
        )
    assert vote.assembly_id is not None
    if standing is not None:
        return standing
    if getattr(vote, "named_in_sanctions", None) is False:
        return Answer.yes()  # no sanction row names them: none can be in force (SAN-6)
    return standing_in(user, vote.assembly)


def standing_in(user: Any, assembly: Any) -> Answer:
    """Not under a sanction that stops them acting in this assembly now (SAN-6): only the
    sanction facts are read, the rest of a vote's conditions being fixed at its opening."""
    if assembly.closed_on is not None:  # closing waits for its votes; this is the backstop
        return closed(assembly.closed_on)
    in_force = protocol_in_force(assembly)
    if in_force is not None:
        viewer = sanction_viewer(user, assembly, in_force.protocol)
        if viewer.sanctioned_until is not None:
            return sanctioned(viewer)
    return Answer.yes()


def check_cast(
    user: Any, vote: Vote, ballot: BallotInput, *, change_code: str = "", same_code_as: str = ""
) -> Cast:
    """`same_code_as`: a MegaPoll's further question takes the change code its first
    question's ballot was given (VOTE-2: one ballot, one code to keep)."""
    answer, marks = ballot_marks(
        vote.method,
        vote.options,
        ballot,
        max_score=vote.max_score,
        seats=vote.seats,
        ask_validity=vote.ask_validity,
    )
    if vote.sealed_ballots:  # issue 16: sealed on the voter's device, or not at all
        raise Refused.because(
            Reason(
                "vote_is_sealed",
                gettext_noop(
                    "This vote is sealed: your ballot is sealed on your own device and cast "
                    "on the vote's sealed page."
                ),
            )
        )
    require(check_may_cast(user, vote))
    if not answer:
        raise Invalid(answer, [_ballot_field(vote.method, r) for r in answer.reasons])
    return do_cast(
        vote=vote,
        person=user,
        marks=marks,
        valid=ballot.valid if vote.ask_validity else None,
        change_code=change_code,
        new_change_code=same_code_as,
    )


def _ballot_field(method: str, reason: Reason) -> str:
    """Which field of the API's ballot a refusal is about."""
    if reason.code.startswith("ballot_validity"):
        return "valid"
    if method in ("star", "bloc-star", "allocated-score"):
        option = reason.params.get("option")
        return f"scores.{option}" if option is not None else "scores"
    if method in ("approval", "top-n"):
        return "approve"
    return "choice"


def _again() -> Refused:
    return Refused.because(
        Reason("already_voted", gettext_noop("You have already voted in this vote."))
    )


def _still_open(vote: Vote) -> None:
    """Checked again inside the casting transaction, after its first write, holding a share
    of the vote row until the commit: the close's count takes that row exclusively
    (settle.settle_vote), so a ballot is either in the count or refused, never accepted and
    left out. On SQLite the first write already holds the database's write lock."""
    # A vote whose result exists is closed whatever this server's clock says (another
    # server's clock may run ahead): a ballot accepted then would never be counted.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT opens_at, closes_at, EXISTS (SELECT 1 FROM decisions_voteresult r "
                "WHERE r.vote_id = v.id) FROM decisions_vote v WHERE v.id = %s FOR SHARE OF v",
                [vote.pk],
            )
            opens_at, closes_at, counted = cursor.fetchone()
    else:
        opens_at, closes_at, counted = (
            Vote.objects.annotate(counted=Exists(VoteResult.objects.filter(vote=OuterRef("pk"))))
            .values_list("opens_at", "closes_at", "counted")
            .get(pk=vote.pk)
        )
    _open_now(opens_at, closes_at, counted)


def _open_now(opens_at: Any, closes_at: Any, counted: bool) -> None:
    # The clock is read after the vote row is held: a ballot that waited for the close's
    # count reads a time past the close.
    now = timezone.now()
    if counted or opens_at is None or closes_at is None or not opens_at <= now < closes_at:
        raise Refused.because(Reason("vote_closed", gettext_noop("This vote is closed.")))


def _first_while_open(vote: Vote, person: Any) -> bool:
    """The first ballot's "has voted" row and `_still_open`, in one statement (issue 11):
    written only if the vote row, held with a share until the commit as `_still_open` holds
    it, still has the times this ballot was checked against and no result. Says whether it
    was written; when not (a ballot already there, or the vote changed or was counted), the
    caller takes the long way, which tells which."""
    if vote.opens_at is None or vote.closes_at is None:
        return False
    table = Participation._meta.db_table
    lock = " FOR SHARE OF v" if connection.vendor == "postgresql" else ""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (vote_id, person_id) SELECT v.id, %s FROM decisions_vote v "
            "WHERE v.id = %s AND v.opens_at = %s AND v.closes_at = %s AND NOT EXISTS "
            "(SELECT 1 FROM decisions_voteresult r WHERE r.vote_id = v.id)"
            f"{lock} ON CONFLICT (vote_id, person_id) DO NOTHING RETURNING id",
            [person.pk, vote.pk, adapt(vote.opens_at), adapt(vote.closes_at)],
        )
        written = cursor.fetchone() is not None
    if written:
        # The row's times are those of `vote` (checked under the hold): the clock now.
        _open_now(vote.opens_at, vote.closes_at, False)
    return written


def _first_participation(vote: Vote, person: Any) -> bool:
    """Writes "has voted" unless it is there already; says whether this is the first ballot.
    One statement, no savepoint (a savepoint would give the row a transaction id of its own,
    one apart from the ballot's)."""
    table = Participation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (vote_id, person_id) VALUES (%s, %s) "
            "ON CONFLICT (vote_id, person_id) DO NOTHING RETURNING id",
            [vote.pk, person.pk],
        )
        return cursor.fetchone() is not None


@transaction.atomic
def do_cast(
    *,
    vote: Vote,
    person: Any,
    marks: str,
    valid: bool | None,
    change_code: str = "",
    new_change_code: str = "",
) -> Cast:
    """A first ballot: a participation row and a ballot, or neither. A changed ballot (where
    the protocol allows it) is, for a secret vote, found by the change code only its voter
    holds; for a public vote, by its voter. No audit row or log line says anything about the
    ballot itself."""
    if not _first_while_open(vote, person):
        # The vote row first, then the ballot: the close takes them in the same order, so
        # a change at the moment of the close waits instead of deadlocking.
        _still_open(vote)
        if not _first_participation(vote, person):
            if not vote.may_change_ballot:
                raise _again()
            _change(vote, person, marks, valid, change_code)
            # Audit says that this person changed their ballot, never which one or how.
            record(
                "decision.change_ballot", actor=person, assembly_id=vote.assembly_id, subject=vote
            )
            return Cast(changed=True)
    check_code = new_code(CHECK_CODE_LENGTH)
    if vote.secret:
        code = (new_change_code or new_code(CHANGE_CODE_LENGTH)) if vote.may_change_ballot else ""
        BoxedBallot.objects.create(
            vote=vote,
            marks=marks,
            valid=valid,
            check_code=check_code,
            # Without a way to change, the hash is of a code nobody is shown.
            change_hash=change_hash(vote, person, code or new_code(CHANGE_CODE_LENGTH)),
        )
    else:
        code = ""
        Ballot.objects.create(
            vote=vote, marks=marks, valid=valid, check_code=check_code, voter=person
        )
    record("decision.cast", actor=person, assembly_id=vote.assembly_id, subject=vote)
    return Cast(changed=False, check_code=check_code, change_code=code)


def _change(vote: Vote, person: Any, marks: str, valid: bool | None, change_code: str) -> None:
    if not vote.secret:
        Ballot.objects.filter(vote=vote, voter=person).update(marks=marks, valid=valid)
        return
    code = normal_code(change_code)
    if not code:
        raise Refused.because(
            Reason(
                "change_code_needed",
                gettext_noop(
                    "To change your ballot, give the change code you were shown when you voted."
                ),
            )
        )
    updated = BoxedBallot.objects.filter(
        vote=vote, change_hash=change_hash(vote, person, code)
    ).update(marks=marks, valid=valid)
    if updated != 1:
        raise Refused.because(
            Reason(
                "change_code_unknown",
                gettext_noop(
                    "That is not the change code of your ballot. A check code changes nothing."
                ),
            )
        )


def has_voted(user: Any, vote: Vote) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and Participation.objects.filter(vote=vote, person=user).exists()
    )
