"""Background tasks (django.tasks, issue 12): every email the site sends about a notice, one
at a time or grouped in a digest, is sent by the task worker, never by a request or the
worker's clock pass.

- An action that writes a notice someone wants by email asks, once it has committed, for
  `deliver_emails`, which runs moments later.
- django.tasks has no clock, so the worker's pass (`folkmoot settle`) is the clock: each pass
  asks for `deliver_emails` when an email waits (a task lost with a queue that was down
  loses nothing) and for `deliver_digests` when someone's digest is due.
- Each task claims every row it sends once (`mailing`), so two tasks at once, or the same
  task asked for twice, never send an email twice. A task that stops at its time bound
  while more waits asks for itself again, so a large electorate drains without waiting for
  the next pass.
- Where the queue cannot be reached at all, the pass sends inline rather than not at all."""

from __future__ import annotations

import logging
from typing import Any

from django.tasks import task
from django.utils import timezone

log = logging.getLogger(__name__)

TASK_SECONDS = 60  # one task's share of the worker before it hands on to the next


@task(queue_name="mail")
def deliver_emails() -> int:
    from .mailing import emails_waiting, mail_pending

    sent = mail_pending(timezone.now(), max_seconds=TASK_SECONDS, digests=False)
    if sent and emails_waiting():
        _enqueue(deliver_emails)
    return sent


@task(queue_name="mail")
def deliver_digests() -> int:
    from .mailing import digests_due, mail_digests

    now = timezone.now()
    sent = mail_digests(now, max_seconds=TASK_SECONDS)
    if sent and digests_due(now, limit=1):
        _enqueue(deliver_digests)
    return sent


def _enqueue(what: Any) -> bool:
    try:
        what.enqueue()
    except Exception:
        log.exception("could not enqueue %s", what.name)
        return False
    return True


def ask_for_delivery() -> None:
    """Called on commit: a failure to enqueue is logged, never raised into the request."""
    _enqueue(deliver_emails)


def ask_for_mail() -> dict[str, int]:
    """The worker's pass: ask the task worker for what waits. Returns what was asked for
    ("asked") and what had to be sent inline because the queue was unreachable ("sent")."""
    from .mailing import digests_due, emails_waiting, mail_digests, mail_pending

    now = timezone.now()
    asked = sent = 0
    if emails_waiting():
        if _enqueue(deliver_emails):
            asked += 1
        else:
            sent += mail_pending(now, digests=False)
    if digests_due(now, limit=1):
        if _enqueue(deliver_digests):
            asked += 1
        else:
            sent += mail_digests(now)
    return {"asked": asked, "sent": sent}
