from .base import *  # noqa: F403

DEBUG = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The embedded SQLite database lives here; create the folder on first use.
DATA_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
