"""`{% attachments_of "proposal" proposal %}` shows a thing's images and files;
`{% attach_form "proposal" proposal %}` the form that adds them, to whoever may (FOR-7)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from folkmoot.attachments import selectors
from folkmoot.attachments.models import Attachment
from folkmoot.attachments.things import access_thing
from folkmoot.refusals import NotFound

register = template.Library()


@register.inclusion_tag("attachments/_shown.html")
def attachments_of(kind: str, thing: Any) -> dict[str, Any]:
    return {"attachments": list(selectors.of_thing(kind, thing.pk))}


@register.inclusion_tag("attachments/_attach.html", takes_context=True)
def attach_form(context: template.Context, kind: str, thing: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {"shown": False}
    if kind == "proposal" and thing.proposer_id != user.pk:
        return {"shown": False}  # only the proposer: no need to ask further
    try:
        found = access_thing(user, kind, thing.pk)
    except NotFound:
        return {"shown": False}
    if not found.may_attach:
        return {"shown": False}
    per_thing = settings.ATTACHMENTS_PER_THING
    return {
        "shown": True,
        "kind": kind,
        "pk": thing.pk,
        "user": user,
        "next": request.get_full_path(),
        "attachments": list(selectors.of_thing(kind, thing.pk)),
        "room": Attachment.objects.filter(**{kind: thing.pk}).count() < per_thing,
        "max_bytes": settings.ATTACHMENTS_MAX_BYTES,
        "per_thing": per_thing,
        "csrf_token": context.get("csrf_token"),
    }
