"""`folkmoot settle [--loop]`: the worker. Materialises results that are due, opens the
fallback STAR votes of failed consensus, opens and settles elections, and sends the
"closes within 24 h" reminders, tells electorates that voting opened and that results
are published, watches what changes with time alone (consensus rounds, proposals reaching
an office, sanctions lapsing, terms ending), and asks the task worker to mail notifications
and the digests that are due (notifications.tasks). Safe to run twice or on several machines
at once: every write it makes is unique (DESIGN.md "Time"), and nothing's correctness waits
for it — pages settle what they read."""

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from folkmoot.decisions import notify
from folkmoot.decisions.box import reclaim_box_space
from folkmoot.decisions.settle import due_consensus, due_votes, settle_proposal, settle_vote
from folkmoot.notifications.tasks import ask_for_mail
from folkmoot.notifications.watch import watch
from folkmoot.offices.elections import settle_elections

log = logging.getLogger(__name__)


def _each(items: Iterable[Any], act: Callable[[Any], Any]) -> int:
    """Act on each item; one that fails is logged and left for the next pass, so a single
    broken vote cannot stop every other result and notice behind it."""
    done = 0
    for item in items:
        try:
            done += bool(act(item))
        except Exception:
            log.exception("settle: %r failed", item)
    return done


def settle_once() -> dict[str, int]:
    now = timezone.now()
    votes = _each(due_votes(now), lambda v: settle_vote(v, now) is not None)
    reclaim_box_space()  # opened boxes (by this pass or by pages) leave no old row versions
    _each(due_consensus(now), lambda p: settle_proposal(p, now))
    elections = settle_elections(now)
    from folkmoot.sealed.closing import due_sealed, move_on

    # Issue 16: sealed votes open (the election is built) and end (the box is closed and the
    # first guardian told to shuffle) without waiting for someone to read them.
    _each(due_sealed(now), lambda e: move_on(e, now))
    from folkmoot.sealed.handing import ask_again

    ask_again(now)  # guardians' files whose check the task queue lost
    from folkmoot.decisions.amending import (
        apply_agreed_urgent_changes,
        lapse_overdue_urgent_changes,
    )

    apply_agreed_urgent_changes()  # art. 3: the last holder to agree has left office
    lapse_overdue_urgent_changes(now)  # art. 3: its referendum did not open in time
    from folkmoot.moots.reminders import remind  # the worker runs every room's pass
    from folkmoot.moots.series import continue_series

    continue_series(now)  # before the reminders: a moot planned now may start within a day
    from folkmoot.offices.absences import tell_of_quiet_holders

    notified = (
        notify.closing_soon(now)
        + notify.pending(now)
        + watch(now)
        + remind(now)
        + tell_of_quiet_holders(now)
    )
    mail = ask_for_mail()
    return {
        "votes": votes,
        "elections": elections,
        "notifications": notified,
        "mail_tasks": mail["asked"],
        "emails": mail["sent"],
    }


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
                f"elections={done['elections']} notifications={done['notifications']} "
                f"mail_tasks={done['mail_tasks']} emails={done['emails']}"
            )
            if not options["loop"] or (options["passes"] and passes >= options["passes"]):
                return
            time.sleep(max(1.0, options["interval"]))
