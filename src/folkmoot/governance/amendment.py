"""Changing the rules (PRO-2, PRO-3): whether an amendment is carried, and which version of
the protocol is in force."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from .audience import Named
from .protocol import AmendmentRule, Protocol
from .reasons import Answer, Reason, combine, gettext_noop


@dataclass(frozen=True, slots=True)
class AmendmentTally:
    """What the amendment gathered: office approvals given in that capacity, and the vote.
    Blank votes are outside the percentages (VOTE-9); `consensus` is for protocols that
    amend by consensus."""

    office_approvals: int = 0
    yes: int = 0
    no: int = 0
    blank: int = 0
    consensus: bool | None = None


def approvals_needed(rule: AmendmentRule, seats: int) -> int:
    approval = rule.office_approval
    if approval is None:
        return 0
    if approval.rule == "absolute_majority":
        return seats // 2 + 1
    if approval.rule == "all":
        return seats
    return approval.count or 0


def check_office_approval(protocol: Protocol, rule: AmendmentRule, approvals: int) -> Answer:
    if rule.office_approval is None:
        return Answer.yes()
    office = protocol.offices[rule.office_approval.office]
    needed = approvals_needed(rule, office.seats)
    if approvals >= needed:
        return Answer.yes()
    return Answer.no(
        Reason(
            "amendment_office_approval",
            gettext_noop("It needs the approval of %(needed)s %(office)s; it has %(have)s."),
            {"needed": needed, "office": Named(office.plural or office.name), "have": approvals},
        )
    )


def check_vote(rule: AmendmentRule, tally: AmendmentTally) -> Answer:
    voters = tally.yes + tally.no
    if rule.vote == "consensus":
        if tally.consensus:
            return Answer.yes()
        return Answer.no(
            Reason("amendment_no_consensus", gettext_noop("It has not reached consensus."))
        )
    if rule.vote == "half_plus_one_of_voters":
        needed = voters // 2 + 1
        if voters and tally.yes >= needed:
            return Answer.yes()
        return Answer.no(
            Reason(
                "amendment_half_plus_one",
                gettext_noop(
                    "It needs at least half plus one of those voting (%(needed)s of %(voters)s); "
                    "it has %(yes)s."
                ),
                {"needed": needed, "voters": voters, "yes": tally.yes},
            )
        )
    if tally.yes > tally.no:
        return Answer.yes()
    return Answer.no(
        Reason(
            "amendment_simple_majority",
            gettext_noop(
                "It needs more votes for than against; it has %(yes)s for and %(no)s against."
            ),
            {"yes": tally.yes, "no": tally.no},
        )
    )


def amendment_carried(
    protocol: Protocol, which: Literal["total", "partial"], tally: AmendmentTally
) -> Answer:
    """PRO-2. RED15M: a total amendment needs an absolute majority of coordinators and a
    referendum won by at least half plus one of those voting; a partial one a simple
    majority and 3 coordinators. Every unmet condition is reported."""
    rule: AmendmentRule = getattr(protocol.amendments, which)
    return combine(
        check_office_approval(protocol, rule, tally.office_approvals), check_vote(rule, tally)
    )


@dataclass(frozen=True, slots=True)
class AdoptedVersion:
    number: int
    adopted_at: datetime


def version_in_force(versions: Sequence[AdoptedVersion], now: datetime) -> AdoptedVersion | None:
    """PRO-3: the most recently adopted version prevails; one adopted for a future moment is
    not yet in force. Equal times go to the higher number (the later decision)."""
    adopted = [v for v in versions if v.adopted_at <= now]
    return max(adopted, key=lambda v: (v.adopted_at, v.number), default=None)


# --- which decision carries a partial amendment (art. 3 FOR-5, art. 8.6 OFF-5) ---------------


@dataclass(frozen=True, slots=True)
class Route:
    """The decision kind a partial amendment must be proposed as, and the reason: the
    protocol's partial kind, or the kind its `forum_changes` / an office's
    `seat_changes_need` names when the change touches those rules."""

    kind: str
    reason: Reason | None = None


# An office's seats and terms (art. 8.6: "número de electos ... o sus periodos electorales").
_SEAT_FIELDS = ("seats", "term_days", "election")


def _seating(office: Any) -> tuple[Any, ...] | None:
    return None if office is None else tuple(getattr(office, f) for f in _SEAT_FIELDS)


def touched_offices(old: Protocol, new: Protocol) -> list[str]:
    """Offices whose seats, term or election calendar the change alters, or that it creates
    or removes."""
    keys = [*old.offices, *(k for k in new.offices if k not in old.offices)]
    return [k for k in keys if _seating(old.offices.get(k)) != _seating(new.offices.get(k))]


def _other_rules(protocol: Protocol) -> dict[str, Any]:
    """The protocol without its forums and its offices' seats and terms: what an ordinary
    partial amendment changes."""
    data = protocol.model_dump()
    data.pop("forums")
    data.pop("version")  # any amendment may name its new version
    for office in data["offices"].values():
        for field in _SEAT_FIELDS:
            office.pop(field)
    return data


def amendment_routes(old: Protocol, new: Protocol) -> list[Route]:
    """Art. 3 (FOR-5): creating, changing or deleting forums is for a binding referendum;
    art. 8.6 (OFF-5): so is changing an office's seats or terms. Each touched part names its
    kind; nothing touched but other rules: the partial amendment's own kind."""
    routes: list[Route] = []
    if old.forum_changes is not None and old.forums != new.forums:
        routes.append(
            Route(
                old.forum_changes.decision_kind,
                Reason(
                    "forum_change_route",
                    gettext_noop(
                        "Creating, changing or deleting forums is decided by %(kind)s: "
                        "propose the change as one."
                    ),
                    {"kind": Named(old.decision_kinds[old.forum_changes.decision_kind].name)},
                ),
            )
        )
    for key in touched_offices(old, new):
        rule = old.offices.get(key) or new.offices[key]
        need = rule.seat_changes_need
        if need is not None and need in old.decision_kinds:
            routes.append(
                Route(
                    need,
                    Reason(
                        "seat_change_route",
                        gettext_noop(
                            "Changing the seats or the term of %(office)s is decided by "
                            "%(kind)s: propose the change as one."
                        ),
                        {
                            "office": Named(rule.plural or rule.name),
                            "kind": Named(old.decision_kinds[need].name),
                        },
                    ),
                )
            )
    # Anything else changed is the ordinary partial amendment's: mixed with a part reserved
    # for a referendum, the amendment is split (an urgent change of forums puts only forums
    # in force before its referendum).
    if not routes or _other_rules(old) != _other_rules(new):
        routes.append(Route(old.amendments.partial.decision_kind))
    return routes


def check_amendment_route(old: Protocol, new: Protocol, kind_key: str) -> Answer:
    """May a partial amendment from `old` to `new` be proposed as a decision of `kind_key`?
    Every touched part must be for that kind; one whose parts are for different kinds is
    split in two. A kind meant for forums or seats carries only such changes."""
    routes = amendment_routes(old, new)
    wrong = [r.reason for r in routes if r.kind != kind_key and r.reason is not None]
    if wrong:
        return Answer.no(*wrong)
    if any(r.kind != kind_key for r in routes):
        return Answer.no(
            Reason(
                "partial_route",
                gettext_noop(
                    "A decision of this kind changes only what the protocol reserves for it; "
                    "propose the other changes as %(kind)s."
                ),
                {"kind": Named(old.decision_kinds[old.amendments.partial.decision_kind].name)},
            )
        )
    return Answer.yes()


def partial_kinds(protocol: Protocol) -> set[str]:
    """Every kind that may carry a partial amendment."""
    kinds = {protocol.amendments.partial.decision_kind}
    if protocol.forum_changes is not None:
        kinds.add(protocol.forum_changes.decision_kind)
    kinds |= {o.seat_changes_need for o in protocol.offices.values() if o.seat_changes_need}
    return kinds


# --- the latest referendum prevails (preamble ¶3, PRO-3) --------------------------------------

_ABSENT = object()


def rebase(
    base: Any, current: Any, proposed: Any, path: str = "", *, current_wins: bool = False
) -> tuple[Any, list[str]]:
    """A partial amendment was written against `base`; another was adopted since, giving
    `current`. Its own changes (base → proposed) are carried over onto `current`, and what
    it did not change keeps the later adoption's value, so adopting it does not silently
    undo the other. Where both changed the same rule differently, the amendment adopted now
    wins (the latest referendum prevails) and the path is listed as a conflict. Documents
    are plain data (YAML loaded); a missing key is `_ABSENT` (deleted). `current_wins`: on a
    conflict the version in force keeps its value (undoing a lapsed change must not undo a
    later decision)."""
    if proposed == base:
        return current, []
    if current in (base, proposed):
        return proposed, []
    if all(isinstance(v, dict) for v in (base, current, proposed)):
        merged: dict[str, Any] = {}
        conflicts: list[str] = []
        for key in [*current, *(k for k in proposed if k not in current)]:
            value, more = rebase(
                base.get(key, _ABSENT),
                current.get(key, _ABSENT),
                proposed.get(key, _ABSENT),
                f"{path}.{key}" if path else str(key),
                current_wins=current_wins,
            )
            conflicts += more
            if value is not _ABSENT:
                merged[key] = value
        return merged, conflicts
    return current if current_wins else proposed, [path or "(the whole document)"]


def check_latest_prevails(protocol: Protocol, conflicts: list[str]) -> Answer:
    """With `latest_referendum_prevails` (RED15M preamble ¶3), an amendment adopted later
    wins on the rules it changes; without it, one that changes a rule changed by another
    since it was proposed is not adopted: the earlier decision stands."""
    if not conflicts or protocol.amendments.latest_referendum_prevails:
        return Answer.yes()
    return Answer.no(
        Reason(
            "amendment_conflict",
            gettext_noop(
                "Another amendment changed the same rules since this one was proposed "
                "(%(rules)s), and this protocol keeps the earlier decision."
            ),
            {"rules": ", ".join(conflicts)},
        )
    )


# --- art. 3: an urgent change of forums ----------------------------------------------------------


def urgent_change_agreed(holders: frozenset[Any], agreed: frozenset[Any]) -> bool:
    """Art. 3 ("la totalidad de Coordinadores"): every holder of the office now, and at
    least one; one who left office since agreeing does not count, nor stand in the way."""
    return bool(holders) and holders <= agreed


def ratify_by(protocol: Protocol, applied_at: datetime) -> datetime | None:
    """Art. 3 ("luego se pedirá la aprobación ... en dicho Referendum"): by when the
    referendum of an urgent change put in force at `applied_at` must open; None: the
    protocol sets no limit (`forum_changes.ratify_within_days`)."""
    rule = protocol.forum_changes
    if rule is None or rule.ratify_within_days is None:
        return None
    return applied_at + timedelta(days=rule.ratify_within_days)


def urgent_change_lapses(
    protocol: Protocol,
    *,
    applied_at: datetime,
    referendum_opened_at: datetime | None,
    now: datetime,
) -> bool:
    """Does an urgent change in force since `applied_at` lapse now, its referendum unopened?
    Once the time to ratify it has passed, yes when no vote of its referendum opened by
    then: never launched (the proposal waits, or expired), or launched too late. A
    referendum that opened in time decides instead, at its close (ratified, or lapsing)."""
    deadline = ratify_by(protocol, applied_at)
    if deadline is None or now < deadline:
        return False
    return referendum_opened_at is None or referendum_opened_at > deadline


def check_urgent_agreement(
    protocol: Protocol,
    offices: frozenset[str],
    *,
    changes_forums: bool,
    open_: bool,
    applied: bool,
    lapsed: bool = False,
) -> Answer:
    """May a person holding `offices` agree to apply this amendment at once (art. 3)? Only a
    partial amendment changing forums, under a protocol naming who applies such changes
    urgently, before its vote has closed, and once; not again once it lapsed."""
    rule = protocol.forum_changes
    if rule is None or rule.urgent_office is None or not changes_forums:
        return Answer.no(
            Reason(
                "no_urgent_change",
                gettext_noop("Only a change of forums may be applied urgently, before its vote."),
            )
        )
    office = protocol.offices[rule.urgent_office]
    answers = []
    if rule.urgent_office not in offices:
        answers.append(
            Answer.no(
                Reason(
                    "urgent_office_only",
                    gettext_noop("Only %(office)s agree to apply a change urgently."),
                    {"office": Named(office.plural or office.name)},
                )
            )
        )
    if lapsed:
        answers.append(
            Answer.no(
                Reason(
                    "urgent_lapsed",
                    gettext_noop(
                        "Its urgent application lapsed: only its referendum can put it in force now."
                    ),
                )
            )
        )
    elif applied:
        answers.append(
            Answer.no(
                Reason(
                    "urgent_applied",
                    gettext_noop("It is already in force, until its referendum ratifies it."),
                )
            )
        )
    elif not open_:
        answers.append(
            Answer.no(
                Reason(
                    "urgent_too_late",
                    gettext_noop("It is decided or withdrawn: too late to apply it urgently."),
                )
            )
        )
    return combine(*answers)


# --- art. 9.5: an Amendment rectifies an earlier decision ----------------------------------------


def check_rectify(protocol: Protocol, kind_key: str, *, found: bool, amendment: str) -> Answer:
    """VOTE-2, art. 9.5: an Amendment (the kind the protocol amends by) may rectify an earlier
    decision of the same assembly (`found`); it does not also change the protocol."""
    if not found:
        return Answer.no(
            Reason("no_such_decision", gettext_noop("There is no such decision in this assembly."))
        )
    partial = protocol.amendments.partial.decision_kind
    if kind_key != partial:
        return Answer.no(
            Reason(
                "not_rectifying_kind",
                gettext_noop("Only %(kind)s rectifies an earlier decision."),
                {"kind": Named(protocol.decision_kinds[partial].name)},
            )
        )
    if amendment:
        return Answer.no(
            Reason(
                "rectify_or_amend",
                gettext_noop(
                    "An amendment rectifies a decision or changes the protocol, not both."
                ),
            )
        )
    return Answer.yes()
