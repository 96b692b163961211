"""Background tasks (django.tasks, issue 12). An action that writes notifications someone
wants by email asks, once it has committed, for them to be sent: `deliver_emails` runs in
the task worker moments later instead of waiting for the worker's next pass. It mails every
email notice not mailed yet (`mailing.mail_pending`, which claims each row once), so two
tasks at once, or a task and the worker's pass, never send one twice; and a task that is
lost (a queue down when the action committed) loses nothing: the pass mails it anyway."""

from __future__ import annotations

import logging

from django.tasks import task
from django.utils import timezone

log = logging.getLogger(__name__)


@task(queue_name="mail")
def deliver_emails() -> int:
    from .mailing import mail_pending

    return mail_pending(timezone.now(), max_seconds=60, digests=False)


def ask_for_delivery() -> None:
    """Called on commit: a failure to enqueue is logged, never raised into the request."""
    try:
        deliver_emails.enqueue()
    except Exception:
        log.exception("could not enqueue the delivery of notification emails")
