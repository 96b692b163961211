import os

from .base import *  # noqa: F403

DEBUG = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": STORAGES["attachments"],  # noqa: F405  base.py's: DATA_DIR or a bucket
}

# The embedded SQLite database lives here; create the folder on first use.
DATA_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Without a mail server, emails are kept readable in DATA_DIR/outbox: /dev/outbox/ and
# `folkmoot outbox` show them with working links (issue 12).
if not os.environ.get("EMAIL_HOST"):
    MAILERS = {"default": {"BACKEND": "folkmoot.notifications.outbox.OutboxBackend"}}
# Passkeys on http://127.0.0.1 in development (browsers treat loopback as secure; fido2 is
# told so too). Never in production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
