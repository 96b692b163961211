"""FOR-6 through the API (UI-5): the same actions and refusals as the pages. Bad input gets
an error naming what is wrong, and changes nothing."""

from __future__ import annotations

from folkmoot.accounts.models import User
from folkmoot.conversations.models import Block, Conversation, Message, MessageReport
from folkmoot.conversations.rules import MAX_PEOPLE
from tests.factories import UserFactory
from tests.forums.conftest import Red15m

from .conftest import Api


def test_start_list_read_send_and_leave(red: Red15m, zoe: User) -> None:
    cita, z = Api(red.citizen), Api(zoe)
    started = cita.post(
        "/conversations", {"to": [zoe.public_id], "subject": "Hi", "body": "Hello *Zoe*"}
    )
    assert started.status_code == 201
    body = started.json()
    assert body["direct"] is True
    assert body["people"] == [{"id": zoe.public_id, "name": "Zoe", "left": False}]
    pk = body["id"]
    [row] = z.get("/conversations").json()
    assert (row["id"], row["subject"], row["unread"]) == (pk, "Hi", 1)
    read = z.get(f"/conversations/{pk}").json()
    assert [m["body"] for m in read["messages"]] == ["Hello *Zoe*"]
    assert read["messages"][0]["html"] == "<p>Hello <em>Zoe</em></p>"
    assert z.get("/conversations").json()[0]["unread"] == 0  # reading marked it read
    sent = z.post(f"/conversations/{pk}/messages", {"body": "Hi Cita"})
    assert sent.status_code == 201
    assert sent.json()["author"]["name"] == "Zoe"
    assert cita.get("/conversations").json()[0]["unread"] == 1
    assert z.post(f"/conversations/{pk}/leave").json() == {"ok": True}
    assert z.get("/conversations").json()[0]["left"] is True
    refused = z.post(f"/conversations/{pk}/messages", {"body": "Back"})
    assert refused.status_code == 403
    assert refused.json()["reasons"][0]["code"] == "left"


def test_a_conversation_is_missing_to_whoever_is_not_in_it(red: Red15m, zoe: User) -> None:
    pk = (
        Api(red.citizen)
        .post("/conversations", {"to": [zoe.public_id], "body": "Secret"})
        .json()["id"]
    )
    outsider = Api(red.coordinator)
    for response in (
        outsider.get(f"/conversations/{pk}"),
        outsider.get(f"/conversations/{pk + 99}"),
        outsider.post(f"/conversations/{pk}/messages", {"body": "Hi"}),
        outsider.post(f"/conversations/{pk}/leave"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert outsider.get("/conversations").json() == []
    message = Message.objects.get()
    assert (
        outsider.post(f"/private-messages/{message.pk}/reports", {"reason": "x"}).status_code == 404
    )


def test_bad_input_is_named_and_changes_nothing(red: Red15m, zoe: User) -> None:
    api = Api(red.citizen)
    missing = api.post("/conversations", {"to": [zoe.public_id]})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "body"
    unknown = api.post("/conversations", {"to": ["nobody-at-all"], "body": "Hi"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "to"
    assert "nobody-at-all" in unknown.json()["errors"][0]["message"]
    many = [UserFactory().public_id for _ in range(MAX_PEOPLE)]
    too_many = api.post("/conversations", {"to": many, "body": "Hi all"})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "to"
    long = api.post("/conversations", {"to": [zoe.public_id], "body": "x" * 5001})
    assert long.status_code == 422
    assert "5000" in long.json()["errors"][0]["message"]
    assert not Conversation.objects.exists() and not Message.objects.exists()


def test_block_list_and_unblock(red: Red15m, zoe: User) -> None:
    z = Api(zoe)
    blocked = z.post("/me/blocks", {"person": red.citizen.public_id})
    assert blocked.status_code == 201
    assert blocked.json()["person"] == {"id": red.citizen.public_id, "name": "Cita"}
    assert [b["person"]["name"] for b in z.get("/me/blocks").json()] == ["Cita"]
    refused = Api(red.citizen).post("/conversations", {"to": [zoe.public_id], "body": "Hi"})
    assert refused.status_code == 403
    assert refused.json()["reasons"][0]["code"] == "blocked"
    assert z.post("/me/blocks", {"person": red.citizen.public_id}).status_code == 403
    assert z.post("/me/blocks", {"person": zoe.public_id}).status_code == 403
    unknown = z.post("/me/blocks", {"person": "nobody"})
    assert unknown.status_code == 422  # bad input naming its field, as the document says
    assert unknown.json()["errors"][0]["field"] == "person"
    assert "nobody" in unknown.json()["errors"][0]["message"]
    assert z.delete(f"/me/blocks/{red.citizen.public_id}").status_code == 204
    assert z.get("/me/blocks").json() == []
    assert z.delete(f"/me/blocks/{red.citizen.public_id}").status_code == 404
    assert not Block.objects.exists()
    ok = Api(red.citizen).post("/conversations", {"to": [zoe.public_id], "body": "Hi"})
    assert ok.status_code == 201


def test_report_then_staff_list_hide_and_dismiss(red: Red15m, zoe: User, staff: User) -> None:
    pk = (
        Api(red.citizen)
        .post("/conversations", {"to": [zoe.public_id], "body": "Rude one"})
        .json()["id"]
    )
    Api(red.citizen).post(f"/conversations/{pk}/messages", {"body": "Rude two"})
    one, two = Message.objects.order_by("pk")
    z = Api(zoe)
    assert z.post(f"/private-messages/{one.pk}/reports", {"reason": "Rude"}).status_code == 201
    assert z.post(f"/private-messages/{two.pk}/reports", {"reason": "Rude"}).status_code == 201
    assert z.post(f"/private-messages/{two.pk}/reports", {"reason": "Rude"}).status_code == 403
    assert z.post(f"/private-messages/{two.pk}/reports", {"reason": ""}).status_code == 422

    assert Api(zoe).get("/private-message-reports").status_code == 403
    s = Api(staff)
    listed = s.get("/private-message-reports").json()
    assert [r["message"]["body"] for r in listed] == ["Rude one", "Rude two"]
    first, second = (r["id"] for r in listed)
    assert s.post(f"/private-message-reports/{first}/hide").json() == {"closed": 1}
    assert s.post(f"/private-message-reports/{second}/dismiss").json() == {"closed": 1}
    assert s.get("/private-message-reports").json() == []
    assert Api(zoe).post(f"/private-message-reports/{first}/hide").status_code == 403
    messages = z.get(f"/conversations/{pk}").json()["messages"]
    assert [(m["body"], m["hidden"]) for m in messages] == [(None, True), ("Rude two", False)]
    assert Message.objects.get(pk=one.pk).body == "Rude one"  # kept
    assert MessageReport.objects.filter(resolved_at__isnull=True).count() == 0


def test_a_group_conversation_through_the_api(red: Red15m, zoe: User) -> None:
    response = Api(red.citizen).post(
        "/conversations",
        {"to": [zoe.public_id, red.coordinator.public_id, red.citizen.public_id], "body": "All"},
    )
    assert response.status_code == 201
    assert response.json()["direct"] is False
    assert sorted(p["name"] for p in response.json()["people"]) == ["Coco", "Zoe"]


def test_a_hidden_message_cannot_be_reported_again(red: Red15m, zoe: User, staff: User) -> None:
    """FOR-6: once the staff hid a message, a new report on it is refused in words (it
    would only put a decided message back in the staff's queue)."""
    coco = Api(red.coordinator)
    pk = (
        Api(red.citizen)
        .post("/conversations", {"to": [zoe.public_id, red.coordinator.public_id], "body": "Rude"})
        .json()["id"]
    )
    message = Message.objects.get(conversation_id=pk)
    assert (
        Api(zoe).post(f"/private-messages/{message.pk}/reports", {"reason": "Rude"}).status_code
        == 201
    )
    [listed] = Api(staff).get("/private-message-reports").json()
    assert Api(staff).post(f"/private-message-reports/{listed['id']}/hide").status_code == 200
    again = coco.post(f"/private-messages/{message.pk}/reports", {"reason": "Rude too"})
    assert again.status_code == 403
    assert again.json()["reasons"] == [
        {
            "code": "report_hidden",
            "message": "The platform's staff have already hidden this message.",
        }
    ]
    assert MessageReport.objects.count() == 1
    assert Api(staff).get("/private-message-reports").json() == []
