"""`folkmoot settle [--loop]`: the worker. Materialises results that are due, opens the
fallback STAR votes of failed consensus, opens and settles elections, and sends the
"closes within 24 h" reminders, and tells electorates that voting opened and that results
are published. Safe to run twice or on several machines at once: every
write it makes is unique (DESIGN.md "Time"), and nothing's correctness waits for it —
pages settle what they read."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from folkmoot.decisions import notify
from folkmoot.decisions.settle import due_consensus, due_votes, settle_proposal, settle_vote
from folkmoot.offices.elections import settle_elections


def settle_once() -> dict[str, int]:
    now = timezone.now()
    votes = sum(settle_vote(v, now) is not None for v in due_votes(now))
    for proposal in due_consensus(now):
        settle_proposal(proposal, now)
    elections = settle_elections(now)
    notified = notify.closing_soon(now) + notify.pending(now)
    return {"votes": votes, "elections": elections, "notifications": notified}


class Command(BaseCommand):
    help = "Materialise due results, open and settle elections, notify (the worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between passes")
        parser.add_argument(
            "--passes", type=int, default=0, help="stop after this many passes (0: no limit)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        passes = 0
        while True:
            done = settle_once()
            passes += 1
            self.stdout.write(
                f"{timezone.now():%Y-%m-%d %H:%M:%S} votes={done['votes']} "
                f"elections={done['elections']} notifications={done['notifications']}"
            )
            if not options["loop"] or (options["passes"] and passes >= options["passes"]):
                return
            time.sleep(max(1.0, options["interval"]))
