import tempfile
from pathlib import Path
from typing import Any

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Never the data directory: tests/attachments gives each test its own folder besides.
_TEST_ATTACHMENTS: dict[str, Any] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": Path(tempfile.gettempdir()) / "folkmoot-test-attachments"},
}
STORAGES["attachments"] = _TEST_ATTACHMENTS
WHITENOISE_AUTOREFRESH = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": None}  # in memory
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA secure_delete=ON;",  # as in production (docs/secrecy.md)
    }

# Tests open and drop databases: no connection may outlive its request (live servers run
# requests in their own threads).
DATABASES["default"]["CONN_MAX_AGE"] = 0

# The suite keeps a per-process cache: the database cache (base.py's default without Redis)
# would add queries to every page's query-count bound. tests/accounts/test_shared_cache.py
# checks the database cache itself.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tests write and read back at once: no page content is shared between anonymous visitors,
# except in tests/forums/test_shared_pages.py, which turns it on.
ANONYMOUS_PAGE_SECONDS = 0
# Two-step sign-in is enforced only in the tests of it (tests/accounts/test_two_step.py):
# elsewhere, tests travel past the grace with office holders who have no authenticator.
FOLKMOOT_TWO_STEP_ENFORCED = False
