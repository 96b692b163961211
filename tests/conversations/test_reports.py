"""FOR-6 reporting, through the pages: a participant reports a message with a reason; the
platform's staff read the reported message, and only it, and hide it (kept, never deleted)
or dismiss the report. The reported person never learns who reported."""

from __future__ import annotations

from folkmoot.accounts.models import User
from folkmoot.conversations.models import Message, MessageReport
from folkmoot.notifications.models import Notification
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.forums.conftest import Red15m

from .conftest import Api, reply_on_page, started, text_of


def report(reporter: User, message: Message, reason: str = "Insults") -> object:
    return client_for(reporter).post(f"/messages/message/{message.pk}/report/", {"reason": reason})


def test_a_report_reaches_the_staff_who_read_that_message_only(
    red: Red15m, zoe: User, staff: User
) -> None:
    conversation = started(red.citizen, [zoe], "A private first line")
    reply_on_page(red.citizen, conversation, "You fool")
    rude = Message.objects.get(body="You fool")
    response = report(zoe, rude, "Insults me")
    assert response.status_code == 302
    told = Notification.objects.get(user=staff, kind="message_report")
    assert told.actor is None  # the notice names nobody
    page = text_of(client_for(staff).get("/messages/reports/"))
    assert "You fool" in page and "Insults me" in page
    assert "A private first line" not in page  # the rest of the conversation stays private
    assert client_for(staff).get(f"/messages/{conversation.pk}/").status_code == 404


def test_staff_hide_a_message_and_its_text_is_shown_to_nobody_but_kept(
    red: Red15m, zoe: User, staff: User
) -> None:
    conversation = started(red.citizen, [zoe], "You fool")
    message = Message.objects.get()
    report(zoe, message)
    found = MessageReport.objects.get()
    assert client_for(staff).post(f"/messages/reports/{found.pk}/hide/").status_code == 302
    for reader in (zoe, red.citizen):
        page = text_of(client_for(reader).get(f"/messages/{conversation.pk}/"))
        assert "You fool" not in page
        assert "This message was hidden by the platform's staff after a report." in page
    message.refresh_from_db()
    assert message.body == "You fool" and message.hidden_at is not None  # never deleted
    assert "No report waits." in text_of(client_for(staff).get("/messages/reports/"))
    found.refresh_from_db()
    assert found.outcome == "hidden"


def test_staff_dismiss_a_report_and_the_message_stays(red: Red15m, zoe: User, staff: User) -> None:
    conversation = started(red.citizen, [zoe], "Murals are bad")
    report(zoe, Message.objects.get(), "I disagree")
    found = MessageReport.objects.get()
    assert client_for(staff).post(f"/messages/reports/{found.pk}/dismiss/").status_code == 302
    assert "Murals are bad" in text_of(client_for(zoe).get(f"/messages/{conversation.pk}/"))
    found.refresh_from_db()
    assert found.outcome == "dismissed"
    # A second decision on it finds nothing waiting.
    assert client_for(staff).post(f"/messages/reports/{found.pk}/hide/").status_code == 404
    assert Message.objects.get().hidden_at is None


def test_only_staff_review_reports(red: Red15m, zoe: User) -> None:
    started(red.citizen, [zoe], "Hmm")
    report(zoe, Message.objects.get())
    found = MessageReport.objects.get()
    response = client_for(red.coordinator).get("/messages/reports/")
    assert response.status_code == 403
    assert "Only the platform's staff review reported messages." in text_of(response)
    assert client_for(zoe).post(f"/messages/reports/{found.pk}/hide/").status_code == 403
    assert Message.objects.get().hidden_at is None


def test_the_author_never_learns_who_reported(red: Red15m, zoe: User, staff: User) -> None:
    conversation = started(red.citizen, [zoe, red.coordinator], "Hmm")
    report(zoe, Message.objects.get(), "Rude words")
    for path in (f"/messages/{conversation.pk}/", "/notifications/", "/messages/"):
        page = text_of(client_for(red.citizen).get(path))
        assert "Rude words" not in page and "Reported by" not in page
    assert not Notification.objects.filter(user=red.citizen).exclude(kind="private_message")
    # The staff see who reported; the staff's notice names nobody.
    assert "Reported by Zoe" in text_of(client_for(staff).get("/messages/reports/"))


def test_a_report_needs_a_reason_is_made_once_and_not_on_ones_own_message(
    red: Red15m, zoe: User
) -> None:
    started(red.citizen, [zoe], "Hmm")
    message = Message.objects.get()
    response = client_for(zoe).post(
        f"/messages/message/{message.pk}/report/", {"reason": ""}, follow=True
    )
    assert "Say why you report it: the staff read it." in text_of(response)
    own = client_for(red.citizen).post(
        f"/messages/message/{message.pk}/report/", {"reason": "Me"}, follow=True
    )
    assert "You cannot report your own message." in text_of(own)
    report(zoe, message)
    again = client_for(zoe).post(
        f"/messages/message/{message.pk}/report/", {"reason": "Again"}, follow=True
    )
    assert "You have already reported this message." in text_of(again)
    assert MessageReport.objects.count() == 1
    # Someone outside the conversation finds no message to report.
    assert report(red.coordinator, message).status_code == 404  # type: ignore[attr-defined]
    assert MessageReport.objects.count() == 1


def test_staff_never_review_a_report_on_their_own_message(red: Red15m, staff: User) -> None:
    """FOR-6: the staff member who wrote the reported message does not see the report (nor
    who made it) and cannot decide on it, exactly as if it did not exist; another member of
    the staff reviews it."""
    other = UserFactory(display_name="Sol", is_staff=True)
    started(staff, [red.citizen], "Staff words")
    report(red.citizen, Message.objects.get(), "Abuse of position")
    found = MessageReport.objects.get()
    page = text_of(client_for(staff).get("/messages/reports/"))
    assert "Abuse of position" not in page and "Reported by Cita" not in page
    assert "No report waits." in page
    for action in ("hide", "dismiss"):
        assert client_for(staff).post(f"/messages/reports/{found.pk}/{action}/").status_code == 404
    assert Api(staff).get("/private-message-reports").json() == []
    assert Api(staff).post(f"/private-message-reports/{found.pk}/dismiss").status_code == 404
    found.refresh_from_db()
    assert found.resolved_at is None
    # The staff's notice goes to the other member of the staff only.
    assert not Notification.objects.filter(user=staff, kind="message_report").exists()
    assert Notification.objects.filter(user=other, kind="message_report").exists()
    assert "Reported by Cita" in text_of(client_for(other).get("/messages/reports/"))
    assert client_for(other).post(f"/messages/reports/{found.pk}/dismiss/").status_code == 302
    found.refresh_from_db()
    assert found.outcome == "dismissed"


def test_staff_never_review_a_message_they_reported(red: Red15m, zoe: User, staff: User) -> None:
    """FOR-6: a member of the staff who reports a message in their own conversation does not
    judge that report (nor the others on the same message): another member of the staff
    does."""
    other = UserFactory(display_name="Sol", is_staff=True)
    conversation = started(red.citizen, [staff, zoe], "Rude words")
    message = Message.objects.get(conversation=conversation)
    report(staff, message, "Rude to me")
    report(zoe, message, "Rude to all")
    page = text_of(client_for(staff).get("/messages/reports/"))
    assert "Rude to me" not in page and "Rude to all" not in page
    for found in MessageReport.objects.all():
        assert client_for(staff).post(f"/messages/reports/{found.pk}/hide/").status_code == 404
    assert Message.objects.get().hidden_at is None
    assert not Notification.objects.filter(user=staff, kind="message_report").exists()
    listed = Api(other).get("/private-message-reports").json()
    assert sorted(r["reason"] for r in listed) == ["Rude to all", "Rude to me"]
