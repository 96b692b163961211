"""BEY-5: which notifications also come by email, the personal calendar address, and the
decision notifications on the notifications page."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from folkmoot.decisions import notify
from folkmoot.decisions.models import Proposal, Vote
from folkmoot.notifications.mailing import mail_pending
from folkmoot.notifications.models import EmailPreference, Notification
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.factories import UserFactory, make_assembly

URL = "/notifications/preferences/"
API = "/api/v1/me/notification-preferences"
DEFAULTS = {
    "vote_opened": True,
    "vote_closing": True,
    "result": True,
    "election": True,
    "withdrawn": True,
    "mention": False,
}


@pytest.fixture
def vote(db: None) -> Vote:
    assembly = make_assembly("town", title="Town")
    now = timezone.now()
    return Vote.objects.create(
        assembly=assembly,
        kind="referendum",
        title="Open a library?",
        method="choice",
        options=["Yes", "No"],
        opens_at=now,
        closes_at=now + timedelta(days=2),
    )


def put(user, body):  # type: ignore[no-untyped-def]
    return Client().put(API, json.dumps(body), content_type="application/json", **bearer(user))


# The page


def test_the_preferences_page_asks_to_sign_in(db):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_preferences_page_shows_the_defaults(db, django_assert_max_num_queries):
    person = UserFactory()
    client = client_for(person)
    with django_assert_max_num_queries(6):
        page = client.get(URL).content.decode()
    assert "A vote I may take part in opens" in page and "Someone mentions me" in page
    assert 'name="vote_opened" id="id_vote_opened" checked' in page
    assert 'name="mention" id="id_mention" checked' not in page
    assert "Create my calendar address" in page
    assert not EmailPreference.objects.filter(user=person).exists()  # reading stores nothing


def test_the_form_saves_the_choices_and_says_so(db):
    person = UserFactory()
    client = client_for(person)
    response = client.post(URL, {"vote_opened": "on", "mention": "on"}, follow=True)
    page = response.content.decode()
    assert "Your notification preferences are saved." in page
    stored = EmailPreference.objects.get(user=person)
    assert (stored.vote_opened, stored.mention) == (True, True)
    assert (stored.vote_closing, stored.result, stored.election, stored.withdrawn) == (
        False,
        False,
        False,
        False,
    )
    assert 'name="mention" id="id_mention" checked' in page
    assert 'name="result" id="id_result" checked' not in page


def test_the_notifications_page_links_to_the_preferences(db):
    page = client_for(UserFactory()).get("/notifications/").content.decode()
    assert f'href="{URL}"' in page


# The calendar address


def test_a_calendar_address_is_made_shown_replaced_and_stopped(db):
    person = UserFactory()
    client = client_for(person)
    page = client.post(f"{URL}calendar/", {"action": "new"}, follow=True).content.decode()
    key = EmailPreference.objects.get(user=person).feed_key
    assert key and len(key) <= 32
    address = f"{settings.SITE_URL}/me/calendar/{key}.ics"
    assert address in page
    assert Client().get(f"/me/calendar/{key}.ics").status_code == 200
    client.post(f"{URL}calendar/", {"action": "new"})
    new_key = EmailPreference.objects.get(user=person).feed_key
    assert new_key and new_key != key
    assert Client().get(f"/me/calendar/{key}.ics").status_code == 404
    assert Client().get(f"/me/calendar/{new_key}.ics").status_code == 200
    page = client.post(f"{URL}calendar/", {"action": "stop"}, follow=True).content.decode()
    assert "Your calendar address no longer works." in page
    assert EmailPreference.objects.get(user=person).feed_key is None
    assert Client().get(f"/me/calendar/{new_key}.ics").status_code == 404


def test_the_calendar_address_is_changed_only_by_post(db):
    person = UserFactory()
    assert client_for(person).get(f"{URL}calendar/").status_code == 405
    assert not EmailPreference.objects.filter(user=person).exists()


# The API


def test_the_api_needs_authentication(db):
    assert Client().get(API).status_code == 401
    assert Client().put(API, "{}", content_type="application/json").status_code == 401


def test_the_api_round_trips_partial_changes(db):
    person = UserFactory()
    assert Client().get(API, **bearer(person)).json() == {**DEFAULTS, "calendar_url": None}
    changed = put(person, {"mention": True, "vote_closing": False})
    assert changed.status_code == 200
    expected = {**DEFAULTS, "mention": True, "vote_closing": False, "calendar_url": None}
    assert changed.json() == expected
    assert put(person, {"result": False}).json() == {**expected, "result": False}
    assert Client().get(API, **bearer(person)).json() == {**expected, "result": False}
    stored = EmailPreference.objects.get(user=person)
    assert (stored.mention, stored.vote_closing, stored.result) == (True, False, False)


def test_the_api_refuses_what_is_not_a_boolean(db):
    response = put(UserFactory(), {"mention": "perhaps"})
    assert response.status_code == 422


def test_the_api_makes_a_calendar_address(db):
    person = UserFactory()
    made = Client().post(f"{API}/calendar", **bearer(person)).json()
    key = EmailPreference.objects.get(user=person).feed_key
    assert made["calendar_url"] == f"{settings.SITE_URL}/me/calendar/{key}.ics"
    assert Client().get(API, **bearer(person)).json()["calendar_url"] == made["calendar_url"]


# Email follows the preferences


def _mail() -> int:
    """The worker's mail pass (pages and actions only write notifications)."""
    return mail_pending(timezone.now())


def test_an_email_goes_only_to_those_who_want_it(vote: Vote):
    default, keen, quiet = UserFactory(), UserFactory(), UserFactory()
    EmailPreference.objects.create(user=keen, vote_opened=True)
    EmailPreference.objects.create(user=quiet, vote_opened=False)
    mail.outbox.clear()
    assert notify.send("vote_opened", [default, keen, quiet], vote=vote) == 3
    assert mail.outbox == []  # nothing is mailed until the worker's pass
    assert _mail() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([default.email, keen.email])
    message = mail.outbox[0]
    assert "Open a library?" in message.subject
    assert f"{settings.SITE_URL}/votes/{vote.pk}/" in message.body
    assert f"{settings.SITE_URL}{URL}" in message.body
    # Everyone is told on the site, whatever their email preference.
    assert Notification.objects.filter(kind="vote_opened", vote=vote).count() == 3


def test_saving_the_form_stops_the_email(vote: Vote):
    person = UserFactory()
    client_for(person).post(URL, {"vote_opened": "on"})  # everything but vote_opened off
    mail.outbox.clear()
    notify.send("result", [person], vote=vote)
    _mail()
    assert mail.outbox == []
    notify.send("vote_opened", [person], vote=vote)
    _mail()
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_a_repeated_notice_and_a_second_worker_send_no_second_email(vote: Vote):
    person = UserFactory()
    mail.outbox.clear()
    notify.send("vote_closing", [person], vote=vote)
    notify.send("vote_closing", [person], vote=vote)
    assert _mail() == 1
    assert _mail() == 0  # claimed once: another pass (or worker) finds nothing
    assert len(mail.outbox) == 1


def test_a_title_with_line_breaks_makes_a_one_line_subject(vote: Vote):
    Vote.objects.filter(pk=vote.pk).update(title="Open\na library?")
    vote.refresh_from_db()
    notify.send("result", [UserFactory()], vote=vote)
    mail.outbox.clear()
    assert _mail() == 1
    assert mail.outbox[0].subject == "Result published: Open a library?"


def test_a_mention_is_mailed_to_those_who_asked_for_it(vote: Vote):
    from folkmoot.forums.actions import do_open_thread

    assert vote.assembly is not None
    author, keen, quiet = UserFactory(), UserFactory(), UserFactory()
    EmailPreference.objects.create(user=keen, mention=True)
    thread = do_open_thread(
        assembly=vote.assembly, forum_key="general", author=author, title="Hello", tag="", body="Hi"
    )
    post = thread.posts.get()
    for person in (keen, quiet):
        Notification.objects.create(user=person, kind="mention", actor=author, post=post)
    mail.outbox.clear()
    assert _mail() == 1
    assert mail.outbox[0].to == [keen.email]
    assert "mentioned you in “Hello”" in mail.outbox[0].subject
    # The post's permanent address, which opens the page it is on (forums.views.post_link).
    assert f"/assemblies/{vote.assembly.slug}/posts/{post.pk}/" in mail.outbox[0].body


# The notifications page and list


@pytest.fixture
def noticed(vote: Vote) -> dict[str, object]:
    person = UserFactory()
    assert vote.assembly is not None
    proposal = Proposal.objects.create(
        assembly=vote.assembly,
        kind="referendum",
        title="Build a bridge",
        body="Over the river.",
        body_html="<p>Over the river.</p>",
        proposer=person,
    )
    for kind in ("vote_opened", "vote_closing", "result", "election"):
        Notification.objects.create(user=person, kind=kind, vote=vote)
    Notification.objects.create(user=person, kind="withdrawn", proposal=proposal)
    return {"person": person, "vote": vote, "proposal": proposal}


def test_the_page_tells_of_votes_results_elections_and_withdrawals(
    noticed, django_assert_max_num_queries
):
    vote, proposal = noticed["vote"], noticed["proposal"]
    client = client_for(noticed["person"])
    with django_assert_max_num_queries(6):
        page = client.get("/notifications/").content.decode()
    assert "Voting is open: “Open a library?”." in page
    assert "Less than 24 hours left to vote on “Open a library?”." in page
    assert "The result of “Open a library?” is published." in page
    assert "An election is open: “Open a library?”." in page
    assert "Your proposal “Build a bridge” was withdrawn." in page
    assert page.count(f'href="/votes/{vote.pk}/"') == 4
    assert f'href="/decisions/{proposal.pk}/"' in page


def test_the_page_query_count_holds_as_notifications_grow(noticed, django_assert_max_num_queries):
    person = noticed["person"]
    assembly = noticed["vote"].assembly
    now = timezone.now()
    for i in range(20):
        other = Vote.objects.create(
            assembly=assembly,
            title=f"Question {i}",
            method="choice",
            opens_at=now,
            closes_at=now + timedelta(days=1),
        )
        Notification.objects.create(user=person, kind="result", vote=other)
    client = client_for(person)
    with django_assert_max_num_queries(6):
        page = client.get("/notifications/").content.decode()
    assert "The result of “Question 19” is published." in page


def test_the_api_lists_the_vote_and_proposal_of_each_notification(noticed):
    rows = Client().get("/api/v1/me/notifications", **bearer(noticed["person"])).json()
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["result"]["vote"] == noticed["vote"].pk
    assert by_kind["result"]["proposal"] is None
    assert by_kind["withdrawn"]["proposal"] == noticed["proposal"].pk
    assert by_kind["withdrawn"]["vote"] is None


def test_the_api_makes_and_stops_the_calendar_address(db):
    person = UserFactory()
    made = Client().post(f"{API}/calendar", **bearer(person)).json()
    key = made["calendar_url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert Client().get(f"/me/calendar/{key}.ics").status_code == 200
    stopped = Client().delete(f"{API}/calendar", **bearer(person))
    assert stopped.status_code == 200 and stopped.json()["calendar_url"] is None
    assert Client().get(f"/me/calendar/{key}.ics").status_code == 404
