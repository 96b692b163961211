"""`folkmoot archive_threads`: write down where time has placed each thread (FOR-3).

Readers never depend on this: the placement is computed when read. The job only records
each move once, in the thread and the audit log. Safe to run twice, late, or on several
workers at once: each move is a conditional UPDATE that only one run can win."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.federation.models import Assembly
from folkmoot.forums.models import Thread
from folkmoot.forums.selectors import in_forum
from folkmoot.protocols.selectors import protocol_in_force


class Command(BaseCommand):
    help = "Record the archival moves (History, Trash) that time has made since the last run."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        moved = 0
        for assembly in Assembly.objects.filter(threads__isnull=False).distinct():
            in_force = protocol_in_force(assembly)
            archival = in_force.protocol.archival if in_force else None
            if in_force is None or archival is None:
                continue
            protocol = in_force.protocol
            for target in (archival.history_forum, archival.trash_forum):
                due = (
                    Thread.objects.filter(assembly=assembly, moved_to="")
                    .filter(in_forum(protocol, target, now))
                    .exclude(forum_key=target)
                    .exclude(archived_to=target)
                    .values_list("pk", "archived_to")
                )
                for pk, was in list(due[:10_000]):
                    if (
                        Thread.objects.filter(pk=pk, archived_to=was).update(archived_to=target)
                        == 1
                    ):
                        record(
                            "forum.archived", assembly=assembly, subject=Thread(pk=pk), to=target
                        )
                        moved += 1
        self.stdout.write(f"{moved}")
