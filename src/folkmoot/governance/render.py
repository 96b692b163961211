"""The protocol as readable text (issue 3): Markdown in the reader's language, so members
can read the rules they live under. Sentence templates are translated by the caller's
`translate` (gettext); names come from the protocol's own four-language texts."""

from __future__ import annotations

from collections.abc import Callable

from .audience import who
from .protocol import Audience, DecisionKind, Forum, Office, Protocol, Sealing
from .reasons import gettext_noop

Translate = Callable[[str], str]

WEEKDAYS = {
    "monday": gettext_noop("Monday"),
    "tuesday": gettext_noop("Tuesday"),
    "wednesday": gettext_noop("Wednesday"),
    "thursday": gettext_noop("Thursday"),
    "friday": gettext_noop("Friday"),
    "saturday": gettext_noop("Saturday"),
    "sunday": gettext_noop("Sunday"),
}
POWERS = {
    "moderate": gettext_noop("moderate forums and chats"),
    "sanction": gettext_noop("impose sanctions"),
    "launch_votes": gettext_noop("launch votes"),
    "approve_drafts": gettext_noop("approve drafts"),
    "approve_designs": gettext_noop("approve designs"),
    "support_proposals": gettext_noop("support proposals in the office's name"),
    "manage_members": gettext_noop("manage members"),
    "validate_polls": gettext_noop("give polls validity"),
}
METHODS = {
    "choice": gettext_noop("single choice"),
    "yes_no": gettext_noop("yes / no"),
    "star": gettext_noop("STAR ballot"),
    "bloc_star": gettext_noop("Bloc STAR"),
    "allocated_score": gettext_noop("Allocated Score"),
    "approval": gettext_noop("approval voting"),
    "consensus": gettext_noop("consensus, then a vote"),
    "top_n": gettext_noop("the candidates with most votes"),
    "appointed": gettext_noop("appointment"),
}


class Renderer:
    def __init__(self, protocol: Protocol, language: str, translate: Translate | None) -> None:
        self.p = protocol
        self.lang = language
        self.tr: Translate = translate or (lambda s: s)
        self.lines: list[str] = []

    def t(self, template: str, **params: object) -> str:
        text = self.tr(template)
        return text % params if params else text

    def who(self, audience: Audience) -> str:
        words = who(audience, self.p).render(self.tr, self.lang)
        extra = []
        if audience.min_age is not None or audience.max_age is not None:
            extra.append(
                self.t(
                    gettext_noop("aged %(min)s–%(max)s"),
                    min=audience.min_age or 0,
                    max=audience.max_age or "∞",
                )
            )
        if audience.min_seniority_days:
            extra.append(
                self.t(
                    gettext_noop("with %(days)s days of continuous membership"),
                    days=audience.min_seniority_days,
                )
            )
        if audience.attribute:
            extra.append(
                self.t(gettext_noop("who declare “%(attribute)s”"), attribute=audience.attribute)
            )
        return words + (" (" + ", ".join(extra) + ")" if extra else "")

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def item(self, template: str, **params: object) -> None:
        """A list item: one translated sentence."""
        self.add("- " + self.t(template, **params))

    def sealing(self, sealed: Sealing) -> None:
        """Issue 16: who opens a sealed vote's ballots, and when its key is made."""
        guardians = self.p.offices[sealed.guardians]
        self.item(
            gettext_noop(
                "Sealed ballots: sealed on each voter's device, opened only by %(threshold)s "
                "of its %(office)s together after each has shuffled them; the key is made "
                "and voting keys registered in the %(hours)s hours before voting opens"
            ),
            threshold=sealed.threshold or self.t(gettext_noop("a majority")),
            office=guardians.plural.get(self.lang)
            if guardians.plural
            else guardians.name.get(self.lang),
            hours=_num(sealed.prepare_hours),
        )

    def office(self, key: str, office: Office) -> None:
        self.add(f"### {office.name.get(self.lang)}")
        if office.description:
            self.add(office.description.get(self.lang))
            self.add()
        self.item(gettext_noop("Seats: %(seats)s"), seats=office.seats)
        if office.term_days:
            self.item(gettext_noop("Term: %(days)s days"), days=office.term_days)
        if office.election is not None:
            e = office.election
            self.item(
                gettext_noop(
                    "Elections every %(every)s days, opening %(weekday)s at %(time)s for %(hours)s hours"
                ),
                every=e.every_days,
                weekday=self.tr(WEEKDAYS[e.opens_on.value]),
                time=e.opens_at.strftime("%H:%M"),
                hours=e.duration_hours,
            )
        self.item(
            gettext_noop("Chosen by: %(method)s"), method=self.tr(METHODS[office.voting_method])
        )
        if office.elected:
            self.item(gettext_noop("Who votes: %(who)s"), who=self.who(office.electorate))
            self.item(gettext_noop("Who may stand: %(who)s"), who=self.who(office.candidates))
        if office.sealed is not None:
            self.sealing(office.sealed)
            self.item(
                gettext_noop("Candidacies close when the key is begun, %(hours)s hours before"),
                hours=_num(office.sealed.prepare_hours),
            )
        if office.public_record:
            self.item(
                gettext_noop(
                    "Who held it is a public record: a holder's name stays on it after they "
                    "erase their account"
                )
            )
        if office.powers:
            self.item(
                gettext_noop("Powers: %(powers)s"),
                powers=", ".join(self.tr(POWERS[p.value]) for p in office.powers),
            )
        if office.inactivity_notice_days:
            self.item(
                gettext_noop("A holder inactive for more than %(days)s days must say so."),
                days=office.inactivity_notice_days,
            )
        if office.suspension is not None:
            s = office.suspension
            self.item(
                gettext_noop(
                    "A holder who breaks the protocol and does not resign is suspended %(days)s days, "
                    "×%(multiplier)s on each repeat, indefinitely after %(repeats)s repeats."
                ),
                days=s.first_days,
                multiplier=s.multiplier,
                repeats=s.indefinite_after,
            )
        if office.misconduct is not None:
            m = office.misconduct
            self.item(
                gettext_noop(
                    "Misconduct in office: %(min)s–%(max)s days, ×%(multiplier)s on repeat, "
                    "served on the next election to the office, in which the holder may not stand."
                ),
                min=m.min_days,
                max=m.max_days,
                multiplier=m.repeat_multiplier,
            )
            if m.permanent_after is not None:
                self.item(
                    gettext_noop("After %(repeats)s repeats, never again: barred from the office."),
                    repeats=m.permanent_after,
                )
        if office.recalled_by is not None and office.recalled_by in self.p.decision_kinds:
            self.item(
                gettext_noop(
                    "A holder may be recalled by %(kind)s; the seat then passes as on resignation."
                ),
                kind=self.p.decision_kinds[office.recalled_by].name.get(self.lang),
            )
        self.add()

    def forum(self, key: str, forum: Forum) -> None:
        self.add(f"### {forum.name.get(self.lang)}")
        if forum.description:
            self.add(forum.description.get(self.lang))
            self.add()
        self.item(gettext_noop("Read: %(who)s"), who=self.who(forum.read))
        if forum.expires_after_days is not None and self.p.archival is not None:
            self.item(
                gettext_noop("Threads opened here go to the trash after %(days)s days."),
                days=forum.expires_after_days,
            )
        self.item(gettext_noop("Open a thread: %(who)s"), who=self.who(forum.open_thread))
        if forum.discussion:
            self.item(gettext_noop("Reply: %(who)s"), who=self.who(forum.reply))
        else:
            self.item(gettext_noop("No discussion: only those who open threads write here."))
        if forum.tags:
            label = (
                gettext_noop("Tags (one is required): %(tags)s")
                if forum.tag_required
                else gettext_noop("Tags: %(tags)s")
            )
            self.item(label, tags=" ".join(f"`{tag}`" for tag in forum.tags))
        self.add()

    def forum_changes(self, p: Protocol) -> None:
        """Art. 3 (FOR-5): who decides on the forums, and the urgent path."""
        rule = p.forum_changes
        assert rule is not None
        kind = p.decision_kinds.get(rule.decision_kind)
        if kind is not None:
            self.item(
                gettext_noop("Creating, changing or deleting forums is decided by %(kind)s."),
                kind=kind.name.get(self.lang),
            )
        if rule.urgent_office is not None and rule.urgent_office in p.offices:
            office = p.offices[rule.urgent_office]
            self.item(
                gettext_noop(
                    "Urgently, once every one of the %(office)s agrees, a change of forums is "
                    "in force at once; its referendum then ratifies it, or it lapses."
                ),
                office=(office.plural or office.name).get(self.lang),
            )
            if rule.ratify_within_days is not None:
                self.item(
                    gettext_noop(
                        "An urgent change lapses if its referendum has not opened within "
                        "%(days)s days of its coming into force."
                    ),
                    days=rule.ratify_within_days,
                )
        self.add()

    def kind(self, key: str, kind: DecisionKind) -> None:
        self.add(f"### {kind.name.get(self.lang)}" + (f" `{kind.tag}`" if kind.tag else ""))
        if kind.description:
            self.add(kind.description.get(self.lang))
            self.add()
        self.item(
            gettext_noop("Binding") if kind.binding else gettext_noop("Not binding (consultative)")
        )
        self.item(gettext_noop("Proposed by: %(who)s"), who=self.who(kind.proposers))
        self.item(gettext_noop("Voters: %(who)s"), who=self.who(kind.voters))
        if kind.scope == "platform":
            self.item(gettext_noop("May be opened to the whole platform"))
        self.item(
            gettext_noop("Secret ballot")
            if kind.secret
            else gettext_noop("Public vote: everyone sees who voted what")
        )
        self.item(gettext_noop("Method: %(method)s"), method=self.tr(METHODS[kind.method]))
        if kind.multi_question:
            self.item(gettext_noop("Several questions on one ballot, each with its own result"))
        if kind.internal:
            self.item(
                gettext_noop(
                    "Internal: held within the proposer's own office or group, whose holders "
                    "or members vote"
                )
            )
        if kind.makes_project:
            self.item(
                gettext_noop(
                    "Carried, it becomes an official project, followed in the register until done"
                )
            )
        if kind.debate is not None:
            self.item(gettext_noop("Debate: %(days)s days"), days=_num(kind.debate.days))
        for support in kind.supports:
            office = self.p.offices[support.office]
            self.add(
                "- "
                + self.t(
                    gettext_noop("Needs %(count)s supports “+1 as %(office)s”"),
                    count=support.count,
                    office=office.name.get(self.lang),
                )
                + (
                    " " + self.t(gettext_noop("(ends the debate early)"))
                    if kind.debate and kind.debate.ends_early_with_support
                    else ""
                )
            )
        if kind.text_amendments is not None:
            if kind.text_amendments.competing_supports is not None:
                self.item(
                    gettext_noop(
                        "Members may amend its text while it is debated; a rejected amendment "
                        "that %(count)s members support goes to the vote as a competing option"
                    ),
                    count=kind.text_amendments.competing_supports,
                )
            else:
                self.item(gettext_noop("Members may amend its text while it is debated"))
        if kind.sealed is not None:
            self.sealing(kind.sealed)
        if kind.weekly:
            self.item(gettext_noop("Launched one a week, in order of arrival"))
        if kind.validated_alone:
            self.item(
                gettext_noop(
                    "An office holder who may validate polls may validate it alone: it then "
                    "needs no supports"
                )
            )
        if kind.launch_delay_hours:
            self.item(
                gettext_noop("Launched no sooner than %(hours)s hours after the last support"),
                hours=_num(kind.launch_delay_hours),
            )
        if kind.drafting is not None:
            office = self.p.offices[kind.drafting.office]
            self.item(
                gettext_noop("The text must be approved by %(count)s %(office)s"),
                count=kind.drafting.approvals,
                office=(office.plural or office.name).get(self.lang),
            )
        v = kind.voting
        self.item(
            gettext_noop("Voting: %(min)s–%(max)s days (usually %(default)s)"),
            min=_num(v.min_days),
            max=_num(v.max_days),
            default=_num(v.default_days),
        )
        if kind.urgent is not None:
            self.item(
                gettext_noop(
                    "Urgent when the event is less than %(hours)s hours away; nothing known less than %(scope)s hours ahead"
                ),
                hours=kind.urgent.event_within_hours,
                scope=kind.urgent.out_of_scope_hours,
            )
        self.item(gettext_noop("Launched by: %(who)s"), who=self.who(kind.launched_by))
        val = kind.validity
        if val.ask_validity:
            self.item(
                gettext_noop(
                    "Voters also say whether the vote is valid; it is void when null answers exceed %(share)s%%"
                ),
                share=_pct(val.void_when_null_share_over),
            )
        if kind.method in ("choice", "yes_no"):
            self.item(
                gettext_noop(
                    "Carried with more than %(two)s%% (more than %(more)s%% with more than two options); blank votes are not counted"
                ),
                two=_pct(val.threshold_two_options),
                more=_pct(val.threshold_more_options),
            )
        if kind.consensus is not None:
            self.item(
                gettext_noop("Consensus rounds: %(rounds)s, then %(method)s"),
                rounds=kind.consensus.rounds,
                method=self.tr(METHODS[kind.consensus.fallback_method]),
            )
            c = kind.consensus
            public = c.responses_public if c.responses_public is not None else c.blocks_public
            if public:
                self.item(
                    gettext_noop("Each response and its reason are public")
                    if c.blocks_public
                    else gettext_noop("Each response and its reason are public, except who blocks")
                )
            elif c.blocks_public:
                self.item(gettext_noop("Who blocks, and why, is public"))
        self.add()

    def founding(self, p: Protocol) -> None:
        f = p.founding
        assert f is not None
        self.add("## " + self.t(gettext_noop("New assemblies")))
        self.add()
        self.item(gettext_noop("Proposed by: %(who)s"), who=self.who(f.proposers))
        office = p.offices[f.approved_by.office]
        if f.approved_by.assembly:
            self.item(
                gettext_noop("Approved by: the %(office)s of the assembly “%(assembly)s”"),
                office=office.name.get(self.lang),
                assembly=f.approved_by.assembly,
            )
        else:
            self.item(
                gettext_noop("Approved by: the %(office)s of the assembly it is founded in"),
                office=office.name.get(self.lang),
            )
        if f.types:
            self.item(
                gettext_noop("Types: %(types)s"),
                types=", ".join(self.tr(TYPE_NAMES[t]) for t in f.types),
            )
        self.add()

    def reshaping(self, p: Protocol) -> None:
        r = p.reshaping
        assert r is not None
        self.add("## " + self.t(gettext_noop("Moving, merging and closing assemblies")))
        self.add()
        names = {
            "move": gettext_noop("moved under another assembly"),
            "merge": gettext_noop("merged into another"),
            "close": gettext_noop("closed (archived: nothing is deleted)"),
        }
        self.item(
            gettext_noop("The assemblies inside this one may be: %(changes)s"),
            changes="; ".join(self.tr(names[k]) for k in r.allows),
        )
        self.item(
            gettext_noop("Proposed by: %(who)s, or the assembly's own secretary"),
            who=self.who(r.proposers),
        )
        office = p.offices[r.approved_by.office]
        if r.approved_by.assembly:
            self.item(
                gettext_noop("Approved by: the %(office)s of the assembly “%(assembly)s”"),
                office=office.name.get(self.lang),
                assembly=r.approved_by.assembly,
            )
        else:
            self.item(
                gettext_noop("Approved by: the %(office)s of this assembly"),
                office=office.name.get(self.lang),
            )
        self.add()

    def render(self) -> str:
        p = self.p
        self.add(f"# {p.title.get(self.lang)}")
        self.add()
        self.add(
            self.t(
                gettext_noop("Version %(version)s · times in %(zone)s"),
                version=p.version,
                zone=p.timezone,
            )
        )
        self.add()
        if p.summary:
            self.add(p.summary.get(self.lang))
            self.add()
        if p.offices:
            self.add("## " + self.t(gettext_noop("Offices")))
            self.add()
            for key, office in p.offices.items():
                self.office(key, office)
        if p.forums:
            self.add("## " + self.t(gettext_noop("Forums")))
            self.add()
            for key, forum in p.forums.items():
                self.forum(key, forum)
            if p.archival is not None:
                a = p.archival
                self.add(
                    self.t(
                        gettext_noop(
                            "Threads inactive for %(history)s days move to %(history_forum)s; threads older than "
                            "%(age)s days with no activity for %(quiet)s days move to %(trash_forum)s. Nothing is deleted."
                        ),
                        history=a.inactive_days_to_history,
                        history_forum=p.forums[a.history_forum].name.get(self.lang),
                        age=a.age_days_to_trash,
                        quiet=a.inactive_days_to_trash,
                        trash_forum=p.forums[a.trash_forum].name.get(self.lang),
                    )
                )
                self.add()
            if p.forum_changes is not None:
                self.forum_changes(p)
        if p.decision_kinds:
            self.add("## " + self.t(gettext_noop("Decisions")))
            self.add()
            for key, kind in p.decision_kinds.items():
                self.kind(key, kind)
        if p.founding is not None:
            self.founding(p)
        if p.reshaping is not None:
            self.reshaping(p)
        if p.two_step.for_powers:
            self.add("## " + self.t(gettext_noop("Signing in")))
            self.add()
            self.item(
                gettext_noop(
                    "Holders of an office that may %(powers)s sign in with a second step (a "
                    "passkey or an authenticator app) from %(days)s days after taking office."
                ),
                powers=", ".join(self.tr(POWERS[power]) for power in p.two_step.for_powers),
                days=p.two_step.grace_days,
            )
            self.add()
        if p.sanctions is not None:
            s = p.sanctions
            self.add("## " + self.t(gettext_noop("Sanctions")))
            self.add()
            self.item(
                gettext_noop(
                    "Each moderation carries %(min)s–%(max)s minutes, ×%(multiplier)s on each repeat."
                ),
                min=s.moderation.min_minutes,
                max=s.moderation.max_minutes,
                multiplier=_num(s.moderation.repeat_multiplier),
            )
            for level in s.levels.values():
                offences = "; ".join(o.get(self.lang) for o in level.offences)
                self.add(
                    "- "
                    + self.t(
                        gettext_noop("%(level)s: %(hours)s hours"),
                        level=level.name.get(self.lang),
                        hours=_num(level.hours),
                    )
                    + (f" — {offences}" if offences else "")
                )
            self.item(
                gettext_noop(
                    "First repeat: coordination decides in public to double or increase; later repeats always ×%(multiplier)s."
                ),
                multiplier=_num(s.repeat_multiplier),
            )
            self.item(
                gettext_noop(
                    "After %(repeats)s repeats a person is non grata: %(hours)s hours at every appearance."
                ),
                repeats=s.non_grata_after_repeats,
                hours=_num(s.non_grata_hours),
            )
            if s.non_grata_lifted_by is not None:
                office = self.p.offices[s.non_grata_lifted_by.office]
                self.item(
                    gettext_noop(
                        "A persona non grata is lifted when %(count)s %(office)s back lifting it."
                    ),
                    count=s.non_grata_lifted_by.count,
                    office=(office.plural or office.name).get(self.lang),
                )
            if s.endorsements:
                self.item(
                    gettext_noop(
                        "Sanctions that need it lapse unless %(count)s other office holders endorse them within %(hours)s hours."
                    ),
                    count=s.endorsements,
                    hours=_num(s.endorsement_window_hours),
                )
                if s.backed_before_end_hours is not None:
                    self.item(
                        gettext_noop(
                            "A shorter sanction is backed within its own time, and not in its last %(hours)s hours."
                        ),
                        hours=_num(s.backed_before_end_hours),
                    )
            if s.off_protocol_bounce:
                self.item(
                    gettext_noop(
                        "A sanction the protocol does not describe, if not backed, puts %(share)s%% of it on whoever imposed it."
                    ),
                    share=_pct(s.off_protocol_bounce),
                )
            self.item(gettext_noop("Everything a sanctioned person wrote stays."))
            self.add()
        self.add("## " + self.t(gettext_noop("Changing this protocol")))
        self.add()
        for which, label in (
            ("total", gettext_noop("Total amendment")),
            ("partial", gettext_noop("Partial amendment")),
        ):
            rule = getattr(p.amendments, which)
            kind = p.decision_kinds[rule.decision_kind]
            parts = [self.t(gettext_noop("by %(kind)s"), kind=kind.name.get(self.lang))]
            if rule.office_approval is not None:
                office = p.offices[rule.office_approval.office]
                count = {
                    "absolute_majority": self.t(gettext_noop("an absolute majority of")),
                    "all": self.t(gettext_noop("all")),
                }.get(rule.office_approval.rule, str(rule.office_approval.count))
                parts.append(
                    self.t(
                        gettext_noop("with the approval of %(count)s %(office)s"),
                        count=count,
                        office=(office.plural or office.name).get(self.lang),
                    )
                )
            parts.append(
                self.tr(
                    {
                        "half_plus_one_of_voters": gettext_noop(
                            "won by at least half plus one of those voting"
                        ),
                        "simple_majority": gettext_noop("won by a simple majority"),
                        "consensus": gettext_noop("reached by consensus"),
                    }[rule.vote]
                )
            )
            self.add(f"- **{self.tr(label)}**: " + ", ".join(parts))
        if p.amendments.latest_referendum_prevails:
            self.item(
                gettext_noop(
                    "When two rules conflict, the most recent one approved by referendum prevails."
                )
            )
        self.add()
        return "\n".join(self.lines).rstrip() + "\n"


# The words of ASM-3's types, as the assembly pages say them.
TYPE_NAMES = {
    "operational": gettext_noop("Operational"),
    "region": gettext_noop("Region"),
    "city": gettext_noop("City"),
    "constituency": gettext_noop("Constituency"),
    "policy-society": gettext_noop("Policy society"),
    "community": gettext_noop("Community and identity"),
    "youth": gettext_noop("Youth"),
    "allied": gettext_noop("Allied"),
}


def _num(value: float) -> str:
    return f"{value:g}"


def _pct(share: float) -> str:
    return f"{share * 100:g}"


def render_markdown(
    protocol: Protocol, language: str = "en", translate: Translate | None = None
) -> str:
    return Renderer(protocol, language, translate).render()
