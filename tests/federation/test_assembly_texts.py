"""Issue 13: the assembly's secretary edits its texts (ASM-1) and gives them in each of the
four languages; a page shows the reader's language and falls back to the original with a
note. Nobody else may edit them."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from folkmoot.audit.models import AuditEvent
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly
from folkmoot.offices.actions import do_appoint
from tests.conftest import client_for
from tests.factories import UserFactory, make_assembly


@pytest.fixture
def city(db: None) -> tuple[Assembly, object, object]:
    root = make_assembly("hp", title="Harmony", reference_prefix="HPUK")
    city = make_assembly("leeds", parent=root, title="Leeds", description="We meet on Mondays.")
    secretary, member = UserFactory(display_name="Sam"), UserFactory(display_name="Mo")
    for person in (secretary, member):
        actions.do_join(user=person, assembly=root)
    do_appoint(assembly=city, office_slug="secretary", holder=secretary, actor=None)
    return city, secretary, member


def _page(language: str, who: object = None) -> str:
    client = client_for(who) if who is not None else Client()
    return html.unescape(
        client.get("/assemblies/leeds/", headers={"accept-language": language}).content.decode()
    )


def test_the_secretary_translates_the_texts_and_readers_get_their_language(city) -> None:  # type: ignore[no-untyped-def]
    assembly, secretary, member = city
    assert "Edit the texts" in _page("en", secretary)
    assert "Edit the texts" not in _page("en", member)
    assert client_for(member).get("/assemblies/leeds/edit/").status_code == 404
    form = {
        "language": "en",
        "title": "Leeds",
        "subtitle": "City assembly",
        "short_description": "",
        "description": "We meet on Mondays.",
        "purpose_of_action": "",
        "composition": "",
        "internal_organisation": "",
        "remits": "",
        "es__title": "Leeds (asamblea)",
        "es__description": "Nos reunimos los lunes.",
    }
    response = client_for(secretary).post("/assemblies/leeds/edit/", form)
    assert response.status_code == 302
    assembly.refresh_from_db()
    assert assembly.translations == {
        "es": {"title": "Leeds (asamblea)", "description": "Nos reunimos los lunes."}
    }
    assert AuditEvent.objects.filter(verb="assembly.update", subject_id=assembly.pk).exists()
    spanish = _page("es")
    assert "Nos reunimos los lunes." in spanish and "Leeds (asamblea)" in spanish
    assert "City assembly" in spanish  # a field left empty shows the original
    french = Client().get("/assemblies/leeds/", headers={"accept-language": "fr"})
    assert "We meet on Mondays." in french.content.decode()
    assert french.context["texts"].untranslated  # shown as written, and the page says so
    assert "Affiché tel qu’écrit (English)" in html.unescape(french.content.decode())
    english = _page("en")
    assert "We meet on Mondays." in english and "Translated from" not in english


def test_a_title_cannot_be_emptied(city) -> None:  # type: ignore[no-untyped-def]
    _assembly, secretary, _member = city
    response = client_for(secretary).post(
        "/assemblies/leeds/edit/", {"language": "en", "title": ""}
    )
    assert response.status_code == 400
    assert Assembly.objects.get(slug="leeds").title == "Leeds"
