"""Mentions notify (issue 5): `@[Display Name]` or `@Name` in a post tells that member of the
assembly, once, on the site and through the API."""

import json

from django.test import Client

from folkmoot.forums.actions import do_open_thread, do_reply
from folkmoot.notifications.mentions import mentioned_names
from folkmoot.notifications.models import Notification
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for


def test_mentions_are_read_from_brackets_or_single_words():
    assert mentioned_names("Hi @[Ana María] and @Cita, not email@example.org") == {
        "ana maría",
        "cita",
    }


def test_a_mention_notifies_the_member_once_and_never_the_author(red):
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.coordinator,
        title="Roles",
        tag="[DEBATE]",
        body="What do you think, @Cita? And @Coco (me)?",
    )
    do_reply(thread=thread, author=red.drafter, body="@cita agrees, I think. @[Nobody Here] too.")
    assert Notification.objects.filter(user=red.citizen).count() == 2
    # The thread's author hears of the reply, not of their own mention of themselves.
    assert list(
        Notification.objects.filter(user=red.coordinator).values_list("kind", flat=True)
    ) == ["reply"]
    page = client_for(red.citizen).get("/notifications/").content.decode()
    assert "Coco mentioned you in “Roles”." in page and "Drea mentioned you in “Roles”." in page
    header = client_for(red.citizen).get("/").content.decode()
    assert 'Notifications <span class="badge">2</span>' in header


def test_people_outside_the_assembly_are_not_notified(red):
    do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.citizen,
        title="Hello",
        tag="[DEBATE]",
        body="@Pat hello",
    )
    assert not Notification.objects.filter(user=red.platform).exists()


def test_notifications_through_the_api_and_marking_them_read(red):
    do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.coordinator,
        title="Q",
        tag="[DEBATE]",
        body="@Cita?",
    )
    headers = bearer(red.citizen)
    rows = Client().get("/api/v1/me/notifications", **headers).json()
    assert [(r["kind"], r["actor"], r["read"]) for r in rows] == [("mention", "Coco", False)]
    marked = Client().post(
        "/api/v1/me/notifications/read", json.dumps({}), content_type="application/json", **headers
    )
    assert marked.json() == {"marked": 1}
    assert Client().get("/api/v1/me/notifications", **headers).json()[0]["read"] is True
