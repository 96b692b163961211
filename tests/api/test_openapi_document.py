"""Issue 10, part 4: "The OpenAPI schema documents every status code each operation returns
(403 with `reasons`, 404, 422 with `errors`)", and the answers really have those shapes."""

import json
from typing import Any

import pytest
from django.test import Client

from folkmoot.notifications.models import EmailPreference
from tests.conftest import World

from .test_assemblies_api import bearer


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(Client().get("/api/v1/openapi.json").content)


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", op)
        for path, methods in document["paths"].items()
        for method, op in methods.items()
    ]


def schema_of(response: dict[str, Any]) -> Any:
    return response["content"]["application/json"]["schema"]


def test_every_operation_documents_its_refusals_missing_objects_and_bad_input(document):
    """Issue 10: each operation lists 401 and 403 (all of them authenticate callers), 404 when
    its path names an object, and 422 when it takes any input, with the shared shapes."""
    assert len(operations(document)) > 50
    for label, op in operations(document):
        responses = op["responses"]
        assert {"401", "403"} <= set(responses), label
        assert schema_of(responses["403"]) == {"$ref": "#/components/schemas/Refusal"}, label
        if "{" in label:
            assert schema_of(responses["404"]) == {"$ref": "#/components/schemas/Error"}, label
        if op["parameters"] or "requestBody" in op:
            invalid = json.dumps(schema_of(responses["422"]))
            assert "#/components/schemas/InvalidRequest" in invalid, label


def test_the_shared_error_shapes_name_reasons_and_field_errors(document):
    schemas = document["components"]["schemas"]
    refusal = schemas["Refusal"]
    assert refusal["required"] == ["detail", "reasons"]
    assert refusal["properties"]["reasons"]["items"]["required"] == ["code", "message"]
    invalid = schemas["InvalidRequest"]
    assert invalid["required"] == ["detail", "errors"]
    assert invalid["properties"]["errors"]["items"]["required"] == ["field", "message", "type"]


def test_reads_say_anonymous_callers_are_welcome(document):
    """An operation open to anonymous callers lists "no credentials" among its options, so
    clients and fuzzers know a token is optional there and required elsewhere."""
    reads = document["paths"]["/api/v1/assemblies"]["get"]
    assert reads["security"][0] == {}
    join = document["paths"]["/api/v1/assemblies/{key}/join"]["post"]
    assert {} not in join["security"]


def test_an_anonymous_write_is_told_to_sign_in_not_about_csrf(world: World):
    """Issue 10: without a session there is no CSRF to check; the answer is the documented
    401, not django-ninja's bare 403 "CSRF check Failed"."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/assemblies/harmony/join", content_type="application/json")
    assert response.status_code == 401
    assert response.json()["detail"] == "Sign in, or send a valid API token."


def test_a_session_write_without_csrf_is_a_refusal_with_a_reason(world: World):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    response = client.post("/api/v1/assemblies/working-group/join", content_type="application/json")
    assert response.status_code == 403
    (reason,) = response.json()["reasons"]
    assert reason["code"] == "csrf" and "CSRF" in reason["message"]
    assert not world.working_group.memberships.filter(user=world.alice).exists()


@pytest.mark.parametrize("body", ["[]", "5", '"mention"', "{", "[" * 20000])
def test_a_body_that_is_not_a_json_object_is_422_and_changes_nothing(world: World, body):
    """Issue 10: `[]` used to be read as an object with every field missing and applied (200);
    unreadable JSON was an untranslated 400. Both are the documented 422 naming `body`."""
    response = Client().put(
        "/api/v1/me/notification-preferences",
        body,
        content_type="application/json",
        headers={"Authorization": bearer(world.alice)["HTTP_AUTHORIZATION"]},
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error == {
        "field": "body",
        "message": "The request body must be a JSON object.",
        "type": "json_invalid",
    }
    assert not EmailPreference.objects.filter(user=world.alice).exists()


def test_no_two_api_schemas_share_a_name() -> None:
    """The OpenAPI document names each schema by its class name: two classes with one name
    (an agenda's `MembershipOut` and the federation's) silently become one, and the document
    then describes one of them wrongly."""
    import importlib
    import pkgutil

    from ninja import Schema

    import folkmoot

    seen: dict[str, str] = {}
    clashes = []
    for module in pkgutil.walk_packages(folkmoot.__path__, "folkmoot."):
        if not module.name.endswith(".api"):
            continue
        loaded = importlib.import_module(module.name)
        for name, value in vars(loaded).items():
            if (
                isinstance(value, type)
                and issubclass(value, Schema)
                and value.__module__ == module.name
            ):
                if name in seen:
                    clashes.append(f"{name}: {seen[name]} and {module.name}")
                seen[name] = module.name
    assert len(seen) > 20
    assert clashes == []
