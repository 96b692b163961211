"""Telling people about decisions (a vote opens, closes within 24 h for those who have not
voted, a result is published, an election opens, a proposal is withdrawn): notification rows,
unique per (person, kind, vote), so a repeated call adds nothing. The worker mails them where
people's preferences say (notifications.mailing)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext

from folkmoot.notifications.send import notify

from .models import Eligible, Participation, Proposal, Vote


def _people(vote: Vote) -> Iterable[Any]:
    return list(Eligible.objects.filter(vote=vote).values_list("person_id", flat=True))


def send(
    kind: str, users: list[Any], *, vote: Vote | None = None, proposal: Proposal | None = None
) -> int:
    """On-site notifications for everyone not told yet; the worker mails them to those whose
    preferences ask for it (notifications.mailing), so nothing here waits on a mail server."""
    where = vote.assembly_id if vote is not None else proposal.assembly_id if proposal else None
    return notify(kind, users, vote=vote, proposal=proposal, assembly=where)


def announce_in_chat(vote: Vote) -> None:
    """The assembly's chat rooms hear at once that voting is open (cheap: a row per room)."""
    from folkmoot.chat.actions import post_system_message

    if vote.assembly is not None:
        with translation.override(settings.LANGUAGE_CODE):
            post_system_message(
                vote.assembly,
                gettext("Voting is open until %(closes_at)s: %(title)s (/votes/%(id)s/)")
                % {
                    "closes_at": f"{vote.closes_at:%Y-%m-%d %H:%M} UTC" if vote.closes_at else "—",
                    "title": vote.title,
                    "id": vote.pk,
                },
            )


def _made_before_opening(vote: Vote) -> bool:
    """A sealed vote, whose key is made first; an election prepared before its window (issue
    16): its rooms hear of it when the worker finds it open (`pending`), not when made."""
    return vote.opens_at is not None and vote.created_at < vote.opens_at


def announce_when_open(vote: Vote) -> None:
    """The rooms hear of a vote made open at once; of one made earlier at its opening, so
    that no room hears "voting is open" early."""
    if not _made_before_opening(vote):
        transaction.on_commit(lambda: announce_in_chat(vote))


def vote_opened(vote: Vote) -> int:
    kind = "election" if vote.office_id else "vote_opened"
    people = list(_people(vote))
    if not vote.sealed_ballots:
        return send(kind, people, vote=vote)
    # Issue 16: in a sealed vote only those who registered a voting key before the opening
    # can cast; the others are told that, and why, instead of "voting is open".
    try:
        keyed = set(vote.sealed.keys.values_list("person_id", flat=True))
    except ObjectDoesNotExist:
        keyed = set()
    told = send(kind, [p for p in people if p in keyed], vote=vote)
    without = [p for p in people if p not in keyed]
    return told + notify(kind, without, vote=vote, assembly=vote.assembly_id, occasion=WITHOUT_KEY)


# The occasion of a sealed vote's opening notice to someone who registered no voting key.
WITHOUT_KEY = "without-key"


def result_published(vote: Vote) -> int:
    return send("result", list(_people(vote)), vote=vote) + candidacy_outcome(vote)


def candidacy_outcome(vote: Vote) -> int:
    """OFF-3: each candidate of an election hears whether they were elected."""
    if vote.office_id is None or not hasattr(vote, "result"):
        return 0
    winners = set(vote.result.winners)
    told = 0
    for name, person in zip(vote.options, vote.subjects, strict=False):
        told += notify(
            "candidacy",
            [person],
            vote=vote,
            assembly=vote.assembly_id,
            occasion="elected" if name in winners else "not_elected",
        )
    return told


def withdrawn(proposal: Proposal) -> int:
    return send("withdrawn", [proposal.proposer], proposal=proposal)


def closing_soon(now: datetime) -> int:
    """Votes closing within 24 h: those in the electorate who have not voted yet."""
    sent = 0
    for vote in Vote.objects.filter(closes_at__gt=now, closes_at__lte=now + timedelta(hours=24)):
        voted = Participation.objects.filter(vote=vote, person=OuterRef("person"))
        waiting = list(
            Eligible.objects.filter(vote=vote)
            .annotate(voted=Exists(voted))
            .filter(voted=False)
            .values_list("person_id", flat=True)
        )
        sent += send("vote_closing", waiting, vote=vote)
    return sent


def pending(now: datetime, batch: int = 20) -> int:
    """The worker's part: tell each electorate once that voting opened and that a result is
    published. Each is claimed with a conditional update first, so two workers never both
    send; an electorate of 100,000 takes minutes, which is why pages never do this."""
    from .models import VoteResult

    sent = 0
    # A sealed vote opens for casting only once its guardians have made the key (issue 16):
    # until then, and if they never do, nobody is told that voting is open.
    opened = (
        Vote.objects.filter(announced_at__isnull=True, opens_at__lte=now, closes_at__gt=now)
        .filter(~Q(sealed_ballots=True) | Q(sealed__opened_at__isnull=False))  # None: not sealed
        .order_by("opens_at")[:batch]
    )
    for vote in opened:
        if Vote.objects.filter(pk=vote.pk, announced_at__isnull=True).update(announced_at=now):
            sent += vote_opened(vote)
            if _made_before_opening(vote):  # not announced when made
                announce_in_chat(vote)
    results = VoteResult.objects.filter(notified_at__isnull=True).select_related("vote")[:batch]
    for row in results:
        if VoteResult.objects.filter(pk=row.pk, notified_at__isnull=True).update(notified_at=now):
            sent += result_published(row.vote)
    return sent
