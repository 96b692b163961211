"""`GET /api/v1/me/agenda`: the home page's "what needs you", for apps and scripts (issue 12)."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from folkmoot.api.auth import REQUIRED

from .kept import agenda_for

router = Router(tags=["me"])


class AgendaItemOut(Schema):
    kind: str
    summary: str
    title: str
    assembly: str
    assembly_title: str
    deadline: datetime | None
    deadline_label: str
    urgent: bool
    count: int
    action: str
    url: str


class AgendaMembershipOut(Schema):
    assembly: str
    assembly_title: str
    status: str
    unread: int = Field(description="Unread notifications from this assembly")


class AgendaDecisionOut(Schema):
    id: int
    title: str
    assembly: str
    outcome: str
    decided_at: datetime


class AgendaOut(Schema):
    items: list[AgendaItemOut]
    assemblies: list[AgendaMembershipOut]
    decided: list[AgendaDecisionOut]


@router.get(
    "/me/agenda",
    response=AgendaOut,
    auth=REQUIRED,
    summary="What needs me now: votes to cast, requests to decide, queues, deadlines",
)
def my_agenda(request: HttpRequest) -> dict[str, Any]:
    agenda = agenda_for(request)
    return {
        "items": [
            {
                "kind": i.kind,
                "summary": i.summary,
                "title": i.title,
                "assembly": i.assembly.slug,
                "assembly_title": i.assembly.title,
                "deadline": i.deadline,
                "deadline_label": i.deadline_label,
                "urgent": i.urgent,
                "count": i.count,
                "action": i.action,
                "url": request.build_absolute_uri(i.url),
            }
            for i in agenda.items
        ],
        "assemblies": [
            {
                "assembly": a.slug,
                "assembly_title": a.title,
                "status": m.status,
                "unread": agenda.unread.get(a.pk, 0),
            }
            for a, m in agenda.memberships
        ],
        "decided": [
            {
                "id": e.pk,
                "title": e.title,
                "assembly": e.assembly.slug,
                "outcome": e.outcome,
                "decided_at": e.decided_at,
            }
            for e in agenda.decided
        ],
    }
