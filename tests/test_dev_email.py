"""Issue 12: emails name the site, not the address it was reached at, and in development they
are kept readable (`/dev/outbox/`, `folkmoot outbox`) with links that work."""

import io

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings

from folkmoot.notifications.outbox import latest
from tests.factories import UserFactory

OUTBOX = {"default": {"BACKEND": "folkmoot.notifications.outbox.OutboxBackend"}}


def test_account_emails_name_the_site_not_the_host(db):
    person = UserFactory()
    mail.outbox.clear()
    Client().post("/accounts/password/reset/", {"email": person.email})
    [message] = mail.outbox
    assert message.subject.startswith(f"[{settings.SITE_NAME}] ")
    assert message.from_email.startswith(f"{settings.SITE_NAME} <")
    assert f"Hello from {settings.SITE_NAME}!" in message.body
    assert "testserver" not in message.body.split("http")[0]


def test_development_keeps_emails_readable_with_working_links(db, tmp_path):
    person = UserFactory()
    with override_settings(MAILERS=OUTBOX, DATA_DIR=tmp_path, DEBUG=True):
        Client().post("/accounts/password/reset/", {"email": person.email})
        [kept] = latest()
        assert kept["to"] == [person.email]
        link = next(
            word for word in kept["body"].split() if "/accounts/password/reset/key/" in word
        )
        assert "=\n" not in kept["body"]  # not quoted-printable: the link is whole
        page = Client().get("/dev/outbox/").content.decode()
        assert f'<a href="{link}"' in page
        out = io.StringIO()
        call_command("outbox", "-n", "1", stdout=out)
        assert link in out.getvalue()


def test_the_outbox_page_is_only_for_development(db, tmp_path):
    with override_settings(DATA_DIR=tmp_path, DEBUG=False):
        assert Client().get("/dev/outbox/").status_code == 404
