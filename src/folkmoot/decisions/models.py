"""Proposals, votes, ballots and results (VOTE-1..12, BEY-2). A proposal's stage and a vote's
being open are computed from these timestamps when read (DESIGN.md "Time"); rows record only
what people did and what a count produced."""

import secrets
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

METHODS = [
    ("star", _("STAR")),
    ("bloc-star", _("Bloc STAR")),
    ("allocated-score", _("Allocated Score")),
    ("choice", _("Single choice")),
    ("approval", _("Approval")),
    ("top-n", _("Most votes")),
]


def new_lot_seed() -> str:
    return secrets.token_hex(8)


class Proposal(models.Model):
    """A proposal of one of the protocol's decision kinds (VOTE-2), debated in its thread."""

    assembly = models.ForeignKey(
        "federation.Assembly", on_delete=models.PROTECT, related_name="proposals"
    )
    kind = models.SlugField(_("kind"), max_length=40)
    title = models.CharField(_("question"), max_length=300)
    body = models.TextField(_("text"), max_length=20_000)
    body_html = models.TextField(editable=False)
    options = models.JSONField(_("options"), default=list)
    thread = models.OneToOneField(
        "forums.Thread", null=True, blank=True, on_delete=models.PROTECT, related_name="proposal"
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    created_at = models.DateTimeField(default=timezone.now)
    simple_question = models.BooleanField(_("simple question"), default=False)
    urgent = models.BooleanField(_("urgent"), default=False)
    event_at = models.DateTimeField(_("event"), null=True, blank=True)
    # PRO-2: an amendment carries the whole new protocol document it would adopt.
    amendment = models.CharField(
        max_length=8, blank=True, choices=[("total", _("total")), ("partial", _("partial"))]
    )
    protocol_text = models.TextField(_("new protocol"), blank=True)
    # The version in force when it was proposed: what the amendment changes is read against
    # it, so an amendment adopted meanwhile is not undone (preamble ¶3, `rebase`).
    base_version = models.ForeignKey(
        "protocols.ProtocolVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Art. 3 (FOR-5): a change of forums every coordinator agreed to apply at once; the
    # referendum ratifies it, or it lapses (the version restoring the forums is adopted).
    urgent_version = models.ForeignKey(
        "protocols.ProtocolVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The version the urgent change replaced: a lapse restores toward it (what was adopted
    # between the proposal and the urgent change stays).
    urgent_replaced_version = models.ForeignKey(
        "protocols.ProtocolVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    urgent_lapsed_at = models.DateTimeField(null=True, blank=True)
    # VOTE-2, art. 9.5: an Amendment names the earlier decision it rectifies; the register
    # shows that decision as "amended by" it.
    # VOTE-2, art. 9.1: a MegaPoll's questions after the first (its title and options), each
    # {"question": str, "options": [str, ...]}; each is voted on the same ballot page and
    # counted as its own vote (`Vote.part_of`).
    # Nullable without a default, as every column added to these tables: SQLite then adds it
    # in place instead of rebuilding the table under the tally triggers (issue 11).
    more_questions = models.JSONField(null=True, blank=True)
    # VOTE-2, art. 9.4: the office or group ("office:drafter") an internal vote is held
    # within; only its holders or members vote. Nullable like the other added columns: SQLite
    # then adds it in place instead of rebuilding the table under the tally triggers.
    within = models.CharField(max_length=60, null=True, blank=True)  # noqa: DJ001
    # Art. 8.3: the tenure this decision would end (a recall); carried, the seat passes as
    # on resignation (`offices.tenures.do_resign`).
    recalls = models.ForeignKey(
        "offices.Tenure", null=True, blank=True, on_delete=models.PROTECT, related_name="recalls"
    )
    amends = models.ForeignKey(
        "decisions.RegisterEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amended_by",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.CharField(max_length=300, blank=True)
    # Art. 7.1 (RED15M): a coordinator validated it alone; it skipped its support stage.
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # MEET-3 (issue 14): consensus rounds a moot closed before their time, {"1": ISO moment}:
    # the round is judged then, and the next starts from there (`tally.consensus`).
    rounds_closed_early = models.JSONField(default=dict, blank=True, editable=False)
    # BEY-4: a child assembly's decision brought before this (parent) assembly, to ratify it
    # or to decide the question for the wider federation.
    refers_to = models.ForeignKey(
        "RegisterEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    referral = models.CharField(
        max_length=10,
        blank=True,
        choices=[("ratify", _("ratification")), ("escalate", _("escalation"))],
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["assembly", "-created_at"], name="proposal_assembly")]
        constraints = [
            # Once before the parent at a time: a withdrawn referral frees the decision.
            models.UniqueConstraint(
                fields=["refers_to"],
                condition=Q(refers_to__isnull=False, withdrawn_at__isnull=True),
                name="referred_once_at_a_time",
            ),
            models.CheckConstraint(
                condition=Q(refers_to__isnull=True, referral="")
                | Q(refers_to__isnull=False, referral__in=["ratify", "escalate"]),
                name="referral_names_its_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def closes(self) -> dict[int, Any]:
        """`rounds_closed_early` as round → aware moment."""
        from django.utils.dateparse import parse_datetime

        return {int(k): parse_datetime(v) for k, v in (self.rounds_closed_early or {}).items()}


class UrgentAgreement(models.Model):
    """Art. 3: a holder of the office the protocol names (RED15M: a coordinator) agrees to
    apply a change of forums at once, before its referendum."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="urgent_agreements"
    )
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "holder"], name="agree_urgently_once")
        ]

    def __str__(self) -> str:
        return f"{self.holder_id} agrees to apply {self.proposal_id} now"


class DraftingApproval(models.Model):
    """VOTE-3, OFF-2: a drafter approves the text of a proposal, in that capacity."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="approvals")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    office = models.SlugField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="approve_text_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} approves {self.proposal_id}"


class ConsensusResponse(models.Model):
    """VOTE-1: agree, stand aside or block (with a reason) in one consensus round; a member
    may change their response while the round lasts."""

    RESPONSES = [
        ("agree", _("Agree")),
        ("stand_aside", _("Stand aside")),
        ("block", _("Block")),
    ]
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="responses")
    round = models.PositiveSmallIntegerField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    response = models.CharField(max_length=12, choices=RESPONSES)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "round", "person"], name="one_response_per_round"
            ),
            models.CheckConstraint(
                condition=~Q(response="block") | ~Q(reason=""), name="a_block_has_a_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response} in round {self.round} of {self.proposal_id}"


class ProposalOption(models.Model):
    """An option a member adds while consensus is sought; if consensus fails, the STAR vote
    offers every option gathered (VOTE-1)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="gathered")
    label = models.CharField(_("option"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "label"], name="gathered_option_once")
        ]

    def __str__(self) -> str:
        return self.label


class Vote(models.Model):
    assembly = models.ForeignKey(
        "federation.Assembly", null=True, blank=True, on_delete=models.PROTECT, related_name="votes"
    )
    # What the vote decides: a proposal (VOTE-5), or an office's election window (OFF-4).
    proposal = models.OneToOneField(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="vote"
    )
    office = models.ForeignKey(
        "offices.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="elections"
    )
    # VOTE-2: a further question of a MegaPoll, opened, closed and counted with its first
    # (`part_of`), in the order the proposal gives (`position`).
    part_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="parts"
    )
    position = models.PositiveSmallIntegerField(null=True, blank=True)  # as more_questions
    # OFF-3, issue 13: a by-election fills the vacant seats and unseats nobody (None for
    # every other vote; nullable, so adding it rewrites no table).
    by_election = models.BooleanField(null=True, blank=True, editable=False)
    # Issue 16: ballots sealed on the voter's device (folkmoot.sealed), never cast in clear
    # here; None for every other vote (nullable, so adding it rewrites no table).
    sealed_ballots = models.BooleanField(null=True, blank=True, editable=False)
    kind = models.SlugField(max_length=40, blank=True)
    title = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    secret = models.BooleanField(_("secret"), default=True)
    random_order = models.BooleanField(_("options in random order"), default=True)
    ask_validity = models.BooleanField(default=False)
    may_change_ballot = models.BooleanField(default=True)
    # The protocol's validity rules when the vote opened (VOTE-8/9), so a later amendment
    # cannot change how an open vote is counted.
    validity = models.JSONField(default=dict)
    results_live = models.BooleanField(_("results visible while open"), default=False)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the worker told the electorate that voting is open (claimed once, by one worker).
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    method = models.CharField(_("method"), max_length=20, choices=METHODS)
    options = models.JSONField(_("options"), default=list)
    # For an election, the candidates' user ids in the order of `options`.
    subjects = models.JSONField(default=list, blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    max_score = models.PositiveSmallIntegerField(default=5)
    # Published when the vote opens, fixed before any ballot: the lot that breaks a tie
    # nothing else can break is drawn from it (VOTE-12), so anyone can redo the draw.
    lot_seed = models.CharField(max_length=32, default=new_lot_seed, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="vote_has_a_seat"),
            models.CheckConstraint(
                condition=models.Q(max_score__lte=9), name="vote_scores_fit_a_digit"
            ),
            models.UniqueConstraint(
                fields=["office", "opens_at"],
                condition=Q(office__isnull=False),
                name="one_election_per_window",
            ),
        ]
        indexes = [models.Index(fields=["assembly", "closes_at"], name="vote_assembly_close")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: datetime) -> bool:
        return (
            self.opens_at is not None
            and self.closes_at is not None
            and self.opens_at <= now < self.closes_at
        )

    def is_closed(self, now: datetime) -> bool:
        return self.closes_at is not None and self.closes_at <= now


class Ballot(models.Model):
    """A counted ballot (VOTE-11, DESIGN.md "Ballots", docs/secrecy.md): no voter, no time,
    and a random key. A secret ballot reaches this table only at the close, when the box is
    opened: every ballot of the vote is written here in a random order, in one transaction,
    so neither the row order (SQLite's rowid, PostgreSQL's ctid) nor the transaction
    (PostgreSQL's xmin) follows the order of voting.

    `marks` holds one digit per option, in the vote's option order: a score 0–9 (STAR, Bloc
    STAR, Allocated Score), 0/1 (approval, top-N); for a choice vote, the chosen option's
    number, or empty for a blank vote. `valid` is the voter's answer to the validity question
    (VOTE-8), when asked. Counting groups identical ballots in the database."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    marks = models.CharField(max_length=64, blank=True)
    valid = models.BooleanField(null=True)
    # BEY-2: the public check code, shown to the voter once and published with the ballot
    # list after the close: it finds this ballot and changes nothing.
    check_code = models.CharField(max_length=16, blank=True)
    # Public votes only (VOTE-11 "public votes show who voted what"); always empty when secret.
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        # Covers the counting query (GROUP BY marks, valid for one vote): the database reads
        # the index alone, never the rows.
        indexes = [models.Index(fields=["vote", "marks", "valid"], name="ballot_count")]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "check_code"], condition=~Q(check_code=""), name="check_code_once"
            ),
            models.UniqueConstraint(
                fields=["vote", "voter"], condition=Q(voter__isnull=False), name="public_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.marks}"


class BoxedBallot(models.Model):
    """A secret ballot in the box while its vote is open (docs/secrecy.md). It holds no
    voter; its voter may change it only with the change code they alone were shown, found
    here by `change_hash` = SHA-256 of (vote, voter, change code) so that another person's
    code finds nothing. At the close the box is opened: these rows are re-written to
    `Ballot` in a random order and deleted, in the counting transaction."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="+")
    marks = models.CharField(max_length=64, blank=True)
    valid = models.BooleanField(null=True)
    check_code = models.CharField(max_length=16)
    change_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "check_code"], name="boxed_check_code_once"),
            models.UniqueConstraint(fields=["vote", "change_hash"], name="boxed_change_once"),
        ]

    def __str__(self) -> str:
        return f"boxed {self.vote_id}"


class Eligible(models.Model):
    """The electorate, fixed when the vote opens (VOTE-5, VOTE-10): who may vote, and since
    when they have been a member (seniority for elections)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="electorate")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    member_since = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "person"], name="eligible_once")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.vote_id}"


class Participation(models.Model):
    """ "Has voted" (VOTE-11, DESIGN.md "Ballots"): written in the same transaction as the
    ballot, unique per (vote, person), with no link to the ballot and no timestamp."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "person"], name="vote_once")]

    def __str__(self) -> str:
        return f"{self.person_id} voted in {self.vote_id}"


class VoteTally(models.Model):
    """How many people are in a vote's electorate and how many have voted, kept by database
    triggers on `Eligible` and `Participation` (folkmoot.tallies, migration
    0009_vote_tally): the vote page reads a sum over a few rows, not a count over 100,000.
    Read it with `decisions.selectors.vote_counts`."""

    # No constraint and no cascade: the triggers keep these rows, and deleting the vote
    # deletes them (a trigger too).
    vote = models.ForeignKey(
        Vote, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    shard = models.PositiveSmallIntegerField()
    electorate = models.IntegerField(db_default=0)
    voted = models.IntegerField(db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "shard"], name="vote_tally_shard")]

    def __str__(self) -> str:
        return f"vote {self.vote_id} shard {self.shard}: {self.voted} of {self.electorate}"


class VoteResult(models.Model):
    """A count materialised once at the close (the primary key is the vote: a second worker's
    insert fails and it does nothing). `explained` holds the count in each language."""

    vote = models.OneToOneField(
        Vote, primary_key=True, on_delete=models.PROTECT, related_name="result"
    )
    outcome = models.CharField(max_length=20)
    winners = models.JSONField(default=list)
    ballots = models.PositiveIntegerField(default=0)
    explained = models.JSONField(default=dict)
    # Elections: every candidate in order of the count (OFF-4: a resignation passes the seat
    # to the next one).
    ranking = models.JSONField(default=list)
    published_at = models.DateTimeField(default=timezone.now)
    # When the worker told the electorate (claimed once, by one worker).
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.outcome} ({self.vote_id})"


class RegisterEntry(models.Model):
    """The federation's consensus register (ASM-5, BEY-4): every decision of every assembly,
    written once when it is decided."""

    assembly = models.ForeignKey(
        "federation.Assembly", on_delete=models.PROTECT, related_name="register_entries"
    )
    proposal = models.OneToOneField(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="register_entry"
    )
    vote = models.OneToOneField(
        Vote, null=True, blank=True, on_delete=models.PROTECT, related_name="register_entry"
    )
    title = models.CharField(max_length=300)
    kind = models.SlugField(max_length=40, blank=True)
    binding = models.BooleanField(default=True)
    outcome = models.CharField(max_length=20)
    winners = models.JSONField(default=list)
    decided_at = models.DateTimeField(default=timezone.now)
    # VOTE-2: the kind said, when it was decided, that a carried decision is an official
    # project (`makes_project`). Nullable: SQLite adds it without rebuilding the table.
    makes_project = models.BooleanField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name_plural = "register entries"

    def __str__(self) -> str:
        return self.title
