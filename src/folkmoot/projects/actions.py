"""Official projects (VOTE-2): reading one, naming its owner, posting its progress. The core
(`governance.projects`) decides which decisions are projects and who steers them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.decisions.actions import DecisionContext, decision_context
from folkmoot.decisions.models import RegisterEntry
from folkmoot.federation.models import Assembly, Membership
from folkmoot.forums.text import render
from folkmoot.governance.audience import closed
from folkmoot.governance.projects import becomes_project, check_name_owner, check_progress
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.notifications.send import notify
from folkmoot.refusals import NotFound, Refused, require

from .models import Project, ProjectUpdate


def is_project(entry: RegisterEntry) -> bool:
    proposal = entry.proposal
    return proposal is not None and becomes_project(
        makes_project=bool(entry.makes_project),
        binding=entry.binding,
        outcome=entry.outcome,
        winners=entry.winners,
        options=proposal.options,
        amendment=proposal.amendment,
    )


def access_project(user: Any, entry_id: int) -> tuple[DecisionContext, RegisterEntry]:
    """A decision of an assembly the person may see, that is a project; anything else is
    missing (the same answer for forbidden)."""
    entry = (
        RegisterEntry.objects.select_related("assembly", "proposal")
        .filter(pk=entry_id, assembly__in=Assembly.objects.visible_to(user))
        .first()
    )
    if entry is None or not is_project(entry):
        raise NotFound(entry_id)
    return decision_context(user, entry.assembly), entry


def project_of(entry: RegisterEntry) -> Project | None:
    return Project.objects.filter(entry=entry).select_related("owner").first()


def _open(ctx: DecisionContext) -> Answer:
    return closed(ctx.viewer.closed_on) if ctx.viewer.closed_on else Answer.yes()


def check_set_owner(ctx: DecisionContext, user: Any, entry: RegisterEntry, owner: Any) -> Project:
    answers = [_open(ctx), check_name_owner(ctx.protocol, ctx.viewer)]
    target = ctx.assembly.membership_assembly_id  # where its members are counted
    if not Membership.objects.active().filter(user=owner, assembly_id=target).exists():
        answers.append(
            Answer.no(
                Reason(
                    "owner_not_member",
                    gettext_noop("The owner must take part in %(assembly)s."),
                    {"assembly": ctx.assembly.title},
                )
            )
        )
    require(combine(*answers))
    return do_set_owner(entry=entry, owner=owner, actor=user)


@transaction.atomic
def do_set_owner(*, entry: RegisterEntry, owner: Any, actor: Any) -> Project:
    project, _created = Project.objects.select_for_update().get_or_create(entry=entry)
    if project.owner_id == owner.pk:
        raise Refused.because(
            Reason("owner_already", gettext_noop("This person already owns the project."))
        )
    project.owner = owner
    project.updated_at = timezone.now()
    project.save(update_fields=["owner", "updated_at"])
    record("project.owner", actor=actor, assembly=entry.assembly, subject=project, owner=owner.pk)
    notify("project_owner", [owner.pk], actor=actor, assembly=entry.assembly, subject=project)
    return project


def check_post_progress(
    ctx: DecisionContext,
    user: Any,
    entry: RegisterEntry,
    *,
    status: str,
    progress: int,
    text: str,
) -> ProjectUpdate:
    project = project_of(entry)
    is_owner = project is not None and project.owner_id == getattr(user, "pk", None)
    require(
        combine(
            _open(ctx),
            check_progress(
                ctx.protocol,
                ctx.viewer,
                is_owner=is_owner,
                status=status,
                progress=progress,
                text=text,
            ),
        )
    )
    return do_post_progress(
        entry=entry, author=user, status=status, progress=progress, text=text.strip()
    )


@transaction.atomic
def do_post_progress(
    *, entry: RegisterEntry, author: Any, status: str, progress: int, text: str
) -> ProjectUpdate:
    project, _created = Project.objects.select_for_update().get_or_create(entry=entry)
    now = timezone.now()
    update = ProjectUpdate.objects.create(
        project=project,
        author=author,
        status=status,
        progress=progress,
        text=text,
        text_html=render(text),
        at=now,
    )
    Project.objects.filter(pk=project.pk).update(status=status, progress=progress, updated_at=now)
    record(
        "project.progress",
        actor=author,
        assembly=entry.assembly,
        subject=project,
        status=status,
        progress=progress,
    )
    return update
