"""What the proposal's page and the API show of its amendments and versions (VOTE-14): a
few queries for the whole list, whatever its length."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef

from folkmoot.decisions.models import Proposal
from folkmoot.governance.redrafting import occurrences, word_diff

from .models import AmendmentSupport, ProposalVersion, TextAmendment


@dataclass(frozen=True)
class Shown:
    amendment: TextAmendment
    status: str  # pending | accepted | rejected | withdrawn
    diff: list[tuple[str, str]]  # the passage and its replacement, word by word
    supports: int
    supported_by_me: bool
    # Not taken into the text, and the passage it quotes is no longer once in the text (an
    # accepted amendment changed it): it can neither be accepted nor compete on the ballot.
    outdated: bool
    competing: bool  # rejected, and on the ballot (or would be, were the vote to open now)


def status_of(amendment: TextAmendment) -> str:
    if amendment.withdrawn_at is not None:
        return "withdrawn"
    if amendment.accepted is None:
        return "pending"
    return "accepted" if amendment.accepted else "rejected"


def shown_amendments(
    proposal: Proposal, user: Any, competing: Callable[[Sequence[TextAmendment]], set[int]]
) -> list[Shown]:
    """`competing` says which of the rows (read with their supports counted, `backing`)
    compete on the ballot."""
    found = (
        TextAmendment.objects.filter(proposal=proposal)
        .select_related("author")
        .annotate(backing=Count("supports"))
        .order_by("number")
    )
    if user is not None and user.is_authenticated:  # the reader's own supports, same query
        found = found.annotate(
            mine=Exists(AmendmentSupport.objects.filter(amendment=OuterRef("pk"), person=user))
        )
    rows = list(found)
    on_ballot = competing(rows)
    out = []
    for a in rows:
        status = status_of(a)
        out.append(
            Shown(
                amendment=a,
                status=status,
                diff=word_diff(a.passage, a.replacement),
                supports=a.backing,
                supported_by_me=bool(getattr(a, "mine", False)),
                outdated=status in ("pending", "rejected")
                and not a.ballot_option
                and occurrences(proposal.body, a.passage) != 1,
                competing=a.number in on_ballot,
            )
        )
    return out


@dataclass(frozen=True)
class VersionShown:
    number: int
    made_at: Any
    made_by: TextAmendment | None
    body: str
    diff: list[tuple[str, str]]  # from the version before; empty for the first
    by_vote: bool = False


def versions_count(rows: list[Shown], *, by_vote: bool = False) -> int:
    """How many versions the text has: none written until one is accepted, then the first
    and one per accepted amendment (`actions._accept`), and one when the vote adopted an
    amended text (`competing.adopt_if_won`)."""
    accepted = sum(1 for r in rows if r.status == "accepted")
    return accepted + by_vote + 1 if accepted or by_vote else 0


def versions_of(proposal: Proposal) -> list[VersionShown]:
    """Every version of the text, oldest first; a proposal never amended has one, itself."""
    rows = list(
        ProposalVersion.objects.filter(proposal=proposal)
        .select_related("made_by__author")
        .order_by("number")
    )
    if not rows:
        return [VersionShown(1, proposal.created_at, None, proposal.body, [])]
    out = []
    before = None
    for v in rows:
        diff: list[tuple[str, str]] = word_diff(before, v.body) if before is not None else []
        out.append(VersionShown(v.number, v.made_at, v.made_by, v.body, diff, v.by_vote))
        before = v.body
    return out
