"""Casting a ballot (VOTE-8, VOTE-11, BEY-2). The ballot row and the "has voted" row are
written in one transaction; the ballot holds no voter (unless the vote is public) and no
time, and the voter gets a receipt only they hold."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.governance.audience import sanctioned
from folkmoot.governance.casting import BallotInput, ballot_marks
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, Refused, require

from .models import Ballot, Eligible, Participation, Vote

# Unambiguous letters and digits: a receipt is read aloud and typed back.
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))


@dataclass(frozen=True)
class Cast:
    receipt: str
    changed: bool


def access_vote(user: Any, vote_id: int) -> Vote:
    from folkmoot.federation.models import Assembly

    vote = (
        Vote.objects.select_related("assembly", "proposal", "office")
        .filter(pk=vote_id, assembly__in=Assembly.objects.visible_to(user))
        .first()
    )
    if vote is None:
        raise NotFound(vote_id)
    return vote


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
        in_electorate = Eligible.objects.filter(vote=vote, person=user).exists()
    if not in_electorate:
        return Answer.no(
            Reason(
                "not_in_electorate_snapshot",
                gettext_noop("You were not in the electorate of this vote when it opened."),
            )
        )
    assert vote.assembly is not None
    return standing if standing is not None else standing_in(user, vote.assembly)


def standing_in(user: Any, assembly: Any) -> Answer:
    """Not under a sanction that stops them acting in this assembly now (SAN-6)."""
    in_force = protocol_in_force(assembly)
    if in_force is not None:
        viewer = viewer_for(user, assembly, in_force.protocol)
        if viewer.sanctioned_until is not None:
            return sanctioned(viewer)
    return Answer.yes()


def check_cast(user: Any, vote: Vote, ballot: BallotInput, *, receipt: str = "") -> Cast:
    answer, marks = ballot_marks(
        vote.method,
        vote.options,
        ballot,
        max_score=vote.max_score,
        seats=vote.seats,
        ask_validity=vote.ask_validity,
    )
    require(combine(check_may_cast(user, vote), answer))
    return do_cast(
        vote=vote,
        person=user,
        marks=marks,
        valid=ballot.valid if vote.ask_validity else None,
        receipt=receipt,
    )


def _again() -> Refused:
    return Refused.because(
        Reason("already_voted", gettext_noop("You have already voted in this vote."))
    )


def _still_open(vote: Vote) -> None:
    """Checked again inside the casting transaction, after its first write, holding a share
    of the vote row until the commit: the close's count takes that row exclusively
    (settle.settle_vote), so a ballot is either in the count or refused, never accepted and
    left out. On SQLite the first write already holds the database's write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT opens_at, closes_at FROM decisions_vote WHERE id = %s FOR SHARE", [vote.pk]
            )
            opens_at, closes_at = cursor.fetchone()
    else:
        opens_at, closes_at = Vote.objects.values_list("opens_at", "closes_at").get(pk=vote.pk)
    now = timezone.now()
    if opens_at is None or closes_at is None or not opens_at <= now < closes_at:
        raise Refused.because(Reason("vote_closed", gettext_noop("This vote is closed.")))


@transaction.atomic
def do_cast(*, vote: Vote, person: Any, marks: str, valid: bool | None, receipt: str = "") -> Cast:
    """A first ballot: a participation row and a ballot row, or neither. A changed ballot
    (where the protocol allows it) is found by its receipt, which only the voter holds."""
    try:
        with transaction.atomic():
            Participation.objects.create(vote=vote, person=person)
    except IntegrityError as again:
        receipt = receipt.strip().upper()
        if not vote.may_change_ballot:
            raise _again() from again
        if not receipt:
            raise Refused.because(
                Reason(
                    "receipt_needed",
                    gettext_noop(
                        "To change your ballot, give the receipt you were shown when you voted."
                    ),
                )
            ) from again
        updated = Ballot.objects.filter(vote=vote, receipt=receipt).update(
            marks=marks, valid=valid, voter=None if vote.secret else person
        )
        if updated != 1:
            raise Refused.because(
                Reason("receipt_unknown", gettext_noop("No ballot of this vote has that receipt."))
            ) from again
        _still_open(vote)
        # Audit says someone changed a ballot, never which one.
        record("decision.change_ballot", actor=person, assembly=vote.assembly, subject=vote)
        return Cast(receipt, True)
    _still_open(vote)
    for _attempt in range(5):
        code = new_receipt()
        try:
            with transaction.atomic():
                Ballot.objects.create(
                    vote=vote,
                    marks=marks,
                    valid=valid,
                    receipt=code,
                    voter=None if vote.secret else person,
                )
            break
        except IntegrityError:  # a receipt drawn twice in one vote: draw again
            continue
    else:  # pragma: no cover - 32^12 receipts
        raise RuntimeError("could not draw a unique receipt")
    record("decision.cast", actor=person, assembly=vote.assembly, subject=vote)
    return Cast(code, False)


def has_voted(user: Any, vote: Vote) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and Participation.objects.filter(vote=vote, person=user).exists()
    )
