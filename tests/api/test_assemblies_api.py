"""UI-5: the federation through /api/v1/, with the same rules as the browser."""

import json

from django.test import Client

from folkmoot.accounts.actions import do_create_api_token
from folkmoot.audit.models import AuditEvent
from folkmoot.federation import actions
from folkmoot.federation.models import JoinRequest, Membership
from tests.conftest import World, client_for
from tests.factories import make_assembly


def bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _token, raw = do_create_api_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client: Client, url: str, body: object = None, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        **headers,
    )


def test_list_is_the_tree_in_order_with_references_and_urls(world: World):
    data = Client().get("/api/v1/assemblies").json()
    slugs = [a["slug"] for a in data]
    assert slugs == ["harmony", "working-group"]
    root, wg = data
    assert root["children"] == ["working-group"] and wg["parent"] == "harmony"
    assert wg["reference"] == f"HPUK-ASSE-2025-09-{world.working_group.pk}"
    assert wg["url"] == "http://testserver/assemblies/working-group/"
    assert root["members_count"] == 2 and root["participants_count"] == 1


def test_type_filter_is_validated_and_named_when_wrong(world: World):
    make_assembly("town", parent=world.federation, assembly_type="city")
    assert [a["slug"] for a in Client().get("/api/v1/assemblies?type=city").json()] == ["town"]
    response = Client().get("/api/v1/assemblies?type=martian")
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "type" and "city" in error["message"]


def test_tree_endpoint_nests_children(world: World):
    (root,) = Client().get("/api/v1/assemblies/tree").json()
    assert root["slug"] == "harmony" and root["children"][0]["slug"] == "working-group"


def test_read_by_slug_or_by_reference(world: World):
    by_slug = Client().get("/api/v1/assemblies/working-group").json()
    by_ref = Client().get(f"/api/v1/assemblies/{world.working_group.reference}").json()
    assert by_slug == by_ref
    assert by_slug["ancestors"][0]["slug"] == "harmony"
    assert by_slug["join"] == {
        "allowed": False,
        "outcome": None,
        "reasons": ["Sign in to join this assembly."],
    }
    assert Client().get("/api/v1/assemblies/nope").status_code == 404


def test_restricted_assembly_is_404_for_outsiders(world: World):
    make_assembly("secret", parent=world.federation, access_mode="restricted")
    assert Client().get("/api/v1/assemblies/secret").status_code == 404
    assert "secret" not in [a["slug"] for a in Client().get("/api/v1/assemblies").json()]


def test_join_with_a_token_then_read_my_memberships(world: World):
    headers = bearer(world.alice)
    response = post(Client(), "/api/v1/assemblies/working-group/join", **headers)
    assert response.status_code == 201
    assert (
        response.json()["result"] == "joined"
        and response.json()["membership"]["status"] == "member"
    )
    mine = Client().get("/api/v1/me/memberships", **headers).json()
    assert {m["assembly"]["slug"] for m in mine} == {"harmony", "working-group"}


def test_refusal_names_the_reason_in_the_callers_language_and_changes_nothing(world: World):
    youth = make_assembly("youth", parent=world.federation, min_age=18, max_age=30)
    response = post(
        Client(),
        f"/api/v1/assemblies/{youth.slug}/join",
        HTTP_ACCEPT_LANGUAGE="fr",
        **bearer(world.alice),
    )
    assert response.status_code == 403
    body = response.json()
    assert body["reasons"][0]["code"] == "age_out_of_range"
    assert "18–30" in body["reasons"][0]["message"]
    assert not Membership.objects.filter(assembly=youth).exists()


def test_bad_body_names_the_field(world: World):
    constituency = make_assembly("central", parent=world.federation, join_policy="approval")
    response = post(
        Client(),
        f"/api/v1/assemblies/{constituency.slug}/join",
        {"message": "x" * 2001},
        **bearer(world.bob),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "message"
    assert "2000" in response.json()["errors"][0]["message"]
    assert not JoinRequest.objects.exists()


def test_writes_need_authentication(world: World):
    response = post(Client(), "/api/v1/assemblies/working-group/join")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert (
        post(
            Client(), "/api/v1/assemblies/working-group/join", HTTP_AUTHORIZATION="Bearer wrong"
        ).status_code
        == 401
    )


def test_session_writes_need_the_csrf_token(world: World):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    assert post(client, "/api/v1/assemblies/working-group/join").status_code in (401, 403)
    assert not Membership.objects.filter(assembly=world.working_group).exists()


def test_revoked_token_stops_working(world: World):
    token, raw = do_create_api_token(user=world.alice, name="script")
    client_for(world.alice).post(f"/profile/tokens/{token.pk}/revoke/")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_leave_through_the_api(world: World):
    actions.do_join(user=world.alice, assembly=world.working_group)
    response = post(Client(), "/api/v1/assemblies/working-group/leave", **bearer(world.alice))
    assert response.status_code == 200
    assert (
        not Membership.objects.active()
        .filter(user=world.alice, assembly=world.working_group)
        .exists()
    )
    again = post(Client(), "/api/v1/assemblies/working-group/leave", **bearer(world.alice))
    assert again.status_code == 403 and again.json()["reasons"][0]["code"] == "not_member"


def test_secretary_queue_through_the_api(world: World):
    constituency = make_assembly("central", parent=world.federation, join_policy="approval")
    actions.do_appoint_secretary(assembly=constituency, holder=world.sam, actor=None)
    asked = post(
        Client(), "/api/v1/assemblies/central/join", {"message": "hi"}, **bearer(world.bob)
    ).json()
    assert asked["result"] == "requested"
    assert (
        Client().get("/api/v1/assemblies/central/join-requests", **bearer(world.alice)).status_code
        == 404
    )
    queue = Client().get("/api/v1/assemblies/central/join-requests", **bearer(world.sam)).json()
    assert [(r["person"], r["message"]) for r in queue] == [("Bob", "hi")]
    bad = post(
        Client(),
        f"/api/v1/join-requests/{asked['request_id']}/decision",
        {"decision": "maybe"},
        **bearer(world.sam),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "decision"
    done = post(
        Client(),
        f"/api/v1/join-requests/{asked['request_id']}/decision",
        {"decision": "approve"},
        **bearer(world.sam),
    )
    assert done.json()["approved"] is True
    assert Membership.objects.active().filter(user=world.bob, assembly=constituency).exists()
    assert AuditEvent.objects.filter(verb="membership.request_decided", actor=world.sam).exists()


def test_member_status_through_the_api(world: World):
    bob = Membership.objects.get(user=world.bob, assembly=world.federation)
    url = f"/api/v1/assemblies/harmony/members/{bob.pk}/status"
    assert post(Client(), url, {"status": "member"}, **bearer(world.bob)).status_code == 404
    assert (
        post(Client(), url, {"status": "member"}, **bearer(world.sam)).json()["status"] == "member"
    )


def test_members_list_is_paginated(world: World):
    data = Client().get("/api/v1/assemblies/harmony/members").json()
    assert data["count"] == 3
    assert {m["person"] for m in data["items"]} == {"Alice", "Bob", "Sam"}


def test_profile_read_and_partial_update_with_field_errors(world: World):
    headers = bearer(world.bob)
    assert Client().get("/api/v1/me", **headers).json()["display_name"] == "Bob"
    # Issue 13: declaring an attribute (special-category data) needs explicit consent.
    unconsented = Client().patch(
        "/api/v1/me",
        json.dumps({"attributes": ["disabled"]}),
        content_type="application/json",
        **headers,
    )
    assert unconsented.status_code == 422
    assert unconsented.json()["errors"][0]["field"] == "consent"
    ok = Client().patch(
        "/api/v1/me",
        json.dumps({"birth_date": "2001-02-03", "attributes": ["disabled"], "consent": True}),
        content_type="application/json",
        **headers,
    )
    assert ok.status_code == 200 and ok.json()["birth_date"] == "2001-02-03"
    assert ok.json()["attributes_consented_at"] is not None
    bad = Client().patch(
        "/api/v1/me",
        json.dumps({"language": "xx", "attributes": ["martian"], "age": 3}),
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"language", "attributes", "age"}
    world.bob.refresh_from_db()
    assert world.bob.language == "" and world.bob.attributes == ["disabled"]


def test_openapi_schema_is_published():
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/assemblies/{key}/join" in schema["paths"]
