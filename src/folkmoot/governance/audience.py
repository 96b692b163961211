"""Who may do what (FOR-1, MEM-1, VOTE-10): whether a person is in an audience the protocol
names, and the forum permissions built on it. Every refusal says which audience was needed,
so the interface can say "only coordinators may reply in Announcements"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from .eligibility import age_on
from .protocol import Audience, DecisionKind, LocalizedText, Power, Protocol
from .reasons import Answer, Reason, combine, gettext_noop


@dataclass(frozen=True, slots=True)
class Viewer:
    """What the rules may know about a person in one assembly. `status` is None when they
    do not belong to it; `seniority_days` counts continuous membership (MEM-3)."""

    authenticated: bool = False
    status: Literal["participant", "member"] | None = None
    offices: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    birth_date: date | None = None
    attributes: frozenset[str] = frozenset()
    seniority_days: int | None = None
    # SAN-6: a sanction in force now (computed from its facts by `sanctions.sanction_in_force`)
    sanctioned_until: datetime | None = None
    sanction_reason: str = ""
    # Issue 13: the assembly was closed on this day; its record is read, nobody acts in it.
    closed_on: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


ANONYMOUS = Viewer()


def _matches(term: str, viewer: Viewer) -> bool:
    if term == "anonymous":
        return True
    if term == "platform":
        return viewer.authenticated
    if term == "participant":
        return viewer.status is not None
    if term == "citizen":
        return viewer.status == "member"
    kind, _, name = term.partition(":")
    if kind == "office":
        return name in viewer.offices
    if kind == "group":
        return name in viewer.groups
    return False


@dataclass(frozen=True, slots=True)
class Named:
    """A reason parameter naming something the protocol declares, shown in the reader's
    language."""

    text: LocalizedText

    def render(self, translate: Any, language: str) -> str:
        return self.text.get(language)


@dataclass(frozen=True)
class Who:
    """A reason parameter listing an audience in words: "coordinators or drafters"."""

    terms: tuple[str, ...]
    names: dict[str, LocalizedText]

    def render(self, translate: Any, language: str) -> str:
        tr = translate or (lambda s: s)
        words = [
            self.names[t].get(language) if t in self.names else tr(TERM_NAMES.get(t, t))
            for t in self.terms
        ]
        if len(words) == 1:
            return words[0]
        return tr(gettext_noop("%(first)s or %(last)s")) % {
            "first": ", ".join(words[:-1]),
            "last": words[-1],
        }


def who(audience: Audience, protocol: Protocol) -> Who:
    names: dict[str, LocalizedText] = {}
    for term in audience.any_of:
        kind, _, key = term.partition(":")
        if kind == "office" and key in protocol.offices:
            names[term] = protocol.offices[key].plural or protocol.offices[key].name
        elif kind == "group" and key in protocol.groups:
            names[term] = protocol.groups[key].name
    return Who(tuple(audience.any_of), names)


TERM_NAMES = {
    "anonymous": gettext_noop("everyone"),
    "platform": gettext_noop("everyone signed in on the platform"),
    "participant": gettext_noop("participants of the assembly"),
    "citizen": gettext_noop("citizens (members) of the assembly"),
}


def in_audience(audience: Audience, viewer: Viewer, today: date) -> bool:
    if not any(_matches(term, viewer) for term in audience.any_of):
        return False
    if audience.min_age is not None or audience.max_age is not None:
        if viewer.birth_date is None:
            return False
        age = age_on(viewer.birth_date, today)
        if audience.min_age is not None and age < audience.min_age:
            return False
        if audience.max_age is not None and age > audience.max_age:
            return False
    if audience.attribute and audience.attribute not in viewer.attributes:
        return False
    return not (
        audience.min_seniority_days and (viewer.seniority_days or 0) < audience.min_seniority_days
    )


def check_audience(
    protocol: Protocol,
    audience: Audience,
    viewer: Viewer,
    today: date,
    *,
    code: str,
    template: str,
    params: dict[str, Any],
) -> Answer:
    """Allowed when the viewer is in the audience; otherwise a reason built from `template`,
    whose params include `who` (the audience in words)."""
    if in_audience(audience, viewer, today):
        return Answer.yes()
    return Answer.no(Reason(code, template, {**params, "who": who(audience, protocol)}))


def check_acting(
    protocol: Protocol,
    audience: Audience,
    viewer: Viewer,
    today: date,
    *,
    code: str,
    template: str,
    params: dict[str, Any],
) -> Answer:
    """Acting — writing, voting, proposing, standing — is `check_audience` for someone not
    under a sanction: a sanctioned person only reads until it expires (SAN-6). Nobody acts
    in a closed assembly: it is an archive (issue 13)."""
    if viewer.closed_on is not None:
        return closed(viewer.closed_on)
    if viewer.sanctioned_until is not None:
        return sanctioned(viewer)
    return check_audience(
        protocol, audience, viewer, today, code=code, template=template, params=params
    )


ForumAction = Literal["read", "open_thread", "reply"]

FORUM_REFUSALS: dict[str, str] = {
    "read": gettext_noop("You can't read %(forum)s: only %(who)s may read it."),
    "open_thread": gettext_noop("You can't open a thread in %(forum)s: only %(who)s may."),
    "reply": gettext_noop("You can't reply in %(forum)s: only %(who)s may reply there."),
}


def check_forum(
    protocol: Protocol, forum_key: str, action: ForumAction, viewer: Viewer, today: date
) -> Answer:
    """May this person read, open a thread in, or reply in this forum (FOR-1, FOR-2)? A
    forum without discussion (Announcements) takes replies only from those who may open."""
    forum = protocol.forums[forum_key]
    if action == "reply" and not forum.discussion:
        audience = forum.open_thread
    else:
        audience = getattr(forum, action)
    check = check_audience if action == "read" else check_acting
    return check(
        protocol,
        audience,
        viewer,
        today,
        code=f"forum_{action}",
        template=FORUM_REFUSALS[action],
        params={"forum": Named(forum.name)},
    )


def sanctioned(viewer: Viewer) -> Answer:
    """SAN-6: a sanctioned person cannot post, vote, stand or chat until it expires; what
    they wrote stays."""
    return Answer.no(
        Reason(
            "sanctioned",
            gettext_noop(
                "You are sanctioned in this assembly until %(until)s (%(reason)s). "
                "Everything you wrote stays."
            ),
            {"until": viewer.sanctioned_until, "reason": viewer.sanction_reason},
        )
    )


def closed(day: date) -> Answer:
    """Issue 13: the refusal of anything done in an assembly closed on `day`."""
    return Answer.no(
        Reason(
            "assembly_closed",
            gettext_noop(
                "This assembly was closed on %(date)s: what it wrote and decided stays "
                "readable, and nothing new is done in it."
            ),
            {"date": day},
        )
    )


def may_read(protocol: Protocol, forum_key: str, viewer: Viewer, today: date) -> Answer:
    return check_forum(protocol, forum_key, "read", viewer, today)


def may_open_thread(protocol: Protocol, forum_key: str, viewer: Viewer, today: date) -> Answer:
    return check_forum(protocol, forum_key, "open_thread", viewer, today)


def may_reply(protocol: Protocol, forum_key: str, viewer: Viewer, today: date) -> Answer:
    return check_forum(protocol, forum_key, "reply", viewer, today)


def _acting_on(
    protocol: Protocol,
    kind: DecisionKind,
    audience: Audience,
    viewer: Viewer,
    today: date,
    code: str,
    template: str,
) -> Answer:
    """Someone of `audience` acting on a decision of `kind`; a refusal names the kind."""
    return check_acting(
        protocol,
        audience,
        viewer,
        today,
        code=code,
        template=template,
        params={"kind": Named(kind.name)},
    )


def may_vote(protocol: Protocol, kind_key: str, viewer: Viewer, today: date) -> Answer:
    """Is this person in the electorate of this kind of decision (VOTE-2, VOTE-5)?"""
    kind = protocol.decision_kinds[kind_key]
    return _acting_on(
        protocol,
        kind,
        kind.voters,
        viewer,
        today,
        "not_in_electorate",
        gettext_noop("Only %(who)s may vote in: %(kind)s."),
    )


def may_propose(protocol: Protocol, kind_key: str, viewer: Viewer, today: date) -> Answer:
    kind = protocol.decision_kinds[kind_key]
    return _acting_on(
        protocol,
        kind,
        kind.proposers,
        viewer,
        today,
        "may_not_propose",
        gettext_noop("Only %(who)s may propose: %(kind)s."),
    )


def may_launch(protocol: Protocol, kind_key: str, viewer: Viewer, today: date) -> Answer:
    """VOTE-3: who launches a vote of this kind (RED15M: a coordinator)."""
    kind = protocol.decision_kinds[kind_key]
    return _acting_on(
        protocol,
        kind,
        kind.launched_by,
        viewer,
        today,
        "may_not_launch",
        gettext_noop("Only %(who)s may launch: %(kind)s."),
    )


def may_validate(protocol: Protocol, kind_key: str, viewer: Viewer, today: date) -> Answer:
    """Art. 7.1 (RED15M): a holder of an office with the validate_polls power validates a
    proposal of a kind `validated_alone` on their own; it skips its support stage."""
    kind = protocol.decision_kinds[kind_key]
    if not kind.validated_alone:
        return Answer.no(
            Reason(
                "not_validated_alone",
                gettext_noop("Nobody validates a %(kind)s alone: it gathers its supports."),
                {"kind": Named(kind.name)},
            )
        )
    offices = [k for k, o in protocol.offices.items() if Power.VALIDATE_POLLS in o.powers]
    if not offices:
        return Answer.no(
            Reason(
                "nobody_validates",
                gettext_noop("No office of this protocol may validate polls."),
            )
        )
    return _acting_on(
        protocol,
        kind,
        Audience(any_of=[f"office:{k}" for k in offices]),
        viewer,
        today,
        "may_not_validate",
        gettext_noop("Only %(who)s may validate: %(kind)s."),
    )


def may_approve_text(protocol: Protocol, kind_key: str, viewer: Viewer, today: date) -> Answer:
    """VOTE-3, OFF-2: a holder of the kind's drafting office approves the text."""
    kind = protocol.decision_kinds[kind_key]
    if kind.drafting is None:
        return Answer.no(
            Reason(
                "no_drafting",
                gettext_noop("Decisions of this kind need no approval of their text."),
            )
        )
    return _acting_on(
        protocol,
        kind,
        Audience(any_of=[f"office:{kind.drafting.office}"]),
        viewer,
        today,
        "may_not_approve_text",
        gettext_noop("Only %(who)s may approve the text of: %(kind)s."),
    )


def may_vote_in_election(
    protocol: Protocol, office_key: str, viewer: Viewer, today: date
) -> Answer:
    """VOTE-10: office elections are for citizens with enough continuous membership; a
    citizen who is short of it is told how many days they have and need."""
    office = protocol.offices[office_key]
    electorate = office.electorate
    if viewer.closed_on is not None:
        return closed(viewer.closed_on)
    if viewer.sanctioned_until is not None:
        return sanctioned(viewer)
    short_of_seniority = (
        electorate.min_seniority_days is not None
        and (viewer.seniority_days or 0) < electorate.min_seniority_days
        and in_audience(electorate.model_copy(update={"min_seniority_days": None}), viewer, today)
    )
    if short_of_seniority:
        return Answer.no(
            Reason(
                "election_seniority",
                gettext_noop(
                    "Voting in the election of %(office)s needs %(required)s days of "
                    "continuous membership; you have %(days)s."
                ),
                {
                    "office": Named(office.name),
                    "required": electorate.min_seniority_days,
                    "days": viewer.seniority_days or 0,
                },
            )
        )
    return check_audience(
        protocol,
        electorate,
        viewer,
        today,
        code="not_in_election_electorate",
        template=gettext_noop("Only %(who)s may vote in the election of %(office)s."),
        params={"office": Named(office.name)},
    )


def may_stand(protocol: Protocol, office_key: str, viewer: Viewer, today: date) -> Answer:
    office = protocol.offices[office_key]
    return check_acting(
        protocol,
        office.candidates,
        viewer,
        today,
        code="may_not_stand",
        template=gettext_noop("Only %(who)s may stand for %(office)s."),
        params={"office": Named(office.name)},
    )


def has_power(protocol: Protocol, viewer: Viewer, power: str) -> bool:
    """Office powers follow the current holders (OFF-1)."""
    return any(power in protocol.offices[o].powers for o in viewer.offices if o in protocol.offices)


def check_chat(
    protocol: Protocol, room_key: str, action: Literal["read", "write"], viewer: Viewer, today: date
) -> Answer:
    """May this person read, or write in, this chat room? A sanctioned person writes nothing
    until the sanction expires (SAN-6), here as in the forums."""
    room = protocol.chat_rooms[room_key]
    template = (
        gettext_noop("You can't read %(room)s: only %(who)s may.")
        if action == "read"
        else gettext_noop("You can't write in %(room)s: only %(who)s may.")
    )
    check = check_audience if action == "read" else check_acting
    return check(
        protocol,
        getattr(room, action),
        viewer,
        today,
        code=f"chat_{action}",
        template=template,
        params={"room": Named(room.name)},
    )


def check_candidacy(
    protocol: Protocol,
    office_key: str,
    viewer: Viewer,
    today: date,
    *,
    vacancies: int,
    voting_now: bool = False,
    preparing: bool = False,
) -> Answer:
    """OFF-3: anyone the protocol lets stand may do so for the next election of an office that
    has a calendar (a declared race), or at any time for a vacant seat. One person may stand
    for several offices. While an election is being voted, its ballot is fixed: the race is
    closed until the next one; so is it while a sealed election is prepared (`preparing`,
    issue 16), for its guardians' key is made for the candidates then standing."""
    office = protocol.offices[office_key]
    answer = may_stand(protocol, office_key, viewer, today)
    if office.election is not None and preparing and not voting_now:
        return combine(
            answer,
            Answer.no(
                Reason(
                    "race_sealing",
                    gettext_noop(
                        "The ballot of this sealed election is fixed while its guardians make"
                        " its key: candidacies open again when it closes."
                    ),
                )
            ),
        )
    if office.election is not None and voting_now:
        return combine(
            answer,
            Answer.no(
                Reason(
                    "race_under_way",
                    gettext_noop(
                        "The election is being voted: candidacies open again when it closes."
                    ),
                )
            ),
        )
    if not answer or office.election is not None:  # an office with a calendar: a declared race
        return answer
    if vacancies > 0 and office.stand_any_time_for_vacancy:
        return Answer.yes()
    if vacancies > 0:
        return Answer.no(
            Reason(
                "no_race",
                gettext_noop("Candidacies for this office open only with a declared race."),
            )
        )
    return Answer.no(
        Reason(
            "no_vacancy",
            gettext_noop("Every seat of %(office)s is filled and no election is declared."),
            {"office": Named(office.name)},
        )
    )


def check_within(protocol: Protocol, kind_key: str, within: str, viewer: Viewer) -> Answer:
    """VOTE-2, art. 9.4: an internal vote names the office or group it is internal to, one
    the proposer holds or belongs to, among those its kind lets propose; any other kind
    names none."""
    kind = protocol.decision_kinds[kind_key]
    if not kind.internal:
        if within:
            return Answer.no(
                Reason(
                    "not_internal",
                    gettext_noop("Only an internal vote is held within an office or a group."),
                )
            )
        return Answer.yes()
    terms = [t for t in kind.proposers.any_of if t.startswith(("office:", "group:"))]
    if within not in terms or not _matches(within, viewer):
        return Answer.no(
            Reason(
                "within_own",
                gettext_noop(
                    "An internal vote is held within an office you hold or a group you belong "
                    "to: choose which."
                ),
            )
        )
    return Answer.yes()
