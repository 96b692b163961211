"""FOR-3: where a thread belongs by time alone. Threads inactive for the protocol's period
move to History; threads older than the age limit and quiet for the shorter period move to
Trash. Computed when read, so a late archiving job never shows a thread in the wrong place;
the job only materialises the answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .protocol import Protocol
from .reasons import Reason, gettext_noop


@dataclass(frozen=True, slots=True)
class Placement:
    forum: str
    moved_at: datetime | None  # when time moved it there; None when it stays where it is
    reason: Reason | None = None


def thread_placement(
    protocol: Protocol, forum: str, *, created_at: datetime, last_activity: datetime, now: datetime
) -> Placement:
    """The forum a thread belongs in now. Forums that are not archivable (History, Approved,
    Trash themselves) keep their threads; Trash wins over History when both apply."""
    archival = protocol.archival
    expires = protocol.forums[forum].expires_after_days
    if archival is not None and expires is not None:
        # RED15M art. 2: polls' results stay in History two months, then go to the Trash.
        moved = created_at + timedelta(days=expires)
        if now >= moved:
            return Placement(
                archival.trash_forum,
                moved,
                Reason(
                    "expired_to_trash",
                    gettext_noop("Moved to the trash: kept in its forum %(days)s days."),
                    {"days": expires},
                ),
            )
    if archival is None or not protocol.forums[forum].archivable:
        return Placement(forum, None)
    to_trash = max(
        created_at + timedelta(days=archival.age_days_to_trash),
        last_activity + timedelta(days=archival.inactive_days_to_trash),
    )
    if now >= to_trash:
        return Placement(
            archival.trash_forum,
            to_trash,
            Reason(
                "archived_to_trash",
                gettext_noop(
                    "Moved to the trash: older than %(age)s days and quiet for %(quiet)s days."
                ),
                {"age": archival.age_days_to_trash, "quiet": archival.inactive_days_to_trash},
            ),
        )
    to_history = last_activity + timedelta(days=archival.inactive_days_to_history)
    if now >= to_history:
        return Placement(
            archival.history_forum,
            to_history,
            Reason(
                "archived_to_history",
                gettext_noop(
                    "Moved to the history: no activity for %(days)s days. A written request can rescue it."
                ),
                {"days": archival.inactive_days_to_history},
            ),
        )
    return Placement(forum, None)


@dataclass(frozen=True, slots=True)
class Boundaries:
    """The archival rule at one moment, as instants a database can compare with: a thread of
    an archivable forum is in Trash when created at or before `trash_created_before` and last
    active at or before `trash_quiet_before`; otherwise in History when last active at or
    before `history_quiet_before`. `thread_placement` is the same rule for one thread."""

    history_quiet_before: datetime
    trash_created_before: datetime
    trash_quiet_before: datetime


def boundaries(protocol: Protocol, now: datetime) -> Boundaries | None:
    archival = protocol.archival
    if archival is None:
        return None
    return Boundaries(
        history_quiet_before=now - timedelta(days=archival.inactive_days_to_history),
        trash_created_before=now - timedelta(days=archival.age_days_to_trash),
        trash_quiet_before=now - timedelta(days=archival.inactive_days_to_trash),
    )
