"""Rules for writing in forums (FOR-2, FOR-4): tags, speaking in the capacity of an office,
editing within the protocol's window."""

from __future__ import annotations

from datetime import datetime, timedelta

from .audience import Named, Viewer
from .protocol import Protocol
from .reasons import Answer, Reason, gettext_noop


def check_tag(protocol: Protocol, forum_key: str, tag: str) -> Answer:
    forum = protocol.forums[forum_key]
    if not tag:
        if forum.tag_required:
            return Answer.no(
                Reason(
                    "tag_required",
                    gettext_noop("Threads in %(forum)s need a tag: %(tags)s."),
                    {"forum": Named(forum.name), "tags": " ".join(forum.tags)},
                )
            )
        return Answer.yes()
    if tag not in forum.tags:
        return Answer.no(
            Reason(
                "tag_unknown",
                gettext_noop("%(tag)s is not a tag of %(forum)s; use one of: %(tags)s."),
                {"tag": tag, "forum": Named(forum.name), "tags": " ".join(forum.tags) or "—"},
            )
        )
    return Answer.yes()


def check_capacity(protocol: Protocol, viewer: Viewer, office: str) -> Answer:
    """FOR-4: only a current holder may speak or support "as" an office."""
    if not office:
        return Answer.yes()
    if office in protocol.offices and office in viewer.offices:
        return Answer.yes()
    name = protocol.offices[office].name if office in protocol.offices else None
    return Answer.no(
        Reason(
            "not_office_holder",
            gettext_noop("You do not hold the office of %(office)s, so you cannot write as one."),
            {"office": Named(name) if name else office},
        )
    )


def check_edit(
    protocol: Protocol, forum_key: str, *, is_author: bool, written_at: datetime, now: datetime
) -> Answer:
    if not is_author:
        return Answer.no(Reason("not_author", gettext_noop("Only the author may edit a post.")))
    window = protocol.forums[forum_key].edit_window_minutes if forum_key in protocol.forums else 0
    if window is None or now <= written_at + timedelta(minutes=window):
        return Answer.yes()
    return Answer.no(
        Reason(
            "edit_window_closed",
            gettext_noop(
                "Posts can be edited for %(minutes)s minutes after writing; this one can no longer be."
            ),
            {"minutes": window},
        )
    )
