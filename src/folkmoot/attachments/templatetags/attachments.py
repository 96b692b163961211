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


@register.inclusion_tag("attachments/_shown.html", takes_context=True)
def attachments_of(context: template.Context, kind: str, thing: Any) -> dict[str, Any]:
    """The thing's attachments for the reader: a file moderation hid only to its uploader
    and to moderators, who also get the forms that hide one and show it again (asked only
    when the thing has files, and for someone signed in)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    attachments = list(selectors.of_thing(kind, thing.pk))
    viewer_id = user.pk if user is not None and user.is_authenticated else None
    moderator = False
    if attachments and viewer_id is not None:
        try:
            moderator = access_thing(user, kind, thing.pk).moderates
        except NotFound:
            moderator = False
    shown = [a for a in attachments if selectors.visible_to(a, viewer_id, moderator=moderator)]
    for a in shown:
        a.moderated_here = moderator
    return {
        "attachments": shown,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


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
        # Their own, hidden ones included (marked); a moderator's form is `attachments_of`.
        "attachments": [
            a
            for a in selectors.of_thing(kind, thing.pk)
            if selectors.visible_to(a, user.pk, moderator=found.moderates)
        ],
        "room": Attachment.objects.filter(**{kind: thing.pk}).count() < per_thing,
        "max_bytes": settings.ATTACHMENTS_MAX_BYTES,
        "per_thing": per_thing,
        "csrf_token": context.get("csrf_token"),
    }
