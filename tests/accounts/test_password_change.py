"""Issue 10 (part 4), UI-3: a new password is a fresh start. Changing it (or resetting it
from the emailed link) signs the person out on every other device, keeps the browser they
used signed in, and revokes every API token made before; the tokens page says so."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from folkmoot.accounts.models import ApiToken, User
from folkmoot.audit.models import AuditEvent
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.factories import UserFactory

OLD = "correct-horse-battery"
NEW = "a-fresh-moot-password-42"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def signed_in(client: Client) -> bool:
    return client.get("/profile/").status_code == 200


def test_changing_the_password_ends_other_sessions_and_revokes_tokens() -> None:
    person = UserFactory(email="pat@example.org")
    laptop, phone = client_for(person), client_for(person)
    token = bearer(person)
    assert Client().get("/api/v1/me", **token).status_code == 200

    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": OLD, "password1": NEW, "password2": NEW},
    )
    assert response.status_code == 302

    assert signed_in(laptop)  # the browser that changed it stays signed in
    assert not signed_in(phone)  # every other session ends
    assert Client().get("/api/v1/me", **token).status_code == 401
    assert not ApiToken.objects.active().filter(user=person).exists()
    assert AuditEvent.objects.filter(verb="account.password_change").exists()

    page = laptop.get("/profile/tokens/").content.decode()
    assert "Revoked tokens" in page
    assert "revoked when your password was changed or reset" in page


def test_the_person_is_told_what_happened() -> None:
    person = UserFactory()
    bearer(person)
    bearer(person)
    laptop = client_for(person)
    page = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": OLD, "password1": NEW, "password2": NEW},
        follow=True,
    ).content.decode()
    assert "You are now signed out on every other device." in page
    assert "Your 2 API tokens were revoked: make new ones for your programs." in page


def test_a_token_made_after_the_change_works() -> None:
    person = UserFactory()
    laptop = client_for(person)
    laptop.post(
        "/accounts/password/change/", {"oldpassword": OLD, "password1": NEW, "password2": NEW}
    )
    assert Client().get("/api/v1/me", **bearer(person)).status_code == 200


def test_a_wrong_old_password_changes_nothing() -> None:
    person = UserFactory()
    laptop, phone = client_for(person), client_for(person)
    token = bearer(person)
    laptop.post(
        "/accounts/password/change/",
        {"oldpassword": "not-my-password", "password1": NEW, "password2": NEW},
    )
    assert signed_in(phone)
    assert Client().get("/api/v1/me", **token).status_code == 200


def test_resetting_the_password_ends_sessions_and_revokes_tokens() -> None:
    person = UserFactory(email="forgetful@example.org")
    phone = client_for(person)
    token = bearer(person)

    browser = Client()
    browser.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    link = re.search(r"http://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link is not None
    form = browser.get(link.group(1), follow=True)
    response = browser.post(form.redirect_chain[-1][0], {"password1": NEW, "password2": NEW})
    assert response.status_code == 302

    assert User.objects.get(pk=person.pk).check_password(NEW)
    assert not signed_in(phone)
    assert Client().get("/api/v1/me", **token).status_code == 401
    assert AuditEvent.objects.filter(verb="account.password_reset").exists()


def test_a_password_set_by_staff_in_the_admin_revokes_the_tokens_too() -> None:
    person = UserFactory(email="sam@example.org")
    raw = bearer(person)
    assert Client().get("/api/v1/me", **raw).status_code == 200
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    response = client_for(staff).post(
        f"/admin/accounts/user/{person.pk}/password/",
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert Client().get("/api/v1/me", **raw).status_code == 401
    assert AuditEvent.objects.filter(verb="account.password_admin", subject_id=person.pk).exists()


def test_signing_out_tells_the_browser_to_forget_what_pages_kept() -> None:
    """docs/secrecy.md: a ballot's change code kept in the browser goes at sign-out."""
    person = UserFactory(email="kim@example.org")
    browser = client_for(person)
    assert "Clear-Site-Data" not in browser.get("/profile/").headers
    signed_out = browser.post("/accounts/logout/")
    assert signed_out.headers["Clear-Site-Data"] == '"storage"'
    assert not signed_in(browser)
