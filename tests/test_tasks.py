"""Issue 12: background work goes through django.tasks. A notification someone wants by
email is handed to the task worker when the action commits, and the worker's task sends it
once; with REDIS_URL set, the tasks go to Redis (RQ) instead of the database."""

import json
import os
import subprocess
import sys
from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from folkmoot.decisions.models import Vote
from folkmoot.notifications.models import EmailPreference, Notification
from folkmoot.notifications.send import notify
from tests.factories import UserFactory, make_assembly


def _vote() -> Vote:
    now = timezone.now()
    return Vote.objects.create(
        assembly=make_assembly("town", title="Town"),
        title="Open a library?",
        method="choice",
        options=["Yes", "No"],
        opens_at=now,
        closes_at=now + timedelta(hours=3),
    )


def run_worker() -> None:
    """The database task worker, in this process and inside the test's transaction: it must
    not close the connection between tasks as a real worker does (the test settings keep no
    connection alive, and closing would end the test's transaction on PostgreSQL)."""
    from unittest import mock

    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        _call_worker()


def _call_worker() -> None:
    call_command(
        "db_worker",
        "--batch",
        "--queue-name",
        "*",
        "--no-startup-delay",
        "--no-reload",
        verbosity=0,
    )


def test_an_email_notice_is_sent_by_the_task_worker_once(db, django_capture_on_commit_callbacks):
    vote = _vote()
    keen, quiet = UserFactory(), UserFactory()
    EmailPreference.objects.create(user=quiet, channels={"vote_closing": "site"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify("vote_closing", [keen, quiet], vote=vote)
    assert mail.outbox == []  # the action only asks; the worker sends
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "folkmoot.notifications.tasks.deliver_emails"
    assert queued.queue_name == "mail"
    run_worker()
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    # Another task, or the worker's pass, finds nothing left to send.
    with django_capture_on_commit_callbacks(execute=True):
        notify("vote_closing", [keen], vote=vote)  # already told: nothing new
    run_worker()
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=keen, mailed_at__isnull=False).count() == 1


def test_nothing_is_queued_when_nobody_wants_an_email(db, django_capture_on_commit_callbacks):
    vote = _vote()
    person = UserFactory()
    EmailPreference.objects.create(user=person, channels={"result": "site"})
    with django_capture_on_commit_callbacks(execute=True):
        notify("result", [person], vote=vote)
    assert not DBTaskResult.objects.exists()


def test_the_worker_pass_asks_for_due_digests_and_the_task_worker_sends_them(db):
    """Digests go through django.tasks too: the pass only asks; the task sends each once."""
    from folkmoot.decisions.management.commands.settle import settle_once

    vote = _vote()
    person = UserFactory()
    EmailPreference.objects.create(user=person, channels={"result": "digest"})
    notify("result", [person], vote=vote)
    Notification.objects.filter(user=person).update(created_at=timezone.now() - timedelta(days=2))
    mail.outbox.clear()
    done = settle_once()
    assert done["mail_tasks"] == 1 and done["emails"] == 0 and mail.outbox == []
    [queued] = DBTaskResult.objects.filter(task_path__endswith="deliver_digests")
    assert queued.queue_name == "mail"
    settle_once()  # asked twice before the worker ran: still one digest
    run_worker()
    [digest] = mail.outbox
    assert digest.to == [person.email] and "Open a library?" in digest.body
    assert settle_once()["mail_tasks"] == 0  # nothing due any more


def test_where_the_queue_is_down_the_pass_mails_inline(db, monkeypatch):
    from folkmoot.decisions.management.commands.settle import settle_once
    from folkmoot.notifications import tasks

    class Down:
        name = "deliver_emails"

        def enqueue(self) -> None:
            raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "deliver_emails", Down())
    vote = _vote()
    person = UserFactory()
    notify("vote_closing", [person], vote=vote)  # email by default
    mail.outbox.clear()
    assert settle_once()["emails"] == 1
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_with_redis_the_tasks_go_to_rq(tmp_path):
    """The settings choose the backend: the database without REDIS_URL, RQ with it."""
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({'tasks': settings.TASKS['default']['BACKEND'], "
        "'rq': sorted(getattr(settings, 'RQ_QUEUES', {}))}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "folkmoot.config.settings.dev"}
    env["FOLKMOOT_DATA_DIR"] = str(tmp_path)
    env.pop("REDIS_URL", None)
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert json.loads(plain.stdout) == {"tasks": "django_tasks_db.DatabaseBackend", "rq": []}
    env["REDIS_URL"] = "redis://127.0.0.1:6379/9"
    redis = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert json.loads(redis.stdout) == {
        "tasks": "django_tasks_rq.RQBackend",
        "rq": ["default", "mail", "sealed"],
    }


def _redis_answers() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_with_redis_an_email_goes_through_rq_end_to_end(tmp_path):
    """Where Redis answers on 127.0.0.1:6379 (these machines): the development settings with
    REDIS_URL set queue the delivery in RQ, and an RQ worker sends it (into the outbox)."""
    import pytest

    if not _redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "folkmoot.config.settings.dev",
        "FOLKMOOT_DATA_DIR": str(tmp_path),
        "REDIS_URL": f"redis://127.0.0.1:6379/{10 + os.getpid() % 5}",
    }
    env.pop("DATABASE_URL", None)
    env.pop("EMAIL_HOST", None)
    folkmoot = os.path.join(os.path.dirname(sys.executable), "folkmoot")
    subprocess.run([folkmoot, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    write = (
        "import django; django.setup()\n"
        "from datetime import timedelta\n"
        "from django.db import transaction\n"
        "from django.utils import timezone\n"
        "import django_rq\n"
        "from folkmoot.accounts.models import User\n"
        "from folkmoot.decisions.models import Vote\n"
        "from folkmoot.federation.models import Assembly\n"
        "from folkmoot.notifications.send import notify\n"
        "django_rq.get_queue('mail').empty()\n"
        "person = User.objects.create_user(email='rq@example.org', password='x' * 12)\n"
        "now = timezone.now()\n"
        "vote = Vote.objects.create(title='Through Redis?', method='choice', options=['Yes'],"
        " opens_at=now, closes_at=now + timedelta(hours=2))\n"
        "with transaction.atomic():\n"
        "    notify('vote_closing', [person], vote=vote)\n"
        "print(django_rq.get_queue('mail').count)\n"
    )
    queued = subprocess.run(
        [sys.executable, "-c", write], env=env, capture_output=True, text=True, check=True
    )
    assert queued.stdout.strip().splitlines()[-1] == "1", queued.stderr[-2000:]
    subprocess.run(
        [folkmoot, "rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "mail"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    sent = list((tmp_path / "outbox").glob("*.json"))
    assert len(sent) == 1
    email = json.loads(sent[0].read_text())
    assert email["to"] == ["rq@example.org"] and "Through Redis?" in email["subject"]
