import atexit

from django.apps import AppConfig
from django.core.signals import request_finished
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.tasks.signals import task_finished
from django.utils.translation import gettext_lazy as _
from django_tasks.signals import task_finished as backport_task_finished


class AgendaConfig(AppConfig):
    name = "folkmoot.agenda"
    label = "agenda"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        from . import changes

        # Every connection, the worker's and management commands' too, renews the kept
        # agendas' token when it writes what they read (agenda/changes.py).
        connection_created.connect(changes.watch, dispatch_uid="folkmoot.agenda.watch")
        request_finished.connect(changes.flush, dispatch_uid="folkmoot.agenda.flush")
        # A command or a shell sends neither signal above: a write it left pending is
        # renewed as the process ends.
        atexit.register(changes.flush)
        # Sent once per app with models (this one has none) around a `migrate`.
        pre_migrate.connect(changes.migrating, dispatch_uid="folkmoot.agenda.pre")
        post_migrate.connect(changes.migrated, dispatch_uid="folkmoot.agenda.post")
        # The database worker sends Django's signal; the Redis worker, the backport's.
        task_finished.connect(changes.flush, dispatch_uid="folkmoot.agenda.flush_task")
        backport_task_finished.connect(changes.flush, dispatch_uid="folkmoot.agenda.flush_rq")
