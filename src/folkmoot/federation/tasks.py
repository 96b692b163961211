"""The federation's background tasks (django.tasks, issue 13): applying a confirmed member
roll in batches, and mailing the invitations it made."""

from __future__ import annotations

from django.tasks import task


@task()
def apply_roll_task(roll_id: int) -> dict[str, int]:
    from .roll_apply import apply_roll

    return apply_roll(roll_id)


@task(queue_name="mail")
def send_invitations_task() -> int:
    from .invitations import send_invitations

    return send_invitations()
