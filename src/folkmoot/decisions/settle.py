"""What happens once a decision is made: the result is materialised once (idempotent and safe
on several workers: the result row's key is the vote, so a second insert fails and that
worker does nothing more), entered in the consensus register (ASM-5), published in the
proposal's thread and the forums the protocol names, and acted on: an amendment adopts
its protocol (PRO-2), an election puts its winners in office (OFF-4).

Called when a page reads a decision that is due, and by `folkmoot settle` (the worker)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from folkmoot.audit.log import record
from folkmoot.forums.actions import do_open_thread, do_reply
from folkmoot.governance.amendment import (
    AmendmentTally,
    amendment_carried,
)
from folkmoot.governance.casting import live_results
from folkmoot.governance.protocol import Protocol, Validity
from folkmoot.governance.reasons import Reason, combine, gettext_noop
from folkmoot.governance.sealing import unkeyed_result
from folkmoot.governance.tally.nobody import no_ballots_result, nothing_to_count
from folkmoot.governance.tally.result import Result, Round, Step
from folkmoot.offices.tenures import do_resign, seat_the_elected, take_office
from folkmoot.protocols.selectors import protocol_in_force

from .box import open_box
from .counting import Rows, choice_counts, count_vote, grouped_marks
from .models import Proposal, ProposalOption, RegisterEntry, Vote, VoteResult
from .result_text import summary

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def explained(result: Result) -> dict[str, Any]:
    out = {}
    for language in LANGUAGES:
        with translation.override(language):
            out[language] = result.as_dict(gettext, language)
    return out


def _void_by_null(vote: Vote, rules: Validity, rows: Rows) -> Result | None:
    """VOTE-8 for any method: when more than half of the voters hold the vote null, it is
    void, whatever the count would say (the choice count applies it itself)."""
    if not vote.ask_validity or vote.method == "choice":
        return None
    voters = sum(n for _m, _v, n in rows)
    null = sum(n for _m, valid, n in rows if valid is False)
    if not voters or null <= rules.void_when_null_share_over * voters:
        return None
    step = Step(
        "void",
        Reason(
            "void_by_null",
            gettext_noop(
                "Void: %(null)s of %(voters)s voters hold the vote null, more than half (VOTE-8)."
            ),
            {"null": null, "voters": voters},
        ),
    )
    rnd = Round(Reason("choice_round", gettext_noop("Count")), [step])
    return Result(
        vote.method, list(vote.options), [], [rnd], ballots=voters, details={"outcome": "void"}
    )


def count_with_rules(vote: Vote) -> Result:
    if not vote.options:  # an election nobody stood in
        rnd = Round(
            Reason("choice_round", gettext_noop("Count")),
            [Step("no_candidates", Reason("no_candidates", gettext_noop("Nobody stood.")))],
        )
        return Result(vote.method, [], [], [rnd], details={"outcome": "no_candidates"})
    if vote.sealed_ballots and vote.sealed.opened_at is None:
        return unkeyed_result(vote.method, list(vote.options))  # issue 16: nobody could vote
    rules = Validity(**vote.validity) if vote.validity else Validity(ask_validity=vote.ask_validity)
    rows = grouped_marks(vote)  # once: the validity rule and the count read the same rows
    election, candidates = vote.office_id is not None, len(vote.options)
    closed = vote.is_closed(timezone.now())  # while open, the live count shows what is cast
    if closed and nothing_to_count(
        len(rows), election=election, candidates=candidates, seats=vote.seats
    ):
        return no_ballots_result(vote.method, list(vote.options))  # no lot picks a winner
    void = _void_by_null(vote, rules, rows)
    if void is not None:
        return void
    if vote.method == "choice":
        from folkmoot.governance.tally.choice import choice_vote

        return choice_vote(choice_counts(vote, rows), rules)
    return count_vote(vote, grouped=rows)


def outcome_of(result: Result) -> str:
    outcome = result.details.get("outcome") if result.details else None
    if outcome:
        return str(outcome)
    if result.tie is not None and not result.winners:
        return "tie"
    return "decided" if result.winners else "no_winner"


def ranking_of(vote: Vote, result: Result) -> list[str]:
    """OFF-4: every candidate in order, so a resignation passes the seat to the next one.
    Score methods: Bloc STAR for all seats orders them; marks: most marks first, then the
    published lot."""
    if not vote.options:
        return []
    from folkmoot.governance.tally.lot import lot_order

    if vote.method in ("star", "bloc-star", "allocated-score"):
        from folkmoot.governance.tally.star import bloc_star

        from .counting import score_ballots

        ballots = score_ballots(vote)
        if ballots.total == 0:
            return lot_order(vote.lot_seed, vote.options)
        return bloc_star(ballots, seats=len(vote.options), seed=vote.lot_seed).winners
    marks = (result.details or {}).get("marks") or {}
    lot = {name: i for i, name in enumerate(lot_order(vote.lot_seed, vote.options))}
    return sorted(vote.options, key=lambda o: (-int(marks.get(o, 0)), lot[o]))


def settle_vote(vote: Vote, now: datetime | None = None) -> VoteResult | None:
    """Materialise the result of a closed vote once; returns it (None while open). Pages call
    it too, so it sends nothing itself: the worker tells the electorate (`notify.pending`)."""
    now = now or timezone.now()
    if not vote.is_closed(now):
        return None
    existing = VoteResult.objects.filter(vote=vote).first()
    if existing is not None:
        return existing
    if vote.sealed_ballots and vote.sealed.decrypted_at is None:
        return None  # issue 16: counted once the guardians have shuffled and decrypted
    try:
        with transaction.atomic():
            # Take the vote row (a no-op write: a row lock on PostgreSQL, the write lock on
            # SQLite). A ballot holds a share of it from its "still open?" check to its
            # commit (ballots.do_cast), so none accepted can land after this count.
            Vote.objects.filter(pk=vote.pk).update(closes_at=F("closes_at"))
            existing = VoteResult.objects.filter(vote=vote).first()
            if existing is not None:
                return existing
            open_box(vote)  # secret ballots join the count in a random order (VOTE-11)
            result = count_with_rules(vote)
            row = VoteResult.objects.create(
                vote=vote,
                outcome=outcome_of(result),
                winners=result.winners,
                ballots=result.ballots,
                explained=explained(result),
                ranking=ranking_of(vote, result) if vote.office_id else [],
                published_at=now,
            )
            _act_on(vote, row, result)
    except IntegrityError:
        # Another worker (or page view) got there first: the result is theirs to publish.
        return VoteResult.objects.get(vote=vote)
    return row


def _act_on(vote: Vote, row: VoteResult, result: Result) -> None:
    assert vote.assembly is not None
    in_force = protocol_in_force(vote.assembly)
    protocol = in_force.protocol if in_force else None
    if vote.office_id:
        take_office(vote, row)
    RegisterEntry.objects.create(
        assembly=vote.assembly,
        proposal=vote.proposal,
        vote=vote,
        title=vote.title,
        kind=vote.kind or (f"election:{vote.office.slug}" if vote.office else ""),
        binding=bool(
            protocol
            and vote.kind in protocol.decision_kinds
            and protocol.decision_kinds[vote.kind].binding
        )
        or bool(vote.office_id),
        makes_project=bool(
            protocol
            and vote.kind in protocol.decision_kinds
            and protocol.decision_kinds[vote.kind].makes_project
            and vote.proposal_id
        ),
        outcome=row.outcome,
        winners=row.winners,
        decided_at=row.published_at,
    )
    record(
        "decision.result",
        assembly=vote.assembly,
        subject=vote,
        outcome=row.outcome,
        winners=row.winners,
    )
    proposal = vote.proposal
    if proposal is not None and protocol is not None:
        if proposal.amendment and row.outcome in ("carried", "decided"):
            _adopt_if_carried(proposal, vote, protocol, result)
        elif proposal.urgent_version_id is not None:
            from .amending import lapse_urgent_change

            lapse_urgent_change(proposal, protocol)
        if proposal.recalls_id is not None:
            _recall_if_carried(proposal, row.outcome, row.winners)
        # VOTE-14: an amended text that competed on the ballot and won is the text now.
        from folkmoot.amendments.competing import adopt_if_won

        adopt_if_won(vote)
        _publish(
            proposal, protocol, summary(vote, row), carried=row.outcome in ("carried", "decided")
        )


def _publish(proposal: Proposal, protocol: Protocol, text: str, *, carried: bool) -> None:
    """The result goes to the proposal's thread, and when decided, to the forums the
    protocol names (RED15M: Approved; Harmony: Announcements)."""
    author = proposal.proposer
    vote = getattr(proposal, "vote", None)
    if vote is not None and vote.launched_by_id:
        author = vote.launched_by
    with translation.override(settings.LANGUAGE_CODE):
        link = f"{text}\n\n[{gettext('The decision')}](/decisions/{proposal.pk}/)"
        if proposal.thread is not None:
            do_reply(thread=proposal.thread, author=author, body=link)
        if carried:
            kind = protocol.decision_kinds.get(proposal.kind)
            for forum in kind.announce_in if kind else []:
                if forum in protocol.forums:
                    tags = protocol.forums[forum].tags
                    do_open_thread(
                        assembly=proposal.assembly,
                        forum_key=forum,
                        author=author,
                        title=proposal.title[:200],
                        tag=tags[0] if tags and protocol.forums[forum].tag_required else "",
                        body=link,
                    )
        from folkmoot.chat.actions import post_system_message

        post_system_message(proposal.assembly, text)


def _adopt_if_carried(
    proposal: Proposal, vote: Vote | None, protocol: Protocol, result: Result | None
) -> None:
    """PRO-2: office approvals are the "+1 as <office>" supports the amendment gathered; the
    vote's first option is "yes", the second "no"."""
    from folkmoot.protocols.actions import do_adopt_protocol_version

    from .state import supports_of

    rule = getattr(protocol.amendments, proposal.amendment)
    approvals = 0
    if rule.office_approval is not None:
        approvals = len(supports_of(proposal).get(rule.office_approval.office, []))
    votes = (result.details or {}).get("votes", {}) if result else {}
    options = list(vote.options) if vote else []
    tally = AmendmentTally(
        office_approvals=approvals,
        yes=int(votes.get(options[0], 0)) if options else 0,
        no=int(votes.get(options[1], 0)) if len(options) > 1 else 0,
        blank=int((result.details or {}).get("blank", 0)) if result else 0,
        consensus=vote is None,
    )
    answer = amendment_carried(protocol, proposal.amendment, tally)  # type: ignore[arg-type]
    if proposal.urgent_version_id is not None and proposal.urgent_lapsed_at is None:
        # Art. 3: in force already; ratified, or not. One that lapsed before its referendum
        # opened (`amending.lapse_if_overdue`) is adopted as any carried amendment, below.
        from .amending import lapse_urgent_change

        if answer:
            record("decision.urgent_ratified", assembly=proposal.assembly, subject=proposal)
        else:
            lapse_urgent_change(proposal, protocol)
        return
    document = proposal.protocol_text
    if answer and proposal.amendment == "partial":
        from .amending import rebased

        document, carried_over = rebased(proposal, protocol)
        answer = combine(answer, carried_over)
    if not answer:
        record(
            "decision.amendment_not_adopted",
            assembly=proposal.assembly,
            subject=proposal,
            reasons=[r.code for r in answer.reasons],
        )
        if proposal.thread is not None:  # those who voted read why nothing changed
            from folkmoot.refusals import reasons_text

            with translation.override(settings.LANGUAGE_CODE):
                text = gettext("The amendment is not adopted: %(why)s") % {
                    "why": " ".join(reasons_text(answer))
                }
            author = vote.launched_by if vote is not None and vote.launched_by_id else None
            do_reply(thread=proposal.thread, author=author or proposal.proposer, body=text)
        return
    do_adopt_protocol_version(
        assembly=proposal.assembly,
        document=document,
        actor=None,
        decision_reference=f"proposal:{proposal.pk}",
        note=proposal.title[:200],
    )


def _recall_if_carried(proposal: Proposal, outcome: str, winners: list[str]) -> None:
    """Art. 8.3: a recall decided for its first option ("Yes") ends the holder's tenure; the
    seat passes as on resignation. One who left office meanwhile has nothing to end; one
    re-elected to the office since it was proposed holds a fresh mandate, which overtakes
    it (`governance.recall.recall_overtaken`)."""
    from folkmoot.governance.projects import DECIDED
    from folkmoot.refusals import Refused

    if outcome not in DECIDED or not winners or winners[0] != proposal.options[0]:
        return
    tenure = proposal.recalls
    assert tenure is not None
    if tenure.ended_at is None and _overtaken(proposal, tenure):
        return
    try:
        successor = do_resign(tenure=tenure, actor=None)
    except Refused:
        return
    record(
        "office.recall",
        assembly=proposal.assembly,
        subject=tenure,
        proposal=proposal.pk,
        successor=successor.holder_id if successor is not None else None,
    )
    from folkmoot.notifications.send import notify

    notify("office_recalled", [tenure.holder_id], assembly=proposal.assembly, proposal=proposal)


def _overtaken(proposal: Proposal, tenure: Any) -> bool:
    """Art. 8.3: the holder won an election of the office that closed after the recall was
    proposed (their tenure row runs on: `take_office` keeps a re-elected holder's). The
    recall changes nothing; the audit log and the proposal's thread say why."""
    from folkmoot.governance.recall import recall_overtaken

    # An election closed before now and not counted yet is counted first: its mandate counts.
    seat_the_elected(proposal.assembly)
    rows = VoteResult.objects.filter(
        vote__office_id=tenure.office_id, vote__closes_at__gt=proposal.created_at
    ).values_list("vote_id", "vote__closes_at", "winners", "vote__options", "vote__subjects")
    elections: dict[int, tuple[datetime, list[Any]]] = {}
    for vote_id, closes_at, won, options, subjects in rows:
        if closes_at is None:
            continue
        by_name = dict(zip(options, subjects, strict=False))  # a winner's name → the person
        elections[vote_id] = (closes_at, [by_name[name] for name in won if name in by_name])
    won_at = recall_overtaken(
        proposed_at=proposal.created_at, holder=tenure.holder_id, elections=elections.values()
    )
    if won_at is None:
        return False
    election = next(pk for pk, (closes_at, _w) in elections.items() if closes_at == won_at)
    record(
        "office.recall_overtaken",
        assembly=proposal.assembly,
        subject=tenure,
        proposal=proposal.pk,
        election=election,
    )
    if proposal.thread is not None:
        with translation.override(settings.LANGUAGE_CODE):
            text = gettext(
                "The recall is carried, but %(holder)s was elected to this office again on "
                "%(date)s, after the recall was proposed: that fresh mandate overtakes it, and "
                "%(holder)s stays in office."
            ) % {
                "holder": tenure.holder,
                "date": date_format(timezone.localtime(won_at), "DATETIME_FORMAT"),
            }
        do_reply(thread=proposal.thread, author=proposal.proposer, body=text)
    return True


def settle_proposal(proposal: Proposal, now: datetime | None = None) -> None:
    """Consensus kinds (VOTE-1): record a consensus reached, or open the STAR vote once the
    last round has failed. Voted kinds: settle their vote."""
    from .actions import decision_context, do_open_vote, state_of

    now = now or timezone.now()
    if proposal.assembly.closed_at is not None:
        return  # a closed assembly decides nothing more; its proposals stay as they stood
    ctx = decision_context(None, proposal.assembly)
    if proposal.kind not in ctx.protocol.decision_kinds:
        return
    kind = ctx.protocol.decision_kinds[proposal.kind]
    state = state_of(ctx, proposal, now)
    if state.stage == "decided" and state.consensus is not None:
        try:
            with transaction.atomic():
                RegisterEntry.objects.create(
                    assembly=proposal.assembly,
                    proposal=proposal,
                    title=proposal.title,
                    kind=proposal.kind,
                    binding=kind.binding,
                    makes_project=kind.makes_project,
                    outcome="consensus",
                    winners=[proposal.options[0]] if proposal.options else [],
                    decided_at=state.consensus.decided_at or now,
                )
                record("decision.consensus", assembly=proposal.assembly, subject=proposal)
                if proposal.amendment:
                    _adopt_if_carried(proposal, None, ctx.protocol, None)
                if proposal.recalls_id is not None:
                    _recall_if_carried(proposal, "consensus", proposal.options[:1])
                with translation.override(settings.LANGUAGE_CODE):
                    text = gettext("Consensus reached on “%(title)s”.") % {"title": proposal.title}
                _publish(proposal, ctx.protocol, text, carried=True)
        except IntegrityError:
            return
        return
    if (
        kind.consensus is not None
        and state.consensus is not None
        and state.consensus.stage == "vote"
        and state.vote is None
    ):
        opens_at = state.consensus.decided_at or now
        options = list(proposal.options) + list(
            ProposalOption.objects.filter(proposal=proposal).values_list("label", flat=True)
        )
        try:
            with transaction.atomic():
                do_open_vote(
                    ctx=ctx,
                    kind_key=proposal.kind,
                    proposal=proposal,
                    title=proposal.title,
                    description=proposal.body,
                    options=options,
                    days=kind.voting.default_days,
                    secret=kind.secret,
                    results_live=live_results(
                        secret=kind.secret, results_visible=kind.results_visible, asked=None
                    )[1],
                    launched_by=None,
                    opens_at=opens_at,
                    method=kind.consensus.fallback_method,
                )
        except IntegrityError:
            return
        return
    vote = state.vote
    if vote is not None:
        settle_vote(vote, now)


def due_votes(now: datetime) -> list[Vote]:
    return list(
        Vote.objects.filter(closes_at__lte=now, result__isnull=True, assembly__isnull=False)
        .select_related("assembly", "proposal", "office")
        .order_by("closes_at")[:500]
    )


def due_consensus(now: datetime, horizon: timedelta = timedelta(days=60)) -> list[Proposal]:
    return list(
        Proposal.objects.filter(
            withdrawn_at__isnull=True,
            register_entry__isnull=True,
            vote__isnull=True,
            created_at__gte=now - horizon,
        ).select_related("assembly")[:500]
    )
