"""No text holds U+0000 (PostgreSQL refuses it in every text column): a NUL in a query
string, a form or a JSON body is refused with a translated error naming where it was, and
nothing changes — on SQLite as on PostgreSQL, where it used to be a server error."""

import json

import pytest
from django.test import Client

from folkmoot.decisions.models import Ballot


@pytest.mark.django_db
def test_a_nul_in_a_json_body_is_a_422_naming_the_body() -> None:
    response = Client().post(
        "/api/v1/votes/1/check",
        json.dumps({"code": "ABCD\u0000EFGH"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "body",
            "message": "Text may not contain the NUL character (U+0000).",
            "type": "nul_character",
        }
    ]
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_a_nul_in_a_query_string_or_a_form_is_refused_in_the_readers_language() -> None:
    search = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/register/?q=a%00b")
    assert search.status_code == 400
    assert "U+0000" in search.content.decode()
    form = Client().post(
        "/language/", "language=fr%00", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 400
    # Ordinary input passes.
    assert Client().get("/register/?q=ab").status_code == 200
