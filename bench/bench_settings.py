"""Settings for the load benchmark (bench/forums.py): the shared base settings with DEBUG off,
as production runs, but without production's HTTPS redirect and secure cookies, so the
benchmark can talk plain HTTP to gunicorn on loopback. The dev settings cannot be used: they
force DEBUG on, which keeps every SQL query in memory and changes what is measured.

The database comes from the environment as in base: DATABASE_URL (the benchmark's throwaway
PostgreSQL database), or SQLite in FOLKMOOT_DATA_DIR (a temporary directory)."""

import os

from folkmoot.config.settings.base import *  # noqa: F403
from folkmoot.config.settings.base import DATA_DIR, STATIC_ROOT

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# No collectstatic in a throwaway directory: {% static %} must not need a manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The SQLite file, and WhiteNoise's (empty) static root, which it warns about when missing.
DATA_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# bench/moot_room.py: the channel layer production uses with Redis (channels_redis), under a
# prefix of the run's own so that nothing else on that Redis is read or written; sessions and
# the cache stay in the database, as without REDIS_URL. "memory" where no Redis answers.
if os.environ.get("FOLKMOOT_BENCH_CHANNELS") == "redis":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": ["redis://127.0.0.1:6379/0"],
                "prefix": f"folkmoot-bench-{os.environ.get('FOLKMOOT_BENCH_RUN', os.getpid())}",
            },
        }
    }
elif os.environ.get("FOLKMOOT_BENCH_CHANNELS") == "memory":
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# bench/forums.py --redis: the cache and the sessions where production keeps them when
# REDIS_URL is set (base settings: RedisCache, cached_db sessions), under a key prefix of the
# run's own, which the benchmark deletes at the end; tasks stay in the database, so nothing
# is queued on that Redis for a worker to find.
BENCH_REDIS = os.environ.get("FOLKMOOT_BENCH_REDIS", "")
if BENCH_REDIS:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": BENCH_REDIS,
            "KEY_PREFIX": f"folkmoot-bench-{os.environ.get('FOLKMOOT_BENCH_RUN', os.getpid())}",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
