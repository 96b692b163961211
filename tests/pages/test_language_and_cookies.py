"""UI-1 (four languages, switcher, browser language) and UI-2 (cookie consent)."""

import json

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from folkmoot.pages.consent import COOKIE_NAME
from tests.conftest import World, client_for


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "assemblies"),
    [("en", "Assemblies"), ("es", "Asambleas"), ("fr", "Assemblées"), ("ja", "アセンブリ")],
)
def test_the_browser_language_is_followed(language: str, assemblies: str):
    html = Client(HTTP_ACCEPT_LANGUAGE=language).get("/assemblies/").content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{assemblies}</h1>" in html


@pytest.mark.django_db
def test_switcher_remembers_the_choice_for_the_session_without_a_language_cookie():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/language/", {"language": "ja", "next": "/assemblies/"})
    assert response.url == "/assemblies/"
    assert "folkmoot_language" not in response.cookies  # no preference consent yet
    assert '<html lang="ja">' in client.get("/assemblies/").content.decode()


@pytest.mark.django_db
def test_switcher_sets_a_lasting_cookie_only_with_preference_consent():
    client = Client()
    client.cookies[COOKIE_NAME] = json.dumps(
        {"preferences": True, "analytics": False, "marketing": False}
    )
    response = client.post("/language/", {"language": "es", "next": "/"})
    assert response.cookies["folkmoot_language"].value == "es"


@pytest.mark.django_db
def test_switcher_ignores_unknown_languages_and_foreign_redirects():
    response = Client().post("/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response.url == "/"


def test_switcher_saves_the_language_in_the_profile(world: World):
    client_for(world.alice).post("/language/", {"language": "fr"})
    world.alice.refresh_from_db()
    assert world.alice.language == "fr"


@pytest.mark.django_db
def test_dates_and_plurals_follow_the_locale(world: World):
    html = (
        Client(HTTP_ACCEPT_LANGUAGE="fr").get(world.federation.get_absolute_url()).content.decode()
    )
    assert "2 membres" in html and "1 participant" in html
    assert "septembre 2025" in html
    html = (
        Client(HTTP_ACCEPT_LANGUAGE="ja").get(world.federation.get_absolute_url()).content.decode()
    )
    assert "2025年9月" in html


@pytest.mark.django_db
def test_banner_shows_until_the_visitor_chooses_and_the_choice_is_remembered():
    client = Client()
    assert "cookie-banner" in client.get("/").content.decode()
    response = client.post("/cookies/", {"choice": "essential", "next": "/assemblies/"})
    assert response.url == "/assemblies/"
    assert json.loads(response.cookies[COOKIE_NAME].value) == {
        "preferences": False,
        "analytics": False,
        "marketing": False,
    }
    assert "cookie-banner" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_settings_page_saves_each_category_and_shows_it_back():
    client = Client()
    response = client.post("/cookies/", {"choice": "custom", "analytics": "on"})
    assert json.loads(response.cookies[COOKIE_NAME].value) == {
        "preferences": False,
        "analytics": True,
        "marketing": False,
    }
    html = client.get("/cookies/").content.decode()
    assert 'id="c-analytics" name="analytics" checked' in html
    assert 'id="c-marketing" name="marketing">' in html
    assert 'id="c-essential" checked disabled' in html


@pytest.mark.django_db
def test_withdrawing_preferences_removes_the_language_cookie():
    client = Client()
    client.post("/cookies/", {"choice": "all"})
    client.post("/language/", {"language": "fr"})
    response = client.post("/cookies/", {"choice": "essential"})
    assert response.cookies["folkmoot_language"].value == ""


@pytest.mark.parametrize(
    ("cookie", "shown"),
    [
        (None, False),
        ('{"analytics":false}', False),
        ('{"analytics":true}', True),
        ("not json", False),
    ],
)
def test_optional_scripts_load_only_after_consent(cookie: str | None, shown: bool):
    request = RequestFactory().get("/")
    if cookie is not None:
        request.COOKIES[COOKIE_NAME] = cookie
    template = Template(
        '{% load consent %}{% ifconsent "analytics" %}<script src="/stats.js"></script>{% endifconsent %}'
    )
    assert ("stats.js" in template.render(Context({"request": request}))) is shown


@pytest.mark.django_db
def test_help_pages_exist_in_every_language():
    for language, word in [
        ("en", "assembl"),
        ("es", "asamblea"),
        ("fr", "assemblée"),
        ("ja", "アセンブリ"),
    ]:
        for topic in ("assemblies", "fractal-democracy"):
            response = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/help/{topic}/")
            assert response.status_code == 200
            assert word in response.content.decode().lower()
    assert Client().get("/help/nothing/").status_code == 404


@pytest.mark.django_db
def test_the_voting_help_explains_star_in_every_language():
    for language, words in [
        ("en", ("automatic runoff", "check code")),
        ("es", ("segunda vuelta automática", "código de comprobación")),
        ("fr", ("second tour automatique", "code de vérification")),
        ("ja", ("自動決選", "確認コード")),
    ]:
        page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/help/voting/").content.decode()
        assert 'id="star"' in page
        for word in words:
            assert word in page, (language, word)
