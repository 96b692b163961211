"""Sealed votes' background task (django.tasks, issue 16): checking a guardian's shuffle or
partial decryption against the whole archive, which takes minutes for many ballots."""

from __future__ import annotations

from datetime import datetime

from django.tasks import task


# A queue of its own: a check may take many minutes, and the emails must not wait behind it.
@task(queue_name="sealed")
def check_handed_task(handed_id: int, handed_at: str) -> str:
    from .handing import check_handed

    return check_handed(handed_id, datetime.fromisoformat(handed_at))
