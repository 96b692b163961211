"""Issue 10 (part 4), UI-3: sign-in rate limits hold across workers without Redis (the cache
is the database's), and one account's failed sign-ins do not lock out the other people who
share its address (a household, an office, a NAT)."""

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from folkmoot.config.settings import base
from tests.factories import UserFactory

LIMITED = "Too many failed login attempts. Try again later."
PASSWORD = "correct-horse-battery"
DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": base.CACHE_TABLE,
    }
}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def sign_in(email: str, password: str) -> str:
    """Every client signs in from the same address (the test client's 127.0.0.1)."""
    return (
        Client().post("/accounts/login/", {"login": email, "password": password}).content.decode()
    )


def test_one_persons_failures_do_not_lock_out_others_at_the_same_address() -> None:
    UserFactory(email="alice@example.org")
    UserFactory(email="bob@example.org")
    pages = [sign_in("alice@example.org", "wrong-guess") for _ in range(6)]
    assert LIMITED in pages[5]

    bob = Client()
    response = bob.post("/accounts/login/", {"login": "bob@example.org", "password": PASSWORD})
    assert response.status_code == 302 and bob.get("/profile/").status_code == 200

    # Alice's account stays protected, even with the right password.
    assert LIMITED in sign_in("alice@example.org", PASSWORD)


def test_an_address_guessing_across_many_accounts_is_still_stopped() -> None:
    """The per-address limit is higher, not gone: 20 failures a minute."""
    for n in range(5):
        UserFactory(email=f"p{n}@example.org")
    pages = [sign_in(f"p{n % 5}@example.org", "wrong-guess") for n in range(21)]
    assert not any(LIMITED in page for page in pages[:20])
    assert LIMITED in pages[20]


def test_without_redis_the_cache_is_the_database() -> None:
    if base.REDIS_URL:
        pytest.skip("REDIS_URL is set: the cache is Redis")
    assert base.CACHES["default"]["BACKEND"] == DATABASE_CACHE["default"]["BACKEND"]


@override_settings(CACHES=DATABASE_CACHE)
def test_the_database_cache_shares_the_count_between_workers() -> None:
    """Five failures through one worker's cache; another worker (a cache object built
    afresh, nothing in memory) refuses the sixth: the count lives in the database."""
    call_command("createcachetable", verbosity=0)
    UserFactory(email="target@example.org")
    for _ in range(5):
        assert LIMITED not in sign_in("target@example.org", "wrong-guess")

    del caches["default"]  # the next request builds a new cache object, like a new process
    assert LIMITED in sign_in("target@example.org", PASSWORD)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {base.CACHE_TABLE}")
        assert cursor.fetchone()[0] > 0
