"""Issue 13: a federation's own pages ("What is Harmony Party UK?" with "Read more"), its
privacy notice and terms, in four languages, written by its secretaries, with a share link
and the browser's share sheet (no third-party script); the privacy notices are linked from
the footer and the sign-up form."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from folkmoot.federation import actions
from folkmoot.federation.models import Assembly, FederationPage
from folkmoot.offices.actions import do_appoint
from tests.conftest import client_for
from tests.factories import UserFactory, make_assembly


@pytest.fixture
def hp(db: None) -> tuple[Assembly, object, object]:
    root = make_assembly("hp", title="Harmony Party UK", reference_prefix="HPUK")
    secretary, member = UserFactory(display_name="Grace"), UserFactory(display_name="Mo")
    for person in (secretary, member):
        actions.do_join(user=person, assembly=root)
    do_appoint(assembly=root, office_slug="secretary", holder=secretary, actor=None)
    return root, secretary, member


PAGE = {
    "slug": "about",
    "language": "en",
    "title": "What is Harmony Party UK?",
    "summary": "A mutual aid federation.",
    "body": "We decide by **consensus**.<script>alert(1)</script>",
    "es__title": "¿Qué es Harmony Party UK?",
    "es__summary": "Una federación de ayuda mutua.",
}


def _read(language: str) -> str:
    response = Client().get("/assemblies/hp/pages/about/", headers={"accept-language": language})
    return html.unescape(response.content.decode())


def test_a_secretary_writes_a_page_readers_get_their_language_and_can_share_it(hp) -> None:  # type: ignore[no-untyped-def]
    _root, secretary, member = hp
    assert client_for(member).get("/assemblies/hp/pages/new/").status_code == 404
    made = client_for(secretary).post("/assemblies/hp/pages/new/", PAGE)
    assert made.status_code == 302 and made["Location"] == "/assemblies/hp/pages/about/"
    english = _read("en")
    assert "A mutual aid federation." in english and "Read more" in english
    assert "<strong>consensus</strong>" in english and "<script>alert" not in english
    assert 'value="http://testserver/assemblies/hp/pages/about/"' in english  # the plain link
    assert "data-share" in english and "js/share.js" in english
    spanish = _read("es")
    assert "¿Qué es Harmony Party UK?" in spanish and "Una federación de ayuda mutua." in spanish
    assert "We decide by" in spanish  # the body is not translated: the original shows
    french = Client().get("/assemblies/hp/pages/about/", headers={"accept-language": "fr"})
    assert french.context["texts"]["untranslated"]
    assert "What is Harmony Party UK?" in html.unescape(
        Client().get("/assemblies/hp/").content.decode()
    )
    again = client_for(secretary).post("/assemblies/hp/pages/new/", PAGE)
    assert again.status_code == 400
    assert "This federation has a page at this address already." in again.content.decode()
    assert FederationPage.objects.count() == 1


def test_privacy_notices_are_linked_from_the_footer_and_the_sign_up_form(hp) -> None:  # type: ignore[no-untyped-def]
    _root, secretary, _member = hp
    client_for(secretary).post(
        "/assemblies/hp/pages/new/",
        {"slug": "privacy", "language": "en", "title": "Privacy notice", "body": "We keep little."},
    )
    assert 'href="/privacy/"' in Client().get("/assemblies/").content.decode()
    assert 'href="/privacy/"' in Client().get("/accounts/signup/").content.decode()
    listed = html.unescape(Client().get("/privacy/").content.decode())
    assert "Harmony Party UK: Privacy notice" in listed
