"""FOR-6 blocking, through the pages: a blocked person can neither start a conversation with
the blocker nor write in their one-to-one; in a group their messages are hidden from the
blocker alone; the list of blocks; unblocking."""

from __future__ import annotations

from folkmoot.accounts.models import User
from folkmoot.conversations.models import Block, Conversation, Message
from folkmoot.notifications.models import Notification
from tests.conftest import client_for
from tests.forums.conftest import Red15m

from .conftest import reply_on_page, start_on_page, started, text_of


def block(blocker: User, blocked: User, conversation: Conversation | None = None) -> None:
    data = {"person": blocked.public_id}
    if conversation is not None:
        data["conversation"] = str(conversation.pk)
    response = client_for(blocker).post("/messages/blocks/add/", data)
    assert response.status_code == 302


def test_a_blocked_person_cannot_start_a_conversation_with_the_blocker(
    red: Red15m, zoe: User
) -> None:
    block(zoe, red.citizen)
    response = start_on_page(red.citizen, [zoe, red.coordinator], "Hello both")
    assert response.status_code == 400
    assert "Not taking private messages from you: Zoe." in text_of(response)
    assert not Conversation.objects.exists()
    # Others may still write to Zoe.
    started(red.coordinator, [zoe], "Hello Zoe")


def test_a_blocked_person_cannot_write_in_a_one_to_one_with_the_blocker(
    red: Red15m, zoe: User
) -> None:
    conversation = started(red.citizen, [zoe], "Hi")
    block(zoe, red.citizen, conversation)
    page = text_of(client_for(red.citizen).get(f"/messages/{conversation.pk}/"))
    assert "Not taking private messages from you: Zoe." in page  # said before typing
    response = reply_on_page(red.citizen, conversation, "Please answer")
    assert response.status_code == 400
    assert Message.objects.filter(body="Please answer").count() == 0
    # The blocker may still write.
    assert reply_on_page(zoe, conversation, "Leave me alone").status_code == 302


def test_in_a_group_a_blocked_persons_messages_are_hidden_from_the_blocker_only(
    red: Red15m, zoe: User
) -> None:
    group = started(red.coordinator, [zoe, red.citizen], "Welcome")
    block(zoe, red.citizen, group)
    assert reply_on_page(red.citizen, group, "Nobody likes murals").status_code == 302
    assert "Nobody likes murals" not in text_of(client_for(zoe).get(f"/messages/{group.pk}/"))
    assert "Nobody likes murals" in text_of(
        client_for(red.coordinator).get(f"/messages/{group.pk}/")
    )
    # Nor is Zoe told of it, nor counted as unread.
    assert not Notification.objects.filter(user=zoe, actor=red.citizen).exists()
    assert "unread" not in text_of(client_for(zoe).get("/messages/"))


def test_the_blocks_page_lists_whom_one_blocks_and_unblocking_lets_them_write_again(
    red: Red15m, zoe: User
) -> None:
    block(zoe, red.citizen)
    page = text_of(client_for(zoe).get("/messages/blocks/"))
    assert "Unblock Cita" in page
    response = client_for(zoe).post(f"/messages/blocks/{red.citizen.public_id}/remove/")
    assert response.status_code == 302
    assert "You block nobody." in text_of(client_for(zoe).get("/messages/blocks/"))
    assert not Block.objects.exists()
    started(red.citizen, [zoe], "Friends again?")


def test_the_blocks_page_finds_a_person_to_block(red: Red15m, zoe: User) -> None:
    page = text_of(client_for(zoe).get("/messages/blocks/?find=cit"))
    assert f'value="{red.citizen.public_id}"' in page
    block(zoe, red.citizen)
    assert Block.objects.filter(blocker=zoe, blocked=red.citizen).exists()


def test_blocking_oneself_or_twice_is_refused_and_changes_nothing(red: Red15m, zoe: User) -> None:
    client_for(zoe).post("/messages/blocks/add/", {"person": zoe.public_id})
    assert not Block.objects.exists()
    block(zoe, red.citizen)
    response = client_for(zoe).post(
        "/messages/blocks/add/", {"person": red.citizen.public_id}, follow=True
    )
    assert "You already block this person." in text_of(response)
    assert Block.objects.count() == 1


def test_the_blocks_page_says_truthfully_what_the_blocked_person_learns(
    red: Red15m, zoe: User
) -> None:
    """FOR-6: the blocked person is not told when blocked, but the refusal they get when
    they write names the blocker: the page and the confirmation say so, and promise no
    secrecy the refusal would break."""
    page = text_of(client_for(zoe).get("/messages/blocks/"))
    assert "They are not told." not in page
    assert "if they try to write to you they learn that you do not take their messages" in page
    done = client_for(zoe).post(
        "/messages/blocks/add/", {"person": red.citizen.public_id}, follow=True
    )
    assert "if they try to write to you they learn that you do not take their messages" in (
        text_of(done)
    )
    refused = start_on_page(red.citizen, [zoe], "Hello?")
    assert "Not taking private messages from you: Zoe." in text_of(refused)


def test_a_conversation_number_that_is_not_plain_digits_goes_back_to_the_blocks_page(
    red: Red15m, zoe: User
) -> None:
    """FOR-6: the "back to the conversation" field is followed only when it is a plain
    number; "²" (a digit to str.isdigit, not to int) is no server error."""
    for back in ("²", "١٢", "../x"):
        response = client_for(zoe).post(
            "/messages/blocks/add/", {"person": red.citizen.public_id, "conversation": back}
        )
        assert response.status_code == 302
        assert response["Location"] == "/messages/blocks/"
        response = client_for(zoe).post(
            f"/messages/blocks/{red.citizen.public_id}/remove/", {"conversation": back}
        )
        assert response.status_code == 302
        assert response["Location"] == "/messages/blocks/"
    assert not Block.objects.exists()
