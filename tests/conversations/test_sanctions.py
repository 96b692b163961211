"""FOR-6 with SAN-6: a person under a sanction in force in any assembly writes no private
message, except to the current holders of the sanctioning power of the assembly that
sanctioned them (RED15M: coordinators), to appeal. And the convenient start: write to the
holders of an office, offered beside each office on the offices page."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.conversations.models import Conversation, Message
from folkmoot.offices.actions import do_appoint
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.forums.conftest import Red15m

from .conftest import Api, reply_on_page, start_on_page, started, text_of

REFUSAL = "You are sanctioned in Asamblea RED15M until"
ONLY_TO = "until then you may write private messages only to its coordinators, to appeal."


def test_a_sanctioned_person_writes_to_nobody_and_is_told_why(red: Red15m, zoe: User) -> None:
    response = start_on_page(red.sanctioned, [zoe], "Hello")
    assert response.status_code == 400
    page = text_of(response)
    assert REFUSAL in page and "(Trolling)" in page and ONLY_TO in page
    assert not Conversation.objects.exists()


def test_a_sanctioned_person_cannot_reply_in_a_conversation_they_were_in(
    red: Red15m, zoe: User
) -> None:
    conversation = started(zoe, [red.sanctioned], "How are you?")
    page = text_of(client_for(red.sanctioned).get(f"/messages/{conversation.pk}/"))
    assert REFUSAL in page  # said before anything is typed
    response = reply_on_page(red.sanctioned, conversation, "Fine")
    assert response.status_code == 400
    assert not Message.objects.filter(body="Fine").exists()


def test_a_sanctioned_person_may_appeal_to_the_coordinators_from_the_sanctions_page(
    red: Red15m,
) -> None:
    other = UserFactory(display_name="Cora")
    do_appoint(assembly=red.assembly, office_slug="coordinator", holder=other, actor=None, seats=5)
    sanctions = text_of(client_for(red.sanctioned).get("/assemblies/red15m/sanctions/"))
    assert "Write to those who may sanction here, to appeal" in sanctions
    assert "/messages/new/assemblies/red15m/appeal/" in sanctions
    # Nobody else is offered it.
    assert "/appeal/" not in text_of(client_for(red.citizen).get("/assemblies/red15m/sanctions/"))

    form = text_of(client_for(red.sanctioned).get("/messages/new/assemblies/red15m/appeal/"))
    assert "Coco" in form and "Cora" in form
    response = client_for(red.sanctioned).post(
        "/messages/new/assemblies/red15m/appeal/", {"body": "I was not trolling."}
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert {p.person_id for p in conversation.participants.all()} == {
        red.sanctioned.pk,
        red.coordinator.pk,
        other.pk,
    }
    # They may go on writing there: everyone else in it hears appeals.
    assert reply_on_page(red.sanctioned, conversation, "Please read the thread").status_code == 302
    # And a coordinator alone, from the ordinary form.
    started(red.sanctioned, [red.coordinator], "One more word")


def test_an_appeal_reaches_coordinators_only(red: Red15m, zoe: User) -> None:
    response = start_on_page(red.sanctioned, [red.coordinator, zoe], "Listen, both of you")
    assert response.status_code == 400
    assert ONLY_TO in text_of(response)
    # A group with a coordinator in it, once someone who does not hear appeals is there too.
    group = started(zoe, [red.sanctioned, red.coordinator], "Let us talk")
    assert reply_on_page(red.sanctioned, group, "Hi").status_code == 400


def test_when_the_sanction_ends_they_write_again(red: Red15m, zoe: User) -> None:
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        started(red.sanctioned, [zoe], "I am back")


def test_the_sanctioned_person_appeals_through_the_api_and_is_refused_elsewhere(
    red: Red15m, zoe: User
) -> None:
    api = Api(red.sanctioned)
    refused = api.post("/conversations", {"to": [zoe.public_id], "body": "Hello"})
    assert refused.status_code == 403
    assert refused.json()["reasons"][0]["code"] == "sanctioned"
    assert ONLY_TO in refused.json()["detail"]
    appeal = api.post("/assemblies/red15m/appeals", {"body": "I appeal"})
    assert appeal.status_code == 201
    assert [p["name"] for p in appeal.json()["people"]] == ["Coco"]
    assert Conversation.objects.count() == 1


def test_the_offices_page_offers_to_write_to_the_holders_of_each_office(
    red: Red15m, zoe: User
) -> None:
    """RED15M art. 7.1: coordinators inform each other by private message; anyone signed in
    may write to an office's holders."""
    page = text_of(client_for(zoe).get("/assemblies/red15m/offices/"))
    assert "/messages/new/assemblies/red15m/offices/coordinator/" in page
    assert "/messages/new/assemblies/red15m/offices/drafter/" in page
    assert "/messages/new/" not in text_of(client_for(None).get("/assemblies/red15m/offices/"))
    response = client_for(zoe).post(
        "/messages/new/assemblies/red15m/offices/drafter/",
        {"subject": "Drafting", "body": "May I help?"},
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert {p.person_id for p in conversation.participants.all()} == {zoe.pk, red.drafter.pk}
    assert "May I help?" in text_of(client_for(red.drafter).get(f"/messages/{conversation.pk}/"))


def test_a_lone_holder_writing_to_their_own_office_is_told_there_is_nobody(
    red: Red15m,
) -> None:
    response = client_for(red.coordinator).post(
        "/messages/new/assemblies/red15m/offices/coordinator/", {"body": "Anyone?"}
    )
    assert response.status_code == 400
    assert "Nobody else holds it now" in text_of(response)
    assert (
        client_for(red.coordinator)
        .get("/messages/new/assemblies/red15m/offices/nonesuch/")
        .status_code
        == 404
    )


def test_writing_to_an_office_through_the_api(red: Red15m, zoe: User) -> None:
    response = Api(zoe).post(
        "/assemblies/red15m/offices/coordinator/conversations", {"body": "A question"}
    )
    assert response.status_code == 201
    assert [p["name"] for p in response.json()["people"]] == ["Coco"]
    assert (
        Api(zoe)
        .post("/assemblies/red15m/offices/nonesuch/conversations", {"body": "?"})
        .status_code
        == 404
    )


def test_a_coordinator_who_blocks_does_not_stop_the_appeal_reaching_the_others(
    red: Red15m,
) -> None:
    """FOR-6: "a sanctioned person can still write to coordination". One coordinator's
    block keeps the sanctioned person from that coordinator only: the appeal reaches the
    other coordinators, and the blocker is not in the conversation."""
    cora = UserFactory(display_name="Cora")
    do_appoint(assembly=red.assembly, office_slug="coordinator", holder=cora, actor=None, seats=5)
    client_for(cora).post("/messages/blocks/add/", {"person": red.sanctioned.public_id})
    response = client_for(red.sanctioned).post(
        "/messages/new/assemblies/red15m/appeal/", {"body": "I was not trolling."}
    )
    assert response.status_code == 302, text_of(response)
    conversation = Conversation.objects.get()
    assert {p.person_id for p in conversation.participants.all()} == {
        red.sanctioned.pk,
        red.coordinator.pk,
    }
    assert "I was not trolling." in text_of(
        client_for(red.coordinator).get(f"/messages/{conversation.pk}/")
    )
    assert client_for(cora).get(f"/messages/{conversation.pk}/").status_code == 404
    # Through the API too.
    appeal = Api(red.sanctioned).post("/assemblies/red15m/appeals", {"body": "Again"})
    assert appeal.status_code == 201
    assert [p["name"] for p in appeal.json()["people"]] == ["Coco"]


def test_when_every_holder_blocks_the_writer_is_told_and_nothing_is_sent(
    red: Red15m, zoe: User
) -> None:
    """FOR-6: writing to an office whose every holder blocks the writer is refused in
    words, and nothing is created."""
    client_for(red.drafter).post("/messages/blocks/add/", {"person": zoe.public_id})
    response = client_for(zoe).post(
        "/messages/new/assemblies/red15m/offices/drafter/", {"body": "May I help?"}
    )
    assert response.status_code == 400
    assert "Not taking private messages from you: Drea." in text_of(response)
    assert not Conversation.objects.exists()
