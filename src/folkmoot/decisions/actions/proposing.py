"""Opening a proposal (VOTE-2, VOTE-3): its kind, question, text and options, checked by
the core; an amendment's new protocol (PRO-2), an Amendment that rectifies a decision
(VOTE-2), a recall (art. 8.3), an internal vote (art. 9.4) and a MegaPoll's further
questions. It is debated in a thread of the Votes forum."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from folkmoot.audit.log import record
from folkmoot.decisions.models import Proposal, RegisterEntry
from folkmoot.federation.models import Assembly
from folkmoot.forums.actions import do_open_thread
from folkmoot.forums.text import render
from folkmoot.governance.amendment import check_amendment_route, check_rectify, partial_kinds
from folkmoot.governance.audience import check_within, may_propose
from folkmoot.governance.protocol import DecisionKind, Protocol, ProtocolInvalid, load_protocol
from folkmoot.governance.questions import check_more_questions
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.governance.recall import check_recall
from folkmoot.governance.schedule import check_urgency
from folkmoot.offices.models import Tenure
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.protocols.texts import problems_text
from folkmoot.refusals import require

from .context import DecisionContext, at_most, no


def known_kind(ctx: DecisionContext, key: str) -> Answer:
    if key in ctx.protocol.decision_kinds:
        return Answer.yes()
    if not key:
        return no("no_kind", gettext_noop("Choose a kind of decision."))
    return no(
        "unknown_kind", gettext_noop("The protocol has no decision kind “%(kind)s”."), kind=key
    )


def default_options(kind: DecisionKind, title: str) -> list[str]:
    if kind.consensus is not None:
        return [title, _("No change")]
    return [_("Yes"), _("No")]


def amendment_kind(protocol: Protocol, kind_key: str) -> list[str]:
    """Which amendments (PRO-2) a kind may carry: "total", "partial", both or neither. A
    partial amendment may also be carried by the kinds the protocol reserves for changing
    forums (art. 3) or seats and terms (art. 8.6); which one a change needs is checked on
    its text (`check_amendment_route`)."""
    out = ["total"] if protocol.amendments.total.decision_kind == kind_key else []
    return out + (["partial"] if kind_key in partial_kinds(protocol) else [])


def check_propose(
    ctx: DecisionContext,
    user: Any,
    kind_key: str,
    *,
    title: str,
    body: str,
    options: list[str] | None = None,
    simple_question: bool = False,
    urgent: bool = False,
    event_at: datetime | None = None,
    amendment: str = "",
    protocol_text: str = "",
    refers_to: Any = None,
    referral: str = "",
    amends: int | None = None,
    recalls: int | None = None,
    more_questions: list[tuple[str, list[str]]] | None = None,
    within: str = "",
) -> Proposal:
    kind = ctx.kind(kind_key)
    now = timezone.now()
    title, body = title.strip(), body.strip()
    options = [o.strip() for o in (options or []) if o.strip()] or default_options(kind, title)
    answers = [
        may_propose(ctx.protocol, kind_key, ctx.viewer, timezone.localdate()),
        at_most(title, 300, "title"),
        at_most(body, 20_000, "text"),
    ]
    if event_at is not None and timezone.is_naive(event_at):
        event_at = timezone.make_aware(event_at)  # an API caller's local time, as a form's
    if not title:
        answers.append(no("empty_title", gettext_noop("Give the proposal a question or title.")))
    if not body:
        answers.append(no("empty_text", gettext_noop("Write the text of the proposal.")))
    if len(options) < 2:
        answers.append(no("few_options", gettext_noop("A vote needs at least two options.")))
    if len(set(options)) != len(options):
        answers.append(no("same_option", gettext_noop("Each option must be different.")))
    if len(options) > 20 or any(len(o) > 200 for o in options):
        answers.append(
            no("many_options", gettext_noop("At most 20 options of at most 200 characters."))
        )
    if urgent:
        if event_at is None:
            answers.append(
                no("urgent_event", gettext_noop("An urgent proposal names the event it is for."))
            )
        else:
            answers.append(check_urgency(kind, event_at, now))
    if amendment:
        if amendment not in amendment_kind(ctx.protocol, kind_key):
            answers.append(
                no(
                    "not_an_amendment_kind",
                    gettext_noop("The protocol is not amended by decisions of this kind."),
                )
            )
        try:
            new_protocol = load_protocol(protocol_text)
            if amendment == "partial":
                answers.append(check_amendment_route(ctx.protocol, new_protocol, kind_key))
        except ProtocolInvalid as invalid:
            answers.append(
                Answer.no(
                    *(
                        Reason(
                            "amendment_invalid",
                            gettext_noop("The new protocol: %(problem)s"),
                            {"problem": p["path"] + ": " + p["message"]},
                        )
                        for p in problems_text(invalid)
                    )
                )
            )
    more = [(q.strip(), [o.strip() for o in opts if o.strip()]) for q, opts in more_questions or []]
    answers.append(check_more_questions(kind, more))
    answers.append(check_within(ctx.protocol, kind_key, within, ctx.viewer))
    rectified = None
    if amends is not None:
        rectified = RegisterEntry.objects.filter(pk=amends, assembly=ctx.assembly).first()
        answers.append(
            check_rectify(ctx.protocol, kind_key, found=rectified is not None, amendment=amendment)
        )
    recalled = None
    if recalls is not None:
        recalled = (
            Tenure.objects.current()
            .filter(pk=recalls, office__assembly=ctx.assembly)
            .select_related("office", "holder")
            .first()
        )
        answers.append(
            check_recall(
                ctx.protocol,
                kind_key,
                recalled.office.slug if recalled is not None else None,
                with_other=bool(amendment or amends),
                usual_options=options == default_options(kind, title),
            )
        )
    require(combine(*answers))
    return do_propose(
        within=within or None,
        more_questions=[{"question": q, "options": opts} for q, opts in more],
        recalls=recalled,
        amends=rectified,
        assembly=ctx.assembly,
        protocol=ctx.protocol,
        kind_key=kind_key,
        proposer=user,
        title=title,
        body=body,
        options=options,
        simple_question=simple_question,
        urgent=urgent,
        event_at=event_at,
        amendment=amendment,
        protocol_text=protocol_text if amendment else "",
        refers_to=refers_to,
        referral=referral,
    )


def debate_forum(protocol: Protocol) -> str | None:
    return next((k for k, f in protocol.forums.items() if f.role == "votes"), None)


def _version_in_force(assembly: Assembly) -> Any:
    in_force = protocol_in_force(assembly)
    return in_force.version if in_force is not None else None


@transaction.atomic
def do_propose(
    *,
    assembly: Assembly,
    protocol: Protocol,
    kind_key: str,
    proposer: Any,
    title: str,
    body: str,
    options: list[str],
    simple_question: bool = False,
    urgent: bool = False,
    event_at: datetime | None = None,
    amendment: str = "",
    protocol_text: str = "",
    created_at: datetime | None = None,
    refers_to: Any = None,
    referral: str = "",
    amends: Any = None,
    recalls: Any = None,
    more_questions: list[dict[str, Any]] | None = None,
    within: str | None = None,
) -> Proposal:
    kind = protocol.decision_kinds[kind_key]
    forum = debate_forum(protocol)
    thread = None
    if forum is not None:
        # VOTE-3: the proposal is debated in a thread of the Votes forum, under its tag.
        thread = do_open_thread(
            assembly=assembly,
            forum_key=forum,
            author=proposer,
            title=title[:200],
            tag=kind.forum_tag or kind.tag or "",
            body=body,
        )
    proposal = Proposal.objects.create(
        assembly=assembly,
        kind=kind_key,
        title=title,
        body=body,
        body_html=render(body),
        options=options,
        thread=thread,
        proposer=proposer,
        created_at=created_at or timezone.now(),
        simple_question=simple_question,
        urgent=urgent,
        event_at=event_at,
        amendment=amendment,
        protocol_text=protocol_text,
        base_version=_version_in_force(assembly) if amendment else None,
        refers_to=refers_to,
        referral=referral,
        amends=amends,
        recalls=recalls,
        more_questions=more_questions or None,
        within=within,
    )
    record("decision.propose", actor=proposer, assembly=assembly, subject=proposal, kind=kind_key)
    from folkmoot.notifications.send import notify

    if recalls is not None:  # art. 8.3: the holder hears who asks to recall them
        notify(
            "recall_proposed",
            [recalls.holder_id],
            actor=proposer,
            assembly=assembly,
            proposal=proposal,
            occasion=recalls.office.slug,
        )
    if amendment == "partial":  # art. 3: a change of forums waits for every coordinator
        from folkmoot.decisions.amending import tell_holders_to_agree

        tell_holders_to_agree(protocol, proposal)
    return proposal
