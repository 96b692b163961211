"""What a person is asked to do as one who may respond or as an office holder (issue 12):
consensus rounds waiting for their response (VOTE-1), proposals waiting for their office's
support, approval of the text or launch (VOTE-3, OFF-2), and their terms ending (OFF-1)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Min
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from folkmoot.governance.audience import may_launch
from folkmoot.notifications.models import Notification
from folkmoot.offices.models import Tenure
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import InForceByAssembly

from .item import SOON, TERM_NOTICE, Item


def amendment_items(user: Any) -> list[Item]:
    """VOTE-14: amendments to the person's own proposals that wait for their answer, while
    the text may still change (one item per proposal, however many wait)."""
    from folkmoot.amendments.models import TextAmendment

    waiting: dict[int, list[Any]] = {}
    for amendment in TextAmendment.objects.filter(
        proposal__proposer=user,
        accepted__isnull=True,
        withdrawn_at__isnull=True,
        proposal__vote__isnull=True,
        proposal__withdrawn_at__isnull=True,
        proposal__register_entry__isnull=True,
    ).select_related("proposal__assembly")[:200]:
        waiting.setdefault(amendment.proposal_id, []).append(amendment)
    items = []
    for found in waiting.values():
        proposal = found[0].proposal
        items.append(
            Item(
                kind="amendments",
                summary=ngettext(
                    "An amendment to your proposal waits for your answer",
                    "%(count)s amendments to your proposal wait for your answer",
                    len(found),
                )
                % {"count": len(found)},
                title=proposal.title,
                assembly=proposal.assembly,
                action=_("Accept or reject"),
                url=reverse("proposal", args=[proposal.pk]) + "#amendments",
                count=len(found),
            )
        )
    return items


def proposal_items(
    user: Any,
    held: list[Tenure],
    now: datetime,
    protocols: InForceByAssembly,
    moments: list[datetime] | None = None,
) -> list[Item]:
    """Consensus rounds waiting for the person's response (VOTE-1) and proposals waiting for
    what their office does (VOTE-3, OFF-2: "+1 as Coordinator", the drafters' approval, the
    launch). The worker's notifications index them (notifications.watch); what each waits
    for is checked again here, from facts read for all of them at once, so an item leaves
    the list as soon as the person, or enough others, have acted. `moments` gets when the
    clock alone changes what each waits for: a round ends, a stage ends, it leaves the list."""
    moments = [] if moments is None else moments
    from folkmoot.decisions.models import ConsensusResponse, DraftingApproval
    from folkmoot.decisions.state import known_for, proposal_state
    from folkmoot.forums.models import Post, Reaction

    rows = list(
        Notification.objects.filter(
            user=user,
            kind__in=("consensus", "office_action"),
            proposal__withdrawn_at__isnull=True,
            proposal__register_entry__isnull=True,
            proposal__vote__isnull=True,
            proposal__created_at__gte=now - timedelta(days=60),
        ).select_related("proposal__assembly", "proposal__vote")
    )
    if not rows:
        return []
    proposals = list({n.proposal_id: n.proposal for n in rows}.values())
    ids = [p.pk for p in proposals if p is not None]
    responded = set(
        ConsensusResponse.objects.filter(person=user, proposal_id__in=ids).values_list(
            "proposal_id", "round"
        )
    )
    # What an office has done is read only where an office is asked (most people: never).
    asking = {n.proposal_id for n in rows if n.kind == "office_action"}
    offices_asked = [p for p in proposals if p is not None and p.pk in asking]
    known = known_for(offices_asked) if offices_asked else {}
    approved: set[int] = set()
    supported: set[tuple[int, str]] = set()
    # The offices the person acts in now, where an office is asked: a former or suspended
    # holder is no longer asked (OFF-6), as the acting pages check it.
    viewers: dict[int, Any] = {}
    for asked_of in offices_asked:
        where = asked_of.assembly
        in_force = protocols(where)
        if where.pk not in viewers and in_force is not None:
            viewers[where.pk] = viewer_for(user, where, in_force)
    if offices_asked:
        asked = [p.pk for p in offices_asked]
        approved = set(
            DraftingApproval.objects.filter(person=user, proposal_id__in=asked).values_list(
                "proposal_id", flat=True
            )
        )
        # Support counts on the opening post only (decisions.state.supports_of).
        openings = (
            Post.objects.filter(thread__proposal__in=asked)
            .values("thread")
            .annotate(first=Min("id"))
            .values("first")
        )
        supported = set(
            Reaction.objects.filter(user=user, value=1, post__in=openings)
            .exclude(as_office="")
            .values_list("post__thread__proposal", "as_office")
        )
    items = []
    for n in rows:
        proposal = n.proposal
        assert proposal is not None
        moments.append(proposal.created_at + timedelta(days=60))
        protocol = protocols(proposal.assembly)
        kind = protocol.decision_kinds.get(proposal.kind) if protocol else None
        if kind is None:
            continue
        url = reverse("proposal", args=[proposal.pk])
        what, _sep, detail = n.occasion.partition(":")
        if n.kind == "consensus" and kind.consensus is not None:
            number = int(detail or 0)
            ends = proposal.created_at + timedelta(days=kind.consensus.round_days) * number
            moments.append(ends)
            if now < ends and (proposal.pk, number) not in responded:
                items.append(
                    Item(
                        kind="consensus",
                        summary=_("A consensus round waits for your response"),
                        title=proposal.title,
                        assembly=proposal.assembly,
                        action=_("Respond"),
                        url=url,
                        deadline=ends,
                        deadline_label=_("The round ends"),
                        urgent=ends - now <= SOON,
                    )
                )
            continue
        if n.kind != "office_action" or kind.consensus is not None:
            continue
        state = proposal_state(proposal, kind, now, known=known[proposal.pk])
        if state.until is not None:
            moments.append(state.until)
        have, need = state.supports.get(detail, (0, 0))
        drafting = kind.drafting.office if kind.drafting else ""
        viewer = viewers.get(proposal.assembly_id)
        acts_in = viewer.offices if viewer is not None else frozenset()
        waiting = {
            "support": state.stage == "debate"
            and have < need
            and detail in acts_in
            and (proposal.pk, detail) not in supported,
            "approval": state.stage == "drafting"
            and drafting in acts_in
            and proposal.pk not in approved,
            "launch": state.launchable
            and viewer is not None
            and protocol is not None
            and bool(may_launch(protocol, proposal.kind, viewer, now.date())),
        }.get(what, False)
        if waiting:
            summary, action = {
                "support": (_("A proposal waits for your office's support"), _("Read and support")),
                "approval": (
                    _("A proposal waits for your approval of its text"),
                    _("Read and approve"),
                ),
                "launch": (_("A proposal may be put to the vote"), _("Launch the vote")),
            }[what]
            items.append(
                Item(
                    kind=f"proposal_{what}",
                    summary=summary,
                    title=proposal.title,
                    assembly=proposal.assembly,
                    action=action,
                    url=url,
                    deadline=state.until,
                    deadline_label=_("Until") if state.until else "",
                )
            )
    return items


def term_items(
    held: list[Tenure],
    now: datetime,
    protocols: InForceByAssembly,
    moments: list[datetime] | None = None,
) -> list[Item]:
    """OFF-1: the person's terms of office ending within two weeks; `moments` gets when each
    term's notice begins and when it ends."""
    from folkmoot.governance.schedule import term_end

    items = []
    for tenure in held:
        assembly = tenure.office.assembly
        protocol = protocols(assembly)
        rule = protocol.offices.get(tenure.office.slug) if protocol else None
        if rule is None or protocol is None:
            continue
        ends = term_end(rule, protocol.timezone, tenure.started_at)
        if ends is not None and moments is not None:
            moments += [ends - TERM_NOTICE, ends]
        if ends is not None and now < ends <= now + TERM_NOTICE:
            items.append(
                Item(
                    kind="term_ending",
                    summary=_("Your term of office ends soon"),
                    title=str(rule.name.get(get_language() or "en")),
                    assembly=assembly,
                    action=_("See the offices"),
                    url=reverse("offices", args=[assembly.slug]),
                    deadline=ends,
                    deadline_label=_("Ends"),
                )
            )
    return items
