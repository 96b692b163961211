"""Settings shared by every environment. Environment variables: DATABASE_URL, REDIS_URL,
EMAIL_URL-style SMTP settings (EMAIL_HOST…), SECRET_KEY, ALLOWED_HOSTS, CONN_MAX_AGE
(seconds a database connection is kept, 60) and ANONYMOUS_PAGE_SECONDS (how long visitors
who are not signed in share a forum or thread page's content, 10; 0 turns it off)."""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent  # src/folkmoot
BASE_DIR = PACKAGE_DIR.parent.parent  # the repository
DATA_DIR = Path(os.environ.get("FOLKMOOT_DATA_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-7c1d5f0e2b9a4d3c8e6f")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "daphne",  # runserver speaks ASGI, so chat's WebSockets work in development too
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_countries",  # a federation's country, named in the reader's language
    "allauth",
    "allauth.account",
    "allauth.mfa",  # passkeys, authenticator apps, recovery codes (issue 13)
    "ninja",
    "folkmoot.accounts",
    "folkmoot.audit",
    "folkmoot.federation",
    "folkmoot.offices",
    "folkmoot.protocols",
    "folkmoot.decisions",
    "folkmoot.projects",
    "folkmoot.forums",
    "folkmoot.moderation",
    "folkmoot.chat",
    "folkmoot.conversations",
    "folkmoot.moots",
    "folkmoot.attachments",
    "folkmoot.amendments",
    "folkmoot.sealed",
    "folkmoot.notifications",
    "folkmoot.agenda",
    "folkmoot.demo",
    "channels",
    "folkmoot.pages",
    "folkmoot.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "folkmoot.regions.CountryMiddleware",  # dates by the page's federation's country
    # After the language is known (its error is translated), before anything reads input.
    "folkmoot.nul.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "folkmoot.accounts.middleware.UserLanguageMiddleware",
    "folkmoot.accounts.middleware.ForgetOnSignOutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "folkmoot.accounts.two_step.TwoStepMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "folkmoot.config.urls"
WSGI_APPLICATION = "folkmoot.config.wsgi.application"
ASGI_APPLICATION = "folkmoot.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "folkmoot.pages.context_processors.cookie_consent",
                "folkmoot.notifications.context_processors.unread",
                "folkmoot.conversations.context_processors.unread",
                "folkmoot.accounts.two_step.banner",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'folkmoot.sqlite3'}",
        # Persistent connections: opening one per request is most of a cheap page's time.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; a busy timeout instead of "locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete: a deleted row's bytes are overwritten, not left in free pages (the
        # ballot box is deleted at the close, docs/secrecy.md).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
        ),
    }
else:
    # Server-side parameters, so that a statement's text is the same for every person and
    # psycopg prepares it after its second run on a connection: PostgreSQL then plans the
    # hot statements (a ballot's vote and token lookups, a page's access check) once per
    # connection instead of on every request, which was about a millisecond each (issue 11,
    # bench/voting.py). A pooler in front must keep prepared statements (PgBouncer ≥ 1.21
    # with max_prepared_statements, docs/scaling.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_TABLE = "folkmoot_cache"
if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Issue 11: a signed-in request reads its session from Redis, not from the database;
    # the database still holds it, so a Redis restart signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Without Redis the cache lives in the database, so every worker shares it: sign-in rate
    # limits count across processes (issue 10). `folkmoot migrate` creates the table (see
    # accounts' migration 0003), as does `folkmoot createcachetable`.
    # Its default of 300 entries would be outgrown by the pages signed-in readers keep (issue
    # 11), and on overflow it deletes keys in alphabetical order, sign-in rate limits first.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }

# Forum and thread pages: the content a visitor who is not signed in sees is rendered once
# every this many seconds and shared between such visitors (pages/shared.py, issue 11).
ANONYMOUS_PAGE_SECONDS = int(os.environ.get("ANONYMOUS_PAGE_SECONDS", "10"))

# Chat's live updates: in memory within one process by default, Redis across workers.
# Background tasks (django.tasks, issue 12): the notification emails go out as soon as the
# action that wrote them commits. In the database by default (django-tasks-db; its worker:
# `folkmoot db_worker --queue-name '*'`); in Redis when REDIS_URL is set (django-tasks-rq;
# its worker: `folkmoot rqworker --job-class django_tasks_rq.Job default mail sealed`).
# "sealed": checking a guardian's shuffle of a sealed vote against its whole archive, minutes
# for thousands of ballots (issue 16); a worker of its own keeps the emails from waiting.
TASK_QUEUES = ["default", "mail", "sealed"]
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # Such a check may run an hour; RQ's default limit (for the others) is 3 minutes.
    RQ_QUEUES = {
        name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600 if name == "sealed" else 180}
        for name in TASK_QUEUES
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
else:
    INSTALLED_APPS += ["django_tasks_db"]
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# UI-3: at least as strict as Decidim (10 characters, not common, not like the name/email).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email is the identity; confirmation is required before signing in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Two-step sign-in (issue 13): an authenticator app (TOTP) or a passkey, with recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
FOLKMOOT_TWO_STEP_ENFORCED = True  # accounts.two_step
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = os.environ.get("SITE_NAME", "Folkmoot")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "folkmoot.accounts.forms.SignupForm"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Subjects and greetings name SITE_NAME, not the host it was reached at.
ACCOUNT_ADAPTER = "folkmoot.accounts.adapter.AccountAdapter"
# Failed sign-ins are rate-limited per account (5 in 5 minutes, issue 2) and, much more
# loosely, per address (20 a minute): many people share one address behind a NAT, and one
# person's typos must not lock them all out (issue 10). A successful sign-in counts nothing.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,5/5m/key"}
# Private messages (FOR-6): how many one person may send in any minute (0: no limit),
# counted in the same cache as the sign-in limits (conversations.pace).
PRIVATE_MESSAGES_PER_MINUTE = int(os.environ.get("PRIVATE_MESSAGES_PER_MINUTE", "20"))
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

# Email: printed to the console unless an SMTP host is configured (Django 6.1 MAILERS).
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": os.environ.get("EMAIL_USE_TLS", "1") == "1",
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# The site's name, as people know it: the sender of its emails and their subjects.
SITE_NAME = os.environ.get("SITE_NAME", "Folkmoot")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@folkmoot.invalid>")
# Absolute links in emails and feeds, which are read away from the site.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("ja", "日本語")]
# English dates in day-month order with a 24-hour clock (folkmoot/formats/en).
FORMAT_MODULE_PATH = ["folkmoot.formats"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/London"
# The language cookie is a preference: it is set only with consent (UI-2); see pages.views.
LANGUAGE_COOKIE_NAME = "folkmoot_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# FOR-7: images and files on posts, proposals and moots (folkmoot.attachments). They are kept
# in the "attachments" storage, never at a public URL: a view serves them to whoever may read
# what they are attached to. Files under DATA_DIR/attachments by default; an S3-compatible
# bucket when ATTACHMENTS_S3_BUCKET is set (django-storages: ATTACHMENTS_S3_ENDPOINT_URL for
# a provider other than AWS, ATTACHMENTS_S3_REGION; credentials from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or the machine's role, as boto3 finds them).
ATTACHMENTS_STORAGE: dict[str, Any]
if os.environ.get("ATTACHMENTS_S3_BUCKET"):
    ATTACHMENTS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ATTACHMENTS_S3_BUCKET"],
            "endpoint_url": os.environ.get("ATTACHMENTS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ATTACHMENTS_S3_REGION") or None,
            "location": os.environ.get("ATTACHMENTS_S3_PREFIX", "attachments"),
            "default_acl": "private",  # read only through the view that checks the reader
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    ATTACHMENTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "attachments", "base_url": None},
    }
STORAGES["attachments"] = ATTACHMENTS_STORAGE
# Limits (FOR-7): per file, as uploaded; per post, proposal or moot (removed ones count: their
# bytes are kept); the pixels an image may have to be decoded at all (Pillow's
# MAX_IMAGE_PIXELS, against decompression bombs); the longest side of a stored image and of
# its thumbnail. A reverse proxy in front should cap request bodies near the first too
# (nginx client_max_body_size): Django reads an upload before a view can refuse it.
ATTACHMENTS_MAX_BYTES = int(os.environ.get("ATTACHMENTS_MAX_BYTES", str(8 * 1024 * 1024)))
ATTACHMENTS_PER_THING = int(os.environ.get("ATTACHMENTS_PER_THING", "10"))
ATTACHMENTS_MAX_PIXELS = int(os.environ.get("ATTACHMENTS_MAX_PIXELS", "40000000"))
ATTACHMENTS_IMAGE_MAX_SIDE = 2560
ATTACHMENTS_THUMBNAIL_SIDE = 320
# An attachment past ATTACHMENTS_MAX_BYTES stops being stored as it arrives (it is refused as
# too big, not first written whole to a temporary file); then Django's own handlers.
FILE_UPLOAD_HANDLERS = [
    "folkmoot.attachments.uploads.LimitedUpload",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's built-in CSP: scripts only from us, inline ones only with the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Cookie consent categories (UI-2): essential is always on and cannot be refused.
COOKIE_CATEGORIES = [
    ("essential", _("Essential")),
    ("preferences", _("Preferences")),
    ("analytics", _("Analytics and statistics")),
    ("marketing", _("Marketing")),
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
