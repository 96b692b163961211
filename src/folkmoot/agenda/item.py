"""One thing that needs a person now, as the home page and `GET /api/v1/me/agenda` show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from folkmoot.federation.models import Assembly

# A vote closing within this is shown as urgent.
SOON = timedelta(hours=24)
TERM_NOTICE = timedelta(days=14)


@dataclass(frozen=True)
class Item:
    kind: (
        str  # vote, election, join_requests, coordination, sanction_to_back, my_sanction, candidacy
    )
    summary: str  # what waits, one translated sentence
    title: str  # what it is about, as its author wrote it (escaped where shown); "" for a queue
    assembly: Assembly
    action: str  # the one thing to do, translated
    url: str
    deadline: datetime | None = None
    urgent: bool = False
    count: int = 1  # how many things wait behind it (join requests, reports)
    # What the deadline is (it closes, it lapses, it opens, it ends), translated.
    deadline_label: str = ""
