"""UI-3: registration with confirmation, password rules, sign-in rate limit, profile."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from folkmoot.accounts.models import User
from tests.conftest import World, client_for
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def signup(client: Client, password: str = "plural-moots-gather", **extra: str):  # type: ignore[no-untyped-def]
    data = {
        "email": "new@example.org",
        "display_name": "Newcomer",
        "password1": password,
        "password2": password,
    }
    data.update(extra)
    return client.post("/accounts/signup/", data)


@pytest.mark.django_db
def test_registration_sends_a_confirmation_link_that_activates_sign_in():
    client = Client()
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.display_name == "Newcomer"
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", message.body)
    assert link
    # Before confirming, signing in is held at the verification step.
    assert (
        Client()
        .post("/accounts/login/", {"login": "new@example.org", "password": "plural-moots-gather"})
        .url
        != "/"
    )
    client.post(link.group(1))
    assert user.emailaddress_set.get().verified
    signed_in = Client()
    assert (
        signed_in.post(
            "/accounts/login/", {"login": "new@example.org", "password": "plural-moots-gather"}
        ).url
        == "/"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "language", "message"),
    [
        ("short1x", "en", "This password is too short. It must contain at least 10 characters."),
        (
            "short1x",
            "es",
            "La contraseña es demasiado corta. Debe contener por lo menos 10 caracteres.",
        ),
        (
            "short1x",
            "fr",
            "Ce mot de passe est trop court. Il doit contenir au minimum 10 caractères.",
        ),
        ("short1x", "ja", "このパスワードは短すぎます。最低 10 文字以上必要です。"),
        ("password1234", "en", "This password is too common."),
        ("12345678901234", "en", "This password is entirely numeric."),
        ("newcomer@example", "en", "The password is too similar to the"),
    ],
)
def test_password_rules_explain_themselves_in_each_language(
    password: str, language: str, message: str
):
    response = signup(Client(HTTP_ACCEPT_LANGUAGE=language), password, email="newcomer@example.org")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_failed_sign_ins_are_rate_limited():
    UserFactory(email="target@example.org")
    client = Client()
    limited = "Too many failed login attempts. Try again later."
    pages = [
        client.post(
            "/accounts/login/", {"login": "target@example.org", "password": "wrong-guess"}
        ).content.decode()
        for _ in range(6)
    ]
    assert not any(limited in page for page in pages[:5])
    assert limited in pages[5]
    # Even the right password waits until the window has passed.
    response = client.post(
        "/accounts/login/", {"login": "target@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200 and limited in response.content.decode()


@pytest.mark.django_db
def test_password_reset_mails_a_link():
    UserFactory(email="forgetful@example.org")
    Client().post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_profile_keeps_birth_date_language_and_attributes(world: World):
    client = client_for(world.bob)
    response = client.post(
        "/profile/",
        {
            "display_name": "Bobby",
            "language": "fr",
            "birth_date": "2000-05-01",
            "attributes": ["disabled", "carer"],
        },
    )
    # Issue 13: attributes are special-category data: without consent, nothing is kept.
    assert response.status_code == 200
    assert "Tick the consent to declare an attribute" in response.content.decode()
    response = client.post(
        "/profile/",
        {
            "display_name": "Bobby",
            "language": "fr",
            "birth_date": "2000-05-01",
            "attributes": ["disabled", "carer"],
            "consent": "on",
        },
    )
    assert response.status_code == 302
    world.bob.refresh_from_db()
    assert (world.bob.display_name, world.bob.language, str(world.bob.birth_date)) == (
        "Bobby",
        "fr",
        "2000-05-01",
    )
    assert sorted(world.bob.attributes) == ["carer", "disabled"]
    assert '<html lang="fr">' in client.get("/profile/").content.decode()


def test_profile_refuses_a_future_birth_date_and_changes_nothing(world: World):
    response = client_for(world.bob).post(
        "/profile/", {"display_name": "Bob", "birth_date": "2999-01-01"}
    )
    assert response.status_code == 200
    assert "The birth date cannot be in the future." in response.content.decode()
    world.bob.refresh_from_db()
    assert world.bob.birth_date is None


def test_api_token_is_shown_once_and_stored_hashed(world: World):
    response = client_for(world.bob).post("/profile/tokens/", {"name": "my script"})
    raw = re.search(r"fm_[\w-]+", response.content.decode()).group(0)  # type: ignore[union-attr]
    token = world.bob.api_tokens.get()
    assert (
        token.key_hash != raw
        and raw not in client_for(world.bob).get("/profile/tokens/").content.decode()
    )
    assert (
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["display_name"]
        == "Bob"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["display_name", "language", "attributes"])
def test_a_profile_field_sent_as_null_is_named_not_a_server_error(field: str) -> None:
    """Issue 10 §5 (found by the schema fuzzer): null where a value is required is a 422."""
    from tests.api.test_assemblies_api import bearer

    person = UserFactory(display_name="Pat")
    answer = Client().patch(
        "/api/v1/me", {field: None}, content_type="application/json", **bearer(person)
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    person.refresh_from_db()
    assert person.display_name == "Pat"
