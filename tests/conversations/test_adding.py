"""FOR-6: someone in a group conversation adds people later, under the rules a conversation
starts with (its size, blocks, sanctions). The newcomer reads what is written from the
moment they join, not the history; everyone sees "X added Y" where it happened."""

from __future__ import annotations

import json

from folkmoot.accounts.models import User
from folkmoot.audit.models import AuditEvent
from folkmoot.conversations.models import Conversation, Participant
from folkmoot.conversations.rules import MAX_PEOPLE
from folkmoot.offices.actions import do_appoint
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.forums.conftest import Red15m

from .conftest import Api, add_on_page, reply_on_page, started, text_of
from .test_blocks import block


def _people_in(conversation: Conversation) -> set[int]:
    return set(
        Participant.objects.filter(conversation=conversation, left_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )


def test_someone_in_a_group_adds_a_person_who_reads_from_then_on_and_everyone_sees_it(
    red: Red15m, zoe: User
) -> None:
    """The newcomer does not read what was written before they came (the others wrote it to
    the people then in it); they read what follows, and are told so."""
    group = started(red.citizen, [zoe, red.coordinator], "Before Drea came", subject="Murals")
    page = text_of(client_for(zoe).get(f"/messages/{group.pk}/"))
    assert f'href="/messages/{group.pk}/people/"' in page  # offered to those in it

    # The page finds people by name, as the new-conversation page does.
    found = text_of(
        client_for(zoe).post(f"/messages/{group.pk}/people/", {"action": "find", "find": "Dre"})
    )
    assert f'value="{red.drafter.public_id}"' in found
    done = add_on_page(zoe, group, [red.drafter])
    assert "You added Drea." in text_of(done)

    drafter_page = text_of(client_for(red.drafter).get(f"/messages/{group.pk}/"))
    assert "Before Drea came" not in drafter_page
    assert "Zoe added you" in drafter_page
    assert "You read what was written since you were added" in drafter_page
    for other in (red.citizen, zoe, red.coordinator):
        assert "Zoe added Drea" in text_of(client_for(other).get(f"/messages/{group.pk}/"))

    # She is told who added her, never what the conversation is about.
    notices = text_of(client_for(red.drafter).get("/notifications/"))
    assert "Zoe added you to a private conversation." in notices and "Murals" not in notices
    # Nothing old counts as unread for her; what follows does, and reaches her.
    assert "unread message" not in text_of(client_for(red.drafter).get("/messages/"))
    reply_on_page(red.citizen, group, "Welcome, Drea")
    inbox = text_of(client_for(red.drafter).get("/messages/"))
    assert "Murals" in inbox and "1 unread" in inbox
    assert "Welcome, Drea" in text_of(client_for(red.drafter).get(f"/messages/{group.pk}/"))
    assert reply_on_page(red.drafter, group, "Thanks").status_code == 302
    assert "Thanks" in text_of(client_for(red.citizen).get(f"/messages/{group.pk}/"))


def test_adding_through_the_api_and_the_events_it_shows(red: Red15m, zoe: User) -> None:
    cita = Api(red.citizen)
    pk = cita.post(
        "/conversations", {"to": [zoe.public_id, red.coordinator.public_id], "body": "Old"}
    ).json()["id"]
    added = cita.post(f"/conversations/{pk}/people", {"to": [red.drafter.public_id]})
    assert added.status_code == 201
    assert added.json() == {"added": [{"id": red.drafter.public_id, "name": "Drea"}]}

    seen_by_zoe = Api(zoe).get(f"/conversations/{pk}").json()
    assert [m["body"] for m in seen_by_zoe["messages"]] == ["Old"]
    [event] = seen_by_zoe["events"]
    assert (event["kind"], event["by"]["name"], event["person"]["name"]) == (
        "added",
        "Cita",
        "Drea",
    )
    assert "Drea" in [p["name"] for p in seen_by_zoe["people"]]

    newcomer = Api(red.drafter)
    [row] = newcomer.get("/conversations").json()
    assert (row["id"], row["unread"]) == (pk, 0)
    read = newcomer.get(f"/conversations/{pk}").json()
    assert read["messages"] == []  # the history is not theirs
    assert [e["person"]["name"] for e in read["events"]] == ["Drea"]
    assert read["may_write"] is True
    # A message from before they came is missing to them, reports included.
    old = seen_by_zoe["messages"][0]["id"]
    reported = newcomer.post(f"/private-messages/{old}/reports", {"reason": "Rude"})
    assert reported.status_code == 404


def test_a_group_grows_only_to_the_limit_a_conversation_starts_with(red: Red15m) -> None:
    """The same limit as at the start, counted over those in it now; a refusal says how many
    more fit, and adds nobody."""
    writer = red.citizen
    others = [UserFactory(display_name=f"Person {i}") for i in range(MAX_PEOPLE - 2)]
    group = started(writer, others, "Nearly full")
    two = [UserFactory(display_name="Late A"), UserFactory(display_name="Late B")]
    refused = add_on_page(writer, group, two)
    assert refused.status_code == 400
    assert (
        f"A conversation has at most {MAX_PEOPLE} people: {MAX_PEOPLE - 1} are in this one, so "
        "you may add 1 more (you chose 2)." in text_of(refused)
    )
    assert len(_people_in(group)) == MAX_PEOPLE - 1
    assert "You added Late A." in text_of(add_on_page(writer, group, two[:1]))
    full = Api(writer).post(f"/conversations/{group.pk}/people", {"to": [two[1].public_id]})
    assert full.status_code == 403
    assert full.json()["reasons"][0]["code"] == "people_too_many"
    # Once someone leaves, there is room again.
    client_for(others[0]).post(f"/messages/{group.pk}/leave/")
    assert "You added Late B." in text_of(add_on_page(writer, group, two[1:]))
    assert len(_people_in(group)) == MAX_PEOPLE


def test_nobody_joins_a_conversation_with_someone_they_block_or_who_blocks_them(
    red: Red15m, zoe: User
) -> None:
    """Blocks count both ways; the refusal names the newcomer, never who blocks whom."""
    group = started(red.citizen, [zoe, red.coordinator], "Hello")
    block(red.drafter, zoe)  # the newcomer blocks someone in it
    refused = add_on_page(red.citizen, group, [red.drafter])
    assert refused.status_code == 400
    page = text_of(refused)
    assert (
        "Cannot be added, because of a block between them and someone in this conversation: "
        "Drea." in page
    )
    assert "Zoe" not in page.split('role="alert"')[1].split("</ul>")[0]
    assert red.drafter.pk not in _people_in(group)

    outsider = UserFactory(display_name="Olaf")
    block(red.coordinator, outsider)  # someone in it blocks the newcomer
    refused = Api(zoe).post(f"/conversations/{group.pk}/people", {"to": [outsider.public_id]})
    assert refused.status_code == 403
    assert refused.json()["reasons"][0]["code"] == "add_blocked"
    assert outsider.pk not in _people_in(group)


def test_nobody_is_added_to_a_one_to_one_nor_brought_back_after_leaving(
    red: Red15m, zoe: User
) -> None:
    direct = started(red.citizen, [zoe], "Just us")
    page = text_of(client_for(red.citizen).get(f"/messages/{direct.pk}/"))
    assert f'href="/messages/{direct.pk}/people/"' not in page
    refused = add_on_page(red.citizen, direct, [red.coordinator])
    assert "Nobody is added to a conversation between two people" in text_of(refused)
    assert _people_in(direct) == {red.citizen.pk, zoe.pk}

    group = started(red.citizen, [zoe, red.coordinator], "Hello")
    client_for(zoe).post(f"/messages/{group.pk}/leave/")
    back = Api(red.citizen).post(
        f"/conversations/{group.pk}/people",
        {"to": [zoe.public_id, red.coordinator.public_id]},
    )
    assert back.status_code == 403
    messages = back.json()["detail"]
    assert "Left this conversation, and may not be brought back: Zoe." in messages
    assert "Already in this conversation: Coco." in messages
    # Who left may not add anyone either.
    gone = Api(zoe).post(f"/conversations/{group.pk}/people", {"to": [red.drafter.public_id]})
    assert gone.status_code == 403
    assert gone.json()["reasons"][0]["code"] == "left"
    assert _people_in(group) == {red.citizen.pk, red.coordinator.pk}


def test_a_sanctioned_person_brings_nobody_but_those_who_hear_the_appeal(
    red: Red15m, zoe: User
) -> None:
    """SAN-6: as they may write only to the holders of the sanctioning power, they may add
    no one else to the conversation where they appeal."""
    cora = UserFactory(display_name="Cora")
    do_appoint(assembly=red.assembly, office_slug="coordinator", holder=cora, actor=None, seats=5)
    appeal = Api(red.sanctioned).post(
        "/assemblies/red15m/appeals", {"subject": "My sanction", "body": "Please review it"}
    )
    assert appeal.status_code == 201, appeal.content
    pk = appeal.json()["id"]
    refused = Api(red.sanctioned).post(f"/conversations/{pk}/people", {"to": [zoe.public_id]})
    assert refused.status_code == 403
    assert refused.json()["reasons"][0]["code"] == "sanctioned"
    assert _people_in(Conversation.objects.get(pk=pk)) == {
        red.sanctioned.pk,
        red.coordinator.pk,
        cora.pk,
    }
    # A coordinator may add whoever they like: the sanction is not theirs.
    added = Api(cora).post(f"/conversations/{pk}/people", {"to": [zoe.public_id]})
    assert added.status_code == 201


def test_bad_input_is_named_and_changes_nothing(red: Red15m, zoe: User) -> None:
    group = started(red.citizen, [zoe, red.coordinator], "Hello")
    cita = Api(red.citizen)
    unknown = cita.post(f"/conversations/{group.pk}/people", {"to": ["nobody-here"]})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "to"
    empty = cita.post(f"/conversations/{group.pk}/people", {"to": []})
    assert empty.status_code == 422
    nothing = add_on_page(red.citizen, group, [])
    assert "Choose at least one person to add." in text_of(nothing)
    outsider = Api(red.drafter).post(f"/conversations/{group.pk}/people", {"to": [zoe.public_id]})
    assert outsider.status_code == 404  # not in it: there is no such conversation
    assert _people_in(group) == {red.citizen.pk, zoe.pk, red.coordinator.pk}


def test_the_audit_log_says_who_added_how_many_never_who(red: Red15m, zoe: User) -> None:
    group = started(red.citizen, [zoe, red.coordinator], "Hello")
    add_on_page(zoe, group, [red.drafter])
    [row] = AuditEvent.objects.filter(verb="conversations.add")
    assert (row.actor_id, row.subject_id) == (zoe.pk, group.pk)
    assert row.data["people"] == 1
    assert red.drafter.public_id not in json.dumps(row.data)
