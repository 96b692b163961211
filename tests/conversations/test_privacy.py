"""FOR-6 against the operator and in a person's own data: the audit log records who wrote to
which conversation, never the text; notices and emails name the writer, never the text
nor the subject; no URL carries either. The data export holds the person's conversations
and messages; erasing the account keeps what they wrote, signed by a former member."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.audit.models import AuditEvent
from folkmoot.conversations.models import (
    Block,
    Conversation,
    Message,
    MessageReport,
    Participant,
)
from folkmoot.notifications.kinds import describe, with_context
from folkmoot.notifications.mailing import mail_pending
from folkmoot.notifications.models import Notification
from tests.conftest import client_for
from tests.forums.conftest import Red15m

from .conftest import Api, reply_on_page, started, text_of

SECRET = "My bank PIN is 4321"
SUBJECT = "Confidential matter"


def test_the_audit_log_says_who_wrote_to_which_conversation_never_what(
    red: Red15m, zoe: User
) -> None:
    conversation = started(red.citizen, [zoe], SECRET, subject=SUBJECT)
    reply_on_page(zoe, conversation, SECRET + " too")
    Api(zoe).post(
        f"/private-messages/{Message.objects.first().pk}/reports",  # type: ignore[union-attr]
        {"reason": SECRET},
    )
    rows = AuditEvent.objects.filter(verb__startswith="conversations.")
    assert sorted(r.verb for r in rows) == [
        "conversations.message",
        "conversations.message",
        "conversations.report",
        "conversations.start",
    ]
    writes = rows.filter(verb="conversations.message").order_by("pk")
    assert [(r.actor_id, r.subject_id) for r in writes] == [
        (red.citizen.pk, conversation.pk),
        (zoe.pk, conversation.pk),
    ]
    stored = json.dumps([[r.verb, r.subject_type, r.data] for r in rows])
    assert "PIN" not in stored and "Confidential" not in stored


def test_notices_and_emails_name_the_writer_never_the_text(red: Red15m, zoe: User) -> None:
    mail.outbox.clear()
    conversation = started(red.citizen, [zoe], SECRET, subject=SUBJECT)
    [notice] = with_context(Notification.objects.filter(user=zoe))
    told = describe(notice)
    assert told.text == "Cita wrote to you in a private conversation."
    assert told.url == f"/messages/{conversation.pk}/"
    assert mail_pending(timezone.now()) == 1  # the kind's default channel is email
    [email] = mail.outbox
    assert email.to == [zoe.email]
    for part in (email.subject, email.body, told.text, told.url):
        assert "PIN" not in part and "Confidential" not in part
    page = text_of(client_for(zoe).get("/notifications/"))
    assert "Cita wrote to you in a private conversation." in page
    assert "PIN" not in page
    api = client_for(zoe).get("/api/v1/me/notifications").json()
    assert "PIN" not in json.dumps(api)


def test_a_person_is_told_once_per_unread_spell_and_never_of_their_own_messages(
    red: Red15m, zoe: User
) -> None:
    """FOR-6 with UI-7: told once per unread spell; both people write, and each is told of
    the other's messages only."""
    conversation = started(red.citizen, [zoe], "One")
    reply_on_page(red.citizen, conversation, "Two")
    reply_on_page(red.citizen, conversation, "Three")
    assert Notification.objects.filter(user=zoe, kind="private_message").count() == 1
    client_for(zoe).get(f"/messages/{conversation.pk}/")  # read: the notice is read too
    assert not Notification.objects.filter(user=zoe, read_at__isnull=True).exists()
    reply_on_page(zoe, conversation, "Zoe answers")
    reply_on_page(zoe, conversation, "And adds")
    reply_on_page(red.citizen, conversation, "Four")
    assert Notification.objects.filter(user=zoe, kind="private_message").count() == 2
    # Never of one's own: Cita is told once, of Zoe's two; Zoe only of Cita's.
    told_cita = Notification.objects.filter(user=red.citizen, kind="private_message")
    assert [n.actor_id for n in told_cita] == [zoe.pk]
    told_zoe = Notification.objects.filter(user=zoe, kind="private_message")
    assert {n.actor_id for n in told_zoe} == {red.citizen.pk}
    assert "Zoe wrote to you in a private conversation." in text_of(
        client_for(red.citizen).get("/notifications/")
    )


def test_no_url_carries_the_text(red: Red15m, zoe: User) -> None:
    response = client_for(red.citizen).post(
        "/messages/new/",
        {"action": "send", "to": [zoe.public_id], "subject": SUBJECT, "body": SECRET},
    )
    assert "PIN" not in response["Location"] and "Confidential" not in response["Location"]
    conversation = Conversation.objects.get()
    reply = reply_on_page(red.citizen, conversation, SECRET)
    assert "PIN" not in reply["Location"]
    # Every form that sends text posts it.
    for path in ("/messages/new/", f"/messages/{conversation.pk}/"):
        page = text_of(client_for(red.citizen).get(path))
        assert 'method="get"' not in page.split('name="body"')[0].rsplit("<form", 1)[1]


def test_the_data_export_holds_the_persons_conversations_and_messages(
    red: Red15m, zoe: User
) -> None:
    conversation = started(red.citizen, [zoe], "Mine", subject="Ours")
    reply_on_page(zoe, conversation, "Hers")
    client_for(red.citizen).post("/messages/blocks/add/", {"person": red.coordinator.public_id})
    data = client_for(red.citizen).get("/profile/data.json").json()["private_messages"]
    assert data["conversations"][0]["subject"] == "Ours"
    assert data["conversations"][0]["with"] == ["Zoe"]
    assert [m["body"] for m in data["messages"]] == ["Mine"]  # theirs, not Zoe's
    assert data["blocks"][0]["person"] == "Coco"


def test_erasing_the_account_keeps_what_they_wrote_and_leaves_every_conversation(
    red: Red15m, zoe: User
) -> None:
    conversation = started(red.citizen, [zoe], "Words that stay")
    client_for(red.citizen).post("/messages/blocks/add/", {"person": red.coordinator.public_id})
    response = client_for(red.citizen).post(
        "/profile/delete/", {"password": "correct-horse-battery", "understood": "yes"}
    )
    assert response.status_code == 302
    page = text_of(client_for(zoe).get(f"/messages/{conversation.pk}/"))
    assert "Words that stay" in page and "Cita" not in page
    assert Participant.objects.get(person=red.citizen).left_at is not None
    assert not Block.objects.filter(blocker=red.citizen).exists()
    assert Message.objects.get().body == "Words that stay"


def test_nothing_written_can_be_deleted_with_its_conversation_or_message(
    red: Red15m, zoe: User
) -> None:
    """FOR-6: nothing a person wrote is deleted. No page deletes a conversation or a
    message; should code ever try (a clean-up, the admin), the database refuses rather than
    take the messages, or the reports made on them, with it."""
    conversation = started(red.citizen, [zoe], "Words that stay")
    message = Message.objects.get()
    Api(zoe).post(f"/private-messages/{message.pk}/reports", {"reason": "Rude"})
    with pytest.raises(ProtectedError), transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Message.objects.filter(pk=message.pk).delete()
    assert Message.objects.get().body == "Words that stay"
    assert MessageReport.objects.get().reason == "Rude"
