"""The protocol document (PRO-1): what an assembly's written rules declare, as pydantic v2
models. A protocol is YAML; `load_protocol` validates it and reports every problem with
the path where it is (`offices.coordinator.seats: must be ≥ 1`), never half-loading it.

The engine's questions (who may read a forum, when the next election is, what sanction an
offence earns, whether an amendment carries) are answered by the modules next to this one,
as pure functions of (protocol, facts, now).
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .nesting import MAX_DEPTH, TooNested, check_shape
from .reasons import gettext_noop

LANGUAGES = ("en", "es", "fr", "ja")
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]
Tag = Annotated[str, Field(pattern=r"^\[[A-ZÁÉÍÓÚÑ0-9 _-]{1,40}\]$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(Strict):
    """A text in the four languages; English is required, others fall back to it."""

    en: str = Field(min_length=1)
    es: str | None = None
    fr: str | None = None
    ja: str | None = None

    @model_validator(mode="before")
    @classmethod
    def plain_string_is_english(cls, value: Any) -> Any:
        return {"en": value} if isinstance(value, str) else value

    def get(self, language: str) -> str:
        return getattr(self, language[:2], None) or self.en


# --- audiences (FOR-1, MEM-1, VOTE-10) ------------------------------------------------------

AUDIENCE_RE = re.compile(
    r"^(anonymous|platform|participant|citizen|office:[a-z][a-z0-9_-]*|group:[a-z][a-z0-9_-]*)$"
)


class Audience(Strict):
    """Who is included: anyone matching one of `any_of`, and meeting every eligibility
    condition given. In YAML a plain string or list stands for `any_of`.

    - `anonymous`: everybody, signed in or not
    - `platform`: every signed-in person of the site ("ciudadanos global")
    - `participant`: anyone who belongs to the assembly (participants and members)
    - `citizen`: members of the assembly (those who vote)
    - `office:KEY`: current holders of that office
    - `group:KEY`: members of a group the protocol declares
    """

    any_of: list[str] = Field(min_length=1)
    min_age: int | None = Field(None, ge=0, le=150)
    max_age: int | None = Field(None, ge=0, le=150)
    attribute: str | None = None
    min_seniority_days: int | None = Field(None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"any_of": [value]}
        if isinstance(value, list):
            return {"any_of": value}
        return value

    @field_validator("any_of")
    @classmethod
    def known_audiences(cls, values: list[str]) -> list[str]:
        for value in values:
            if not AUDIENCE_RE.match(value):
                raise PydanticCustomError(
                    "unknown_audience", "unknown audience {audience}", {"audience": value}
                )
        return values

    @model_validator(mode="after")
    def ordered_ages(self) -> Audience:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise PydanticCustomError("age_range", "min_age above max_age", {})
        return self

    @property
    def offices(self) -> list[str]:
        return [a.split(":", 1)[1] for a in self.any_of if a.startswith("office:")]

    @property
    def groups(self) -> list[str]:
        return [a.split(":", 1)[1] for a in self.any_of if a.startswith("group:")]


class Group(Strict):
    name: LocalizedText  # plural: "the drafting team", "members of the youth wing"


# --- offices (OFF-1..6) ---------------------------------------------------------------------


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        return list(Weekday).index(self)


class Power(StrEnum):
    MODERATE = "moderate"
    SANCTION = "sanction"
    LAUNCH_VOTES = "launch_votes"
    APPROVE_DRAFTS = "approve_drafts"
    APPROVE_DESIGNS = "approve_designs"
    SUPPORT_PROPOSALS = "support_proposals"
    MANAGE_MEMBERS = "manage_members"
    VALIDATE_POLLS = "validate_polls"


class ElectionCalendar(Strict):
    """Elections every `every_days`, opening on `opens_on` at `opens_at` and lasting
    `duration_hours`; `anchor` is one opening date (it fixes which weeks are election weeks)."""

    every_days: int = Field(ge=1, le=3650)
    opens_on: Weekday
    opens_at: time = time(0, 0)
    duration_hours: int = Field(ge=1, le=24 * 60)
    anchor: date

    @model_validator(mode="after")
    def anchor_on_the_weekday(self) -> ElectionCalendar:
        if self.anchor.weekday() != self.opens_on.number:
            raise PydanticCustomError(
                "anchor_weekday",
                "anchor is not a {weekday}",
                {"weekday": self.opens_on.value, "anchor": self.anchor.isoformat()},
            )
        return self


class Suspension(Strict):
    """OFF-6: an office holder who breaks the protocol and will not resign is suspended
    `first_days`, multiplied by `multiplier` on each repeat; indefinitely after `indefinite_after` repeats."""

    first_days: int = Field(3, ge=1)
    multiplier: int = Field(3, ge=1)
    indefinite_after: int = Field(3, ge=1)


class Misconduct(Strict):
    """OFF-6 and art. 7: what an office holder who breaks the protocol in their office earns,
    on top of any sanction as a citizen: between `min_days` and `max_days`, multiplied by
    `repeat_multiplier` on each repeat; `permanent_after` repeats bars them from the office."""

    min_days: float = Field(gt=0)
    max_days: float = Field(gt=0)
    repeat_multiplier: float = Field(2, ge=1)
    permanent_after: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def ordered(self) -> Misconduct:
        if self.min_days > self.max_days:
            raise PydanticCustomError("days_range", "min_days above max_days", {})
        return self


class Appointer(Strict):
    """Who appoints to an office that is not elected where it is held (issue 13, seed 002):
    the holders of `office` in the federation itself (Harmony's general secretaries, the
    Secretarial Committee), in the assembly named `assembly` of the same federation, or, when
    neither is given, in the assembly's parent."""

    office: Key
    federation: bool = False
    assembly: Key | None = None


class Sealing(Strict):
    """Issue 16 (VOTE-11): ballots sealed on the voter's device, which only `threshold` of
    the holders of the `guardians` office (a majority when unset) can open together, after
    each has shuffled them (or `threshold` of them, once `shuffle_hours` have passed since
    the close). The key is made and voters register their voting keys in the
    `prepare_hours` between the launch and the opening."""

    guardians: Key
    threshold: int | None = Field(None, ge=1)
    prepare_hours: float = Field(48, gt=0)
    # After the close, how long every guardian has to shuffle before decryption may go ahead
    # with the shuffles of `threshold` of them.
    shuffle_hours: float = Field(72, gt=0)


class Office(Strict):
    name: LocalizedText
    plural: LocalizedText | None = None  # "coordinators", for sentences about holders
    description: LocalizedText | None = None
    seats: int = Field(ge=1, le=1000)
    term_days: int | None = Field(None, ge=1, le=3650)
    elected: bool = True
    election: ElectionCalendar | None = None
    voting_method: Literal["top_n", "star", "bloc_star", "approval", "appointed"] = "top_n"
    electorate: Audience = Field(default_factory=lambda: Audience(any_of=["citizen"]))
    candidates: Audience = Field(default_factory=lambda: Audience(any_of=["citizen"]))
    powers: list[Power] = []
    inactivity_notice_days: int | None = Field(None, ge=1)
    suspension: Suspension | None = None
    misconduct: Misconduct | None = None
    stand_any_time_for_vacancy: bool = True
    seat_changes_need: Key | None = None  # a decision kind (OFF-5: a binding referendum)
    # Art. 8.3: the decision kind by which a holder is removed before the term ends (recall);
    # the seat then passes as on resignation. None: nobody is recalled.
    recalled_by: Key | None = None
    # Where the office is not elected (`elected: false`, or a secretary where the assembly
    # says its secretary is not elected), who appoints to it; None: nobody but the staff.
    appointed_by: Appointer | None = None
    # Who held this office is a public record (issue 13): a holder who erases their account
    # keeps their name on the tenures they held; elsewhere they become "a former member".
    public_record: bool = False
    # Issue 16 (VOTE-11): this office's elections are sealed votes. The election's vote is
    # prepared `sealed.prepare_hours` before its window opens, with the candidates standing
    # then (candidacies close at that moment) and the electorate eligible then.
    sealed: Sealing | None = None

    @property
    def voted(self) -> bool:
        """Filled by a vote, not by appointment (where the assembly does not say otherwise:
        `appointment.elected_here`)."""
        return self.elected and self.voting_method != "appointed"

    @property
    def on_calendar(self) -> bool:
        """Filled by elections on its calendar: what terms follow and what may be sealed."""
        return self.voted and self.election is not None

    @model_validator(mode="after")
    def elected_offices_have_a_calendar(self) -> Office:
        if self.voted and self.election is None and self.term_days:
            raise PydanticCustomError("election_missing", "elected office without a calendar", {})
        if self.sealed is None:
            return self
        if not self.on_calendar or self.election is None:
            raise PydanticCustomError(
                "sealed_not_elected",
                "only an office elected on a calendar has sealed elections",
                {},
            )
        # Preparing, then voting, must fit before the next window, and within a week: a
        # vacant seat's by-elections come weekly (OFF-3).
        room = min(self.election.every_days, 7) * 24 - self.election.duration_hours
        if self.sealed.prepare_hours > room:
            raise PydanticCustomError(
                "sealed_prepare_too_long",
                "prepare_hours over {hours}",
                {"hours": room, "prepare_hours": self.sealed.prepare_hours},
            )
        return self


# --- forums (FOR-1..5) ----------------------------------------------------------------------


class Forum(Strict):
    name: LocalizedText
    description: LocalizedText | None = None
    read: Audience
    open_thread: Audience
    reply: Audience
    tags: list[Tag] = []
    tag_required: bool = False
    discussion: bool = True
    role: Literal["normal", "votes", "drafting", "design", "history", "approved", "trash"] = (
        "normal"
    )
    archivable: bool = True
    # FOR-3, RED15M art. 2: threads opened here move to the archival's trash forum this many
    # days after they were opened (History keeps polls' results two months). None: they stay.
    expires_after_days: int | None = Field(None, ge=1)
    # How long authors may edit what they wrote: None for no limit, 0 for never.
    edit_window_minutes: int | None = Field(60, ge=0)

    @model_validator(mode="after")
    def tags_when_required(self) -> Forum:
        if self.tag_required and not self.tags:
            raise PydanticCustomError("tags_missing", "tag_required without tags", {})
        return self


class ChatRoom(Strict):
    """A chat room of the assembly: who reads and who writes, and how long a message may be."""

    name: LocalizedText
    read: Audience
    write: Audience
    max_length: int = Field(500, ge=1, le=5000)


class Archival(Strict):
    """FOR-3: inactive threads move to History; old and quiet ones to Trash."""

    history_forum: Key
    trash_forum: Key
    inactive_days_to_history: int = Field(ge=1)
    age_days_to_trash: int = Field(ge=1)
    inactive_days_to_trash: int = Field(ge=1)
    rescue_by: Audience


class ForumChanges(Strict):
    """FOR-5: creating, changing or deleting forums needs a binding decision; an urgent
    change needs every holder of `urgent_office`, then ratification."""

    decision_kind: Key
    urgent_office: Key | None = None
    # An urgent change in force lapses when its referendum has not opened within this many
    # days of its urgent application (art. 3: "luego se pedirá la aprobación ... en dicho
    # Referendum"); None: it waits for its referendum however long.
    ratify_within_days: int | None = Field(30, ge=1)


# --- decisions (VOTE-1..12) -----------------------------------------------------------------


class Support(Strict):
    """VOTE-3: enough "+1 as <office>" supports move a proposal on."""

    office: Key
    count: int = Field(ge=1)


class Debate(Strict):
    days: float = Field(ge=0)
    ends_early_with_support: bool = True


class Drafting(Strict):
    office: Key
    approvals: int = Field(1, ge=1)
    not_for_simple_questions: bool = True


class TextAmendments(Strict):
    """VOTE-14: members may amend a proposal's text while it is debated. A rejected
    amendment that `competing_supports` members support goes to the vote as a competing
    option; None: rejected amendments never reach the ballot."""

    competing_supports: int | None = Field(3, ge=1)


class Voting(Strict):
    min_days: float = Field(gt=0)
    max_days: float = Field(gt=0)
    default_days: float = Field(gt=0)

    @model_validator(mode="after")
    def ordered(self) -> Voting:
        if not self.min_days <= self.default_days <= self.max_days:
            raise PydanticCustomError("voting_range", "min_days ≤ default_days ≤ max_days", {})
        return self


class Urgency(Strict):
    """VOTE-6: an event less than `event_within_hours` away; debate and voting together
    between `min_hours` and `max_hours`; nothing known less than `out_of_scope_hours` ahead."""

    event_within_hours: int = Field(72, ge=1)
    min_hours: int = Field(72, ge=1)
    max_hours: int = Field(120, ge=1)
    out_of_scope_hours: int = Field(48, ge=0)
    voting_days: float | None = Field(None, gt=0)
    voting_factor: float | None = Field(None, gt=0, le=1)


class Validity(Strict):
    """VOTE-8/9: impugnation by null answers, thresholds, blank votes, quorum."""

    ask_validity: bool = True
    void_when_null_share_over: float = Field(0.5, ge=0, le=1)
    threshold_two_options: float = Field(0.60, ge=0, le=1)
    threshold_more_options: float = Field(0.85, ge=0, le=1)
    blank_counts: bool = False
    quorum: int | None = Field(None, ge=1)


class Consensus(Strict):
    """VOTE-1: seek consensus, try harder, then vote."""

    rounds: int = Field(2, ge=1, le=10)
    round_days: float = Field(7, gt=0)
    participation_floor: float = Field(0.0, ge=0, le=1)
    blocks_public: bool = True
    # Each person's response and reason shown, as in a Loomio proposal. Unset: as public as
    # blocks are (`blocks_public`), so a protocol that hides who blocks keeps hiding it.
    responses_public: bool | None = None
    fallback_method: Literal["star", "choice"] = "star"


Method = Literal[
    "choice", "yes_no", "star", "bloc_star", "allocated_score", "approval", "consensus", "top_n"
]


class DecisionKind(Strict):
    name: LocalizedText
    description: LocalizedText | None = None
    tag: Tag | None = None
    binding: bool
    proposers: Audience
    voters: Audience
    scope: Literal["assembly", "platform"] = "assembly"
    secret: bool
    random_order: bool = True
    method: Method = "choice"
    debate: Debate | None = None
    # Every listed support is needed (RED15M designs: 1 designer and 3 coordinators).
    supports: list[Support] = []
    launch_delay_hours: float = Field(0, ge=0)  # after the last support (OFF-2: 24 h)
    drafting: Drafting | None = None
    # VOTE-14: amending the text during its debate; null: the text is voted as proposed.
    text_amendments: TextAmendments | None = Field(default_factory=TextAmendments)
    # Issue 16: sealed ballots (secret votes only); None: the server's secret ballot box.
    sealed: Sealing | None = None
    voting: Voting
    urgent: Urgency | None = None
    min_days_unless_urgent: float = Field(3, ge=0)
    launched_by: Audience
    launch_at_once: bool = False
    # Art. 7.1 (RED15M): a holder of the validate_polls power may validate a proposal of this
    # kind on their own, so that it skips its support stage (`schedule.decision_stage`).
    validated_alone: bool = False
    multi_question: bool = False
    # VOTE-2, RED15M art. 9.3: a decision of this kind carried for its change becomes an
    # official project, carried out and followed in the register.
    makes_project: bool = False
    # VOTE-2, RED15M art. 9.4: an internal vote, proposed by holders of an office or members
    # of a group (among `proposers`) for its own working: the proposer names which, and only
    # its holders or members vote (`voters` is then not read).
    internal: bool = False
    validity: Validity = Field(default_factory=Validity)
    consensus: Consensus | None = None
    results_visible: Literal["after_close", "live", "launcher_decides"] = "after_close"
    # What the proposer may set differently at launch (art. 10.3/10.4: polls are public and
    # platform-wide "unless the proposer says otherwise"; the duration "or as the proposer indicates").
    proposer_may_set: list[Literal["secret", "scope", "duration"]] = []
    weekly: bool = False
    # The tag of the proposal's debate thread in the forum whose role is "votes" (VOTE-3:
    # RED15M's [PROPUESTA-REFERENDUM]); None: the kind's own tag, or none.
    forum_tag: Tag | None = None
    # Forums where a decided result is published as a new thread (RED15M: Approved).
    announce_in: list[Key] = []
    # VirtualPol let a voter change their ballot until the close; a protocol may forbid it.
    may_change_ballot: bool = True

    @model_validator(mode="after")
    def consensus_has_its_rules(self) -> DecisionKind:
        if self.method == "consensus" and self.consensus is None:
            raise PydanticCustomError("consensus_missing", "consensus rules missing", {})
        if self.sealed is not None and not self.secret:
            raise PydanticCustomError("sealed_public", "a sealed vote must be secret", {})
        if self.sealed is not None and self.multi_question:
            # One question per sealed election (folkmoot.sealed): a MegaPoll is not sealed.
            raise PydanticCustomError(
                "sealed_multi_question", "a vote of several questions cannot be sealed", {}
            )
        return self


# --- sanctions (SAN-1..6) -------------------------------------------------------------------


class SanctionLevel(Strict):
    name: LocalizedText
    hours: float = Field(gt=0)
    offences: list[LocalizedText] = []
    needs_endorsement: bool = True


class Moderation(Strict):
    """SAN-1: every moderation carries a sanction the moderator picks in this range,
    doubling on each repeat."""

    min_minutes: int = Field(ge=0)
    max_minutes: int = Field(ge=1)
    repeat_multiplier: float = Field(2, ge=1)

    @model_validator(mode="after")
    def ordered(self) -> Moderation:
        if self.min_minutes > self.max_minutes:
            raise PydanticCustomError("minutes_range", "min_minutes above max_minutes", {})
        return self


class Sanctions(Strict):
    imposed_by: Key  # the office with the sanctioning power (coordinators)
    moderation: Moderation
    levels: dict[Key, SanctionLevel] = Field(min_length=1)
    repeat_multiplier: float = Field(2, ge=1)
    first_repeat_public_decision: bool = True
    non_grata_after_repeats: int = Field(3, ge=1)
    non_grata_hours: float = Field(9 * 24, gt=0)
    # SAN-3: who lifts a persona non grata, and how many of them (None: nobody can).
    non_grata_lifted_by: Support | None = None
    endorsements: int = Field(2, ge=0)
    endorsement_window_hours: float = Field(48, gt=0)
    # Art. 7.1 (RED15M): a sanction imposed at once ("en caliente") is backed within its own
    # time, and not in its last hours: the window closes this long before it ends, if sooner.
    backed_before_end_hours: float | None = Field(None, ge=0)
    off_protocol_bounce: float = Field(0.5, ge=0, le=1)


# --- founding assemblies (ASM-2, issue 13) --------------------------------------------------

AssemblyKind = Literal[
    "operational",
    "region",
    "city",
    "constituency",
    "policy-society",
    "community",
    "youth",
    "allied",
]
ASSEMBLY_TYPES: tuple[str, ...] = get_args(AssemblyKind)  # ASM-3, the federation aside


class FoundingApproval(Strict):
    """Who approves a new assembly: the holders of `office` in the assembly whose slug is
    `assembly`, in the same federation (Harmony: the Foundational Committee's secretary), or
    in the parent assembly itself when `assembly` is not given."""

    assembly: Key | None = None
    office: Key


class Founding(Strict):
    """ASM-2: new assemblies below this one. Without this section, none may be founded (RED15M
    has no children). Proposers are judged in the parent assembly."""

    proposers: Audience
    approved_by: FoundingApproval
    types: list[AssemblyKind] = []  # empty: any


ReshapeKind = Literal["move", "merge", "close"]
ALL_RESHAPES: tuple[ReshapeKind, ...] = ("move", "merge", "close")


class Reshaping(Strict):
    """ASM-2, issue 13: moving an assembly below this one under another parent, merging it
    into another, or closing it (closing archives: nothing is deleted). Proposers are judged
    in this assembly; the assembly's own secretary may also propose. Without this section,
    the assemblies below stay as they are."""

    proposers: Audience
    approved_by: FoundingApproval
    allows: list[ReshapeKind] = Field(default_factory=lambda: list(ALL_RESHAPES))


# --- moots (MEET-1..3, issue 14) ------------------------------------------------------------


class Moots(Strict):
    """The assembly's meetings: who calls one (Harmony: the secretary; RED15M: coordination),
    who may attend a private one and add points to an agenda (MEET-2), and the quorum, the
    people present for what a moot decides to count. An open moot is open to anyone signed
    in who may see the assembly."""

    called_by: Audience
    attend: Audience = Field(default_factory=lambda: Audience(any_of=["participant"]))
    add_points: Audience = Field(default_factory=lambda: Audience(any_of=["participant"]))
    quorum: int | None = Field(None, ge=1, le=100_000)


# --- sign-in security (issue 13) ------------------------------------------------------------


class TwoStep(Strict):
    """Holders of offices with these powers must sign in with a second step (a passkey or
    an authenticator app), once `grace_days` have passed since they took office."""

    for_powers: list[Power] = []
    grace_days: int = Field(14, ge=0, le=365)


# --- amendments (PRO-2, PRO-3) --------------------------------------------------------------


class OfficeApproval(Strict):
    office: Key
    rule: Literal["absolute_majority", "count", "all"] = "count"
    count: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def count_when_counting(self) -> OfficeApproval:
        if self.rule == "count" and self.count is None:
            raise PydanticCustomError("count_missing", "count missing", {})
        return self


class AmendmentRule(Strict):
    decision_kind: Key
    office_approval: OfficeApproval | None = None
    vote: Literal["half_plus_one_of_voters", "simple_majority", "consensus"] = "simple_majority"


class Amendments(Strict):
    total: AmendmentRule
    partial: AmendmentRule
    latest_referendum_prevails: bool = True


# --- the whole document ---------------------------------------------------------------------


class Protocol(Strict):
    protocol: Key
    version: str = Field(min_length=1, max_length=20)
    title: LocalizedText
    summary: LocalizedText | None = None
    timezone: str = "UTC"
    groups: dict[Key, Group] = {}
    offices: dict[Key, Office] = {}
    forums: dict[Key, Forum] = {}
    archival: Archival | None = None
    chat_rooms: dict[Key, ChatRoom] = {}
    forum_changes: ForumChanges | None = None
    decision_kinds: dict[Key, DecisionKind] = {}
    sanctions: Sanctions | None = None
    founding: Founding | None = None
    reshaping: Reshaping | None = None
    moots: Moots | None = None
    two_step: TwoStep = Field(default_factory=TwoStep)
    amendments: Amendments

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as missing:
            raise PydanticCustomError(
                "unknown_timezone", "unknown time zone {zone}", {"zone": value}
            ) from missing
        return value


# --- loading and errors ---------------------------------------------------------------------

# The core's message for each kind of problem; params come from the error's context.
MESSAGES: dict[str, str] = {
    "missing": gettext_noop("is required"),
    "extra_forbidden": gettext_noop("is not a known field"),
    "greater_than_equal": gettext_noop("must be ≥ %(ge)s"),
    "greater_than": gettext_noop("must be > %(gt)s"),
    "less_than_equal": gettext_noop("must be ≤ %(le)s"),
    "less_than": gettext_noop("must be < %(lt)s"),
    "int_parsing": gettext_noop("must be a whole number"),
    "int_type": gettext_noop("must be a whole number"),
    "int_from_float": gettext_noop("must be a whole number"),
    "float_parsing": gettext_noop("must be a number"),
    "float_type": gettext_noop("must be a number"),
    "bool_parsing": gettext_noop("must be true or false"),
    "bool_type": gettext_noop("must be true or false"),
    "string_type": gettext_noop("must be text"),
    "string_too_short": gettext_noop("must not be empty"),
    "string_too_long": gettext_noop("is too long (at most %(max_length)s characters)"),
    "string_pattern_mismatch": gettext_noop("is not in the expected form"),
    "too_short": gettext_noop("needs at least %(min_length)s entries"),
    "literal_error": gettext_noop("must be one of: %(expected)s"),
    "enum": gettext_noop("must be one of: %(expected)s"),
    "dict_type": gettext_noop("must be a mapping of names to values"),
    "model_type": gettext_noop("must be a mapping of fields"),
    "model_attributes_type": gettext_noop("must be a mapping of fields"),
    "list_type": gettext_noop("must be a list"),
    "date_parsing": gettext_noop("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": gettext_noop("must be a date (YYYY-MM-DD)"),
    "date_type": gettext_noop("must be a date (YYYY-MM-DD)"),
    "time_parsing": gettext_noop("must be a time (HH:MM)"),
    "time_type": gettext_noop("must be a time (HH:MM)"),
    "unknown_audience": gettext_noop(
        "“%(audience)s” is not an audience (anonymous, platform, participant, citizen, office:…, group:…)"
    ),
    "age_range": gettext_noop("min_age is above max_age"),
    "anchor_weekday": gettext_noop("the anchor %(anchor)s is not a %(weekday)s"),
    "election_missing": gettext_noop("an elected office with a term needs an election calendar"),
    "tags_missing": gettext_noop("tags are required but none are listed"),
    "voting_range": gettext_noop("must satisfy min_days ≤ default_days ≤ max_days"),
    "consensus_missing": gettext_noop("a consensus decision needs its consensus rules"),
    "sealed_public": gettext_noop("a sealed vote must be secret (secret: true)"),
    "sealed_multi_question": gettext_noop("a vote of several questions cannot be sealed"),
    "sealed_self_guarded": gettext_noop(
        "an office cannot guard its own sealed elections: its holders could keep their seats"
        " by never opening the ballots; name another office"
    ),
    "sealed_one_seat": gettext_noop(
        "the guardians' office has %(seats)s seat: a sealed vote needs at least two guardians"
    ),
    "sealed_threshold_over_seats": gettext_noop(
        "%(threshold)s guardians cannot decrypt when their office has only %(seats)s seats"
    ),
    "sealed_not_elected": gettext_noop(
        "only an office elected on a calendar (election: …) can have sealed elections"
    ),
    "sealed_prepare_too_long": gettext_noop(
        "a sealed election's prepare_hours (%(prepare_hours)s) must leave room for its voting"
        " before the next window, and within a week: at most %(hours)s hours here"
    ),
    "minutes_range": gettext_noop("min_minutes is above max_minutes"),
    "days_range": gettext_noop("min_days is above max_days"),
    "count_missing": gettext_noop("a count rule needs a count"),
    "unknown_timezone": gettext_noop("“%(zone)s” is not a known time zone"),
    "unknown_office": gettext_noop("names an office that is not declared: “%(name)s”"),
    "office_lacks_power": gettext_noop(
        "names the office “%(name)s”, which does not hold the power this needs: %(power)s"
    ),
    "unknown_group": gettext_noop("names a group that is not declared: “%(name)s”"),
    "unknown_forum": gettext_noop("names a forum that is not declared: “%(name)s”"),
    "unknown_tag": gettext_noop("is not one of the Votes forum's tags: “%(name)s”"),
    "unknown_decision_kind": gettext_noop("names a decision kind that is not declared: “%(name)s”"),
    "yaml": gettext_noop("is not valid YAML (line %(line)s): %(problem)s"),
    "too_deep": gettext_noop("is nested too deeply: at most %(limit)s levels are allowed"),
    "too_large": gettext_noop(
        "is too large: at most %(limit)s values are allowed, counting every use of an anchor"
    ),
    "not_a_mapping": gettext_noop("the document must be a mapping of fields"),
}
FALLBACK = gettext_noop("is not valid")


class ProtocolProblem(BaseModel):
    """One problem in a protocol document: where, what kind, and the message template."""

    model_config = ConfigDict(frozen=True)

    path: str
    code: str
    template: str
    params: dict[str, Any] = {}

    def render(self, translate: Any = None) -> str:
        text = translate(self.template) if translate else self.template
        return f"{self.path}: {text % self.params if self.params else text}"


class ProtocolInvalid(Exception):
    def __init__(self, problems: list[ProtocolProblem]) -> None:
        super().__init__("; ".join(p.render() for p in problems))
        self.problems = problems


def _problem(path: str, code: str, params: dict[str, Any] | None = None) -> ProtocolProblem:
    return ProtocolProblem(
        path=path or "(document)",
        code=code,
        template=MESSAGES.get(code, FALLBACK),
        params=params or {},
    )


def _from_pydantic(error: Any) -> ProtocolProblem:
    # Pydantic inserts the validator's name ("function-after[...]") into locations of
    # before/after validators; people only need the fields.
    path = ".".join(
        str(p) for p in error["loc"] if not str(p).startswith(("function-", "tagged-union"))
    )
    ctx = {
        k: (", ".join(map(str, v)) if isinstance(v, list | tuple) else v)
        for k, v in (error.get("ctx") or {}).items()
    }
    if error["type"] in ("literal_error", "enum") and "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace("'", "")
    return _problem(path, error["type"], ctx)


def _cross_references(protocol: Protocol) -> list[ProtocolProblem]:
    """References between sections must name something the document declares."""
    problems: list[ProtocolProblem] = []

    def audience(path: str, value: Audience) -> None:
        for name in value.offices:
            if name not in protocol.offices:
                problems.append(_problem(path, "unknown_office", {"name": name}))
        for name in value.groups:
            if name not in protocol.groups:
                problems.append(_problem(path, "unknown_group", {"name": name}))

    def office(path: str, name: str | None) -> None:
        if name is not None and name not in protocol.offices:
            problems.append(_problem(path, "unknown_office", {"name": name}))

    def kind(path: str, name: str | None) -> None:
        if name is not None and name not in protocol.decision_kinds:
            problems.append(_problem(path, "unknown_decision_kind", {"name": name}))

    def guardians(path: str, sealed: Sealing, elected: str | None = None) -> None:
        """Issue 16: a guardians' office that can make a key (two seats at least, no fewer
        than the threshold); and no office guards its own elections, whose holders could
        keep their seats by never opening the ballots."""
        office(f"{path}.guardians", sealed.guardians)
        guard = protocol.offices.get(sealed.guardians)
        if guard is None:
            return
        if sealed.guardians == elected:
            problems.append(_problem(f"{path}.guardians", "sealed_self_guarded"))
        if guard.seats < 2:
            problems.append(
                _problem(f"{path}.guardians", "sealed_one_seat", {"seats": guard.seats})
            )
        if sealed.threshold is not None and sealed.threshold > guard.seats:
            problems.append(
                _problem(
                    f"{path}.threshold",
                    "sealed_threshold_over_seats",
                    {"threshold": sealed.threshold, "seats": guard.seats},
                )
            )

    for key, o in protocol.offices.items():
        if o.appointed_by is not None:
            office(f"offices.{key}.appointed_by.office", o.appointed_by.office)
        audience(f"offices.{key}.electorate", o.electorate)
        audience(f"offices.{key}.candidates", o.candidates)
        kind(f"offices.{key}.seat_changes_need", o.seat_changes_need)
        kind(f"offices.{key}.recalled_by", o.recalled_by)
        if o.sealed is not None:
            guardians(f"offices.{key}.sealed", o.sealed, elected=key)
    for key, f in protocol.forums.items():
        for action in ("read", "open_thread", "reply"):
            audience(f"forums.{key}.{action}", getattr(f, action))
    for key, room in protocol.chat_rooms.items():
        audience(f"chat_rooms.{key}.read", room.read)
        audience(f"chat_rooms.{key}.write", room.write)
    if protocol.archival is not None:
        for field in ("history_forum", "trash_forum"):
            name = getattr(protocol.archival, field)
            if name not in protocol.forums:
                problems.append(_problem(f"archival.{field}", "unknown_forum", {"name": name}))
        audience("archival.rescue_by", protocol.archival.rescue_by)
    if protocol.forum_changes is not None:
        kind("forum_changes.decision_kind", protocol.forum_changes.decision_kind)
        office("forum_changes.urgent_office", protocol.forum_changes.urgent_office)

    def holds(path: str, name: str, *powers: Power) -> None:
        """An office's powers say what its holders do: the sections that give an office
        such a task must agree with them (BEY-1: the protocol page shows both)."""
        found = protocol.offices.get(name)
        if found is not None and not set(powers) & set(found.powers):
            wanted = " / ".join(p.value for p in powers)
            problems.append(_problem(path, "office_lacks_power", {"name": name, "power": wanted}))

    for key, d in protocol.decision_kinds.items():
        for field in ("proposers", "voters", "launched_by"):
            audience(f"decision_kinds.{key}.{field}", getattr(d, field))
        for name in d.launched_by.offices:
            holds(f"decision_kinds.{key}.launched_by", name, Power.LAUNCH_VOTES)
        for i, support in enumerate(d.supports):
            holds(  # a design's supports are its designers' approvals (OFF-2)
                f"decision_kinds.{key}.supports.{i}.office",
                support.office,
                Power.SUPPORT_PROPOSALS,
                Power.APPROVE_DESIGNS,
                Power.APPROVE_DRAFTS,
            )
        if d.drafting is not None:
            holds(
                f"decision_kinds.{key}.drafting.office",
                d.drafting.office,
                Power.APPROVE_DRAFTS,
                Power.APPROVE_DESIGNS,
            )
        for i, support in enumerate(d.supports):
            office(f"decision_kinds.{key}.supports.{i}.office", support.office)
        if d.drafting is not None:
            office(f"decision_kinds.{key}.drafting.office", d.drafting.office)
        if d.sealed is not None:
            guardians(f"decision_kinds.{key}.sealed", d.sealed)
        for i, name in enumerate(d.announce_in):
            if name not in protocol.forums:
                problems.append(
                    _problem(
                        f"decision_kinds.{key}.announce_in.{i}", "unknown_forum", {"name": name}
                    )
                )
        votes_forum = next((f for f in protocol.forums.values() if f.role == "votes"), None)
        tag = d.forum_tag or d.tag
        if votes_forum is not None and votes_forum.tag_required and tag not in votes_forum.tags:
            problems.append(
                _problem(f"decision_kinds.{key}.forum_tag", "unknown_tag", {"name": tag or "—"})
            )
    if protocol.sanctions is not None:
        office("sanctions.imposed_by", protocol.sanctions.imposed_by)
        holds("sanctions.imposed_by", protocol.sanctions.imposed_by, Power.SANCTION)
        lifting = protocol.sanctions.non_grata_lifted_by
        if lifting is not None:
            office("sanctions.non_grata_lifted_by.office", lifting.office)
            holds("sanctions.non_grata_lifted_by.office", lifting.office, Power.SANCTION)
    if protocol.founding is not None:
        audience("founding.proposers", protocol.founding.proposers)
        office("founding.approved_by.office", protocol.founding.approved_by.office)
    if protocol.moots is not None:
        for field in ("called_by", "attend", "add_points"):
            audience(f"moots.{field}", getattr(protocol.moots, field))
    if protocol.reshaping is not None:
        audience("reshaping.proposers", protocol.reshaping.proposers)
        office("reshaping.approved_by.office", protocol.reshaping.approved_by.office)
    for which in ("total", "partial"):
        rule: AmendmentRule = getattr(protocol.amendments, which)
        kind(f"amendments.{which}.decision_kind", rule.decision_kind)
        if rule.office_approval is not None:
            office(f"amendments.{which}.office_approval.office", rule.office_approval.office)
    return problems


def parse_protocol(data: Any) -> Protocol:
    """Validate already-parsed data; raises ProtocolInvalid with every problem found."""
    if not isinstance(data, dict):
        raise ProtocolInvalid([_problem("", "not_a_mapping")])
    try:
        protocol = Protocol.model_validate(data)
    except ValidationError as invalid:
        raise ProtocolInvalid([_from_pydantic(e) for e in invalid.errors()]) from invalid
    problems = _cross_references(protocol)
    if problems:
        raise ProtocolInvalid(problems)
    return protocol


class _ShallowLoader(yaml.SafeLoader):
    """PyYAML composes nodes recursively: twenty thousand `[` would exhaust Python's stack
    (issue 10). This loader stops at MAX_DEPTH levels, long before that."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise TooNested("depth", MAX_DEPTH)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _too_nested(problem: TooNested) -> ProtocolInvalid:
    code = "too_deep" if problem.kind == "depth" else "too_large"
    return ProtocolInvalid([_problem("", code, {"limit": problem.limit})])


def load_protocol(text: str) -> Protocol:
    """Parse and validate a YAML protocol document. Every bad document, however deep or
    however many anchors it expands, is a ProtocolInvalid naming the problem."""
    try:
        data = yaml.load(text, Loader=_ShallowLoader)  # a SafeLoader underneath
        check_shape(data)
    except yaml.YAMLError as broken:
        mark = getattr(broken, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        problem = getattr(broken, "problem", None) or str(broken)
        raise ProtocolInvalid(
            [_problem("", "yaml", {"line": line, "problem": problem})]
        ) from broken
    except TooNested as deep:
        raise _too_nested(deep) from deep
    except RecursionError as deep:  # a thread with a smaller stack than the main one
        raise _too_nested(TooNested("depth", MAX_DEPTH)) from deep
    return parse_protocol(data)


def dump_protocol(protocol: Protocol) -> str:
    """The document as YAML, in a stable form (used for storage and diffs)."""
    return yaml.safe_dump(
        protocol.model_dump(mode="json", exclude_defaults=True),
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
