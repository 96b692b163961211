"""BEY-5 and issue 12: how each kind of notification reaches a person (site, email at once,
a daily or weekly digest, or not at all), the signed unsubscribe link, the personal calendar
address, and the notifications page."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from folkmoot.decisions import notify
from folkmoot.decisions.models import Proposal, Vote
from folkmoot.notifications.kinds import KINDS
from folkmoot.notifications.mailing import mail_pending, unsubscribe_token
from folkmoot.notifications.models import EmailPreference, Notification
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.factories import UserFactory, make_assembly

URL = "/notifications/preferences/"
API = "/api/v1/me/notification-preferences"
DEFAULTS = {key: kind.default for key, kind in KINDS.items()}


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


def prefer(user, **channels: str) -> EmailPreference:  # type: ignore[no-untyped-def]
    return EmailPreference.objects.create(user=user, channels=channels)


# The page


def test_the_preferences_page_asks_to_sign_in(db):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, name
    chosen = re.search(r'<option value="(\w+)" selected>', select.group(0))
    assert chosen, name
    return chosen.group(1)


def test_the_preferences_page_shows_every_kind_with_its_default(db, django_assert_max_num_queries):
    person = UserFactory()
    client = client_for(person)
    with django_assert_max_num_queries(6):
        page = client.get(URL).content.decode()
    assert "A vote I may take part in opens" in page and "Someone mentions me" in page
    assert "Someone asks to join an assembly where I am secretary" in page
    for key, default in DEFAULTS.items():
        assert _selected(page, key) == default
    assert _selected(page, "digest") == "daily"
    assert "Create my calendar address" in page
    assert not EmailPreference.objects.filter(user=person).exists()  # reading stores nothing


def test_the_form_saves_the_choices_and_says_so(db):
    person = UserFactory()
    client = client_for(person)
    chosen = {**DEFAULTS, "mention": "off", "result": "email", "reply": "site", "digest": "weekly"}
    page = client.post(URL, chosen, follow=True).content.decode()
    assert "Your notification preferences are saved." in page
    stored = EmailPreference.objects.get(user=person)
    assert (stored.channel("mention"), stored.channel("result"), stored.channel("reply")) == (
        "off",
        "email",
        "site",
    )
    assert stored.digest == "weekly"
    assert _selected(page, "mention") == "off" and _selected(page, "digest") == "weekly"


def test_the_form_refuses_a_channel_that_does_not_exist_and_changes_nothing(db):
    person = UserFactory()
    response = client_for(person).post(URL, {**DEFAULTS, "mention": "pigeon", "digest": "daily"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not EmailPreference.objects.filter(user=person).exists()


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
    empty = {"channels": DEFAULTS, "digest": "daily", "calendar_url": None}
    assert Client().get(API, **bearer(person)).json() == empty
    changed = put(person, {"channels": {"mention": "digest", "vote_closing": "off"}})
    assert changed.status_code == 200
    expected = {**empty, "channels": {**DEFAULTS, "mention": "digest", "vote_closing": "off"}}
    assert changed.json() == expected
    weekly = put(person, {"digest": "weekly"}).json()
    assert weekly == {**expected, "digest": "weekly"}
    assert Client().get(API, **bearer(person)).json() == weekly


def test_the_api_refuses_an_unknown_channel_or_kind_and_changes_nothing(db):
    person = UserFactory()
    response = put(person, {"channels": {"mention": "perhaps"}})
    assert response.status_code == 422
    response = put(person, {"channels": {"gossip": "email"}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "channels"
    assert "No such kind of notification: gossip." in response.json()["errors"][0]["message"]
    assert not EmailPreference.objects.filter(user=person).exists()


def test_the_api_makes_a_calendar_address(db):
    person = UserFactory()
    made = Client().post(f"{API}/calendar", **bearer(person)).json()
    key = EmailPreference.objects.get(user=person).feed_key
    assert made["calendar_url"] == f"{settings.SITE_URL}/me/calendar/{key}.ics"
    assert Client().get(API, **bearer(person)).json()["calendar_url"] == made["calendar_url"]


# Email follows the preferences


def _mail(now=None) -> int:  # type: ignore[no-untyped-def]
    """The worker's mail pass (pages and actions only write notifications)."""
    return mail_pending(now or timezone.now())


def test_an_email_goes_only_to_those_who_want_it(vote: Vote):
    default, keen, quiet, off = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    prefer(keen, vote_opened="email")
    prefer(quiet, vote_opened="site")
    prefer(off, vote_opened="off")
    mail.outbox.clear()
    assert notify.send("vote_opened", [default, keen, quiet, off], vote=vote) == 3
    assert mail.outbox == []  # nothing is mailed until the worker's pass
    assert _mail() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([default.email, keen.email])
    message = mail.outbox[0]
    assert "Open a library?" in message.subject
    assert f"{settings.SITE_URL}/votes/{vote.pk}/" in message.body
    assert f"{settings.SITE_URL}{URL}" in message.body
    # On the site for all but the one who turned it off (kept, unseen, for the home page).
    assert Notification.objects.shown().filter(kind="vote_opened", vote=vote).count() == 3
    assert not Notification.objects.shown().filter(user=off).exists()
    assert "Voting is open" not in client_for(off).get("/notifications/").content.decode()


def test_the_sender_and_subject_name_the_site(vote: Vote):
    notify.send("vote_closing", [UserFactory()], vote=vote)
    mail.outbox.clear()
    _mail()
    message = mail.outbox[0]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.from_email.startswith(f"{settings.SITE_NAME} <")
    assert message.subject.startswith(f"[{settings.SITE_NAME}] ")


def test_changing_ones_mind_stops_what_waits(vote: Vote):
    person = UserFactory()
    notify.send("vote_opened", [person], vote=vote)  # email, by default
    client_for(person).post(URL, {**DEFAULTS, "vote_opened": "site", "digest": "daily"})
    mail.outbox.clear()
    _mail()
    assert mail.outbox == []


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
    notify.send("vote_closing", [UserFactory()], vote=vote)
    mail.outbox.clear()
    assert _mail() == 1
    assert mail.outbox[0].subject == (
        f"[{settings.SITE_NAME}] Less than 24 hours left to vote on “Open a library?”."
    )


def test_a_mention_is_mailed_to_those_who_want_it(vote: Vote):
    from folkmoot.forums.actions import do_open_thread

    assert vote.assembly is not None
    author, keen, quiet = UserFactory(), UserFactory(), UserFactory()
    prefer(quiet, mention="site")
    thread = do_open_thread(
        assembly=vote.assembly, forum_key="general", author=author, title="Hello", tag="", body="Hi"
    )
    post = thread.posts.get()
    for person in (keen, quiet):
        channel = "site" if person == quiet else "email"
        Notification.objects.create(
            user=person, kind="mention", actor=author, post=post, channel=channel
        )
    mail.outbox.clear()
    assert _mail() == 1
    assert mail.outbox[0].to == [keen.email]
    assert "mentioned you in “Hello”" in mail.outbox[0].subject
    # The post's permanent address, which opens the page it is on (forums.views.post_link).
    assert f"/assemblies/{vote.assembly.slug}/posts/{post.pk}/" in mail.outbox[0].body


def test_an_email_is_in_its_readers_language(vote: Vote):
    person = UserFactory(language="fr")
    notify.send("vote_closing", [person], vote=vote)
    mail.outbox.clear()
    _mail()
    assert "Open a library?" in mail.outbox[0].subject
    assert "Less than 24 hours" not in mail.outbox[0].subject


# Digests


def test_the_digest_gathers_a_days_notices_into_one_email(vote: Vote):
    person = UserFactory()
    other = Vote.objects.create(
        assembly=vote.assembly, title="Plant trees?", method="choice", opens_at=vote.opens_at
    )
    mail.outbox.clear()
    notify.send("result", [person], vote=vote)  # result: in the digest by default
    notify.send("result", [person], vote=other)
    assert _mail() == 0  # a digest waits for its day
    later = timezone.now() + timedelta(days=1, minutes=1)
    assert _mail(later) == 1
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Open a library?" in body and "Plant trees?" in body and "Town" in body
    assert "2 things since your last digest" in mail.outbox[0].subject
    assert _mail(later + timedelta(hours=1)) == 0  # never twice
    # The next one waits a whole period after this one.
    notify.send("result", [person], vote=Vote.objects.create(assembly=vote.assembly, title="Q3"))
    assert _mail(later + timedelta(hours=23)) == 0
    assert _mail(later + timedelta(days=1)) == 1


def test_a_weekly_digest_waits_a_week(vote: Vote):
    person = UserFactory()
    EmailPreference.objects.create(user=person, digest="weekly")
    notify.send("result", [person], vote=vote)
    mail.outbox.clear()
    assert _mail(timezone.now() + timedelta(days=3)) == 0
    assert _mail(timezone.now() + timedelta(days=7, minutes=1)) == 1


# Unsubscribing from an email, signed in or not


def _stop_link(message) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"(/notifications/stop/[^/\s]+/)", message.body)
    assert found
    assert message.extra_headers["List-Unsubscribe"] == f"<{settings.SITE_URL}{found.group(1)}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return found.group(1)


def test_the_link_in_an_email_stops_that_kind_without_signing_in(vote: Vote):
    person = UserFactory()
    notify.send("vote_closing", [person], vote=vote)
    mail.outbox.clear()
    _mail()
    link = _stop_link(mail.outbox[0])
    anonymous = Client()
    asked = anonymous.get(link)
    assert asked.status_code == 200
    assert "A vote I have not voted in yet closes within 24 hours" in asked.content.decode()
    assert not EmailPreference.objects.filter(user=person).exists()  # opening changes nothing
    done = anonymous.post(link)
    assert "no more emails" in done.content.decode()
    stored = EmailPreference.objects.get(user=person)
    assert stored.channel("vote_closing") == "site"
    assert stored.channel("vote_opened") == "email"  # only that kind


def test_the_digest_link_stops_the_digest(vote: Vote):
    person = UserFactory()
    notify.send("result", [person], vote=vote)
    mail.outbox.clear()
    _mail(timezone.now() + timedelta(days=2))
    Client().post(_stop_link(mail.outbox[0]))
    stored = EmailPreference.objects.get(user=person)
    assert {k for k in KINDS if stored.channel(k) == "digest"} == set()
    assert stored.channel("result") == "site"


def test_a_forged_or_cut_link_changes_nothing(db):
    person = UserFactory()
    token = unsubscribe_token(person.pk, "mention")
    _payload, _sep, signature = token.partition(":")
    other = UserFactory()
    theirs = unsubscribe_token(other.pk, "mention").partition(":")[0]
    forged = (
        token[:-3] + "xyz",  # cut or altered signature
        f"{theirs}:{signature}",  # someone else's payload with this signature
        signing.dumps({"u": person.pk, "k": "mention"}, salt="another purpose"),
        "x",
    )
    for bad in forged:
        response = Client().post(f"/notifications/stop/{bad}/")
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert not EmailPreference.objects.filter(user=person).exists()


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
    proposal = noticed["proposal"]
    client = client_for(noticed["person"])
    with django_assert_max_num_queries(6):
        page = client.get("/notifications/").content.decode()
    assert "Voting is open: “Open a library?”." in page
    assert "Less than 24 hours left to vote on “Open a library?”." in page
    assert "The result of “Open a library?” is published." in page
    assert "An election is open: “Open a library?”." in page
    assert "Your proposal “Build a bridge” was withdrawn." in page
    ids = list(Notification.objects.filter(user=noticed["person"]).values_list("pk", flat=True))
    for pk in ids:
        assert f'href="/notifications/{pk}/"' in page
    withdrawn = Notification.objects.get(kind="withdrawn")
    opened = client.get(f"/notifications/{withdrawn.pk}/")
    assert opened["Location"] == f"/decisions/{proposal.pk}/"
    withdrawn.refresh_from_db()
    assert withdrawn.read_at is not None


def test_opening_the_vote_marks_its_notifications_read(noticed):
    vote, person = noticed["vote"], noticed["person"]
    client = client_for(person)
    assert client.get(f"/votes/{vote.pk}/").status_code == 200
    unread = Notification.objects.filter(user=person, read_at__isnull=True)
    assert list(unread.values_list("kind", flat=True)) == ["withdrawn"]


def test_someone_elses_notification_is_not_found(noticed):
    theirs = Notification.objects.filter(user=noticed["person"]).first()
    assert client_for(UserFactory()).get(f"/notifications/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


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
    assert by_kind["withdrawn"]["text"] == "Your proposal “Build a bridge” was withdrawn."
    assert by_kind["withdrawn"]["url"] == f"/decisions/{noticed['proposal'].pk}/"
    assert by_kind["withdrawn"]["assembly"] == "town"


def test_the_api_marks_one_read_and_lists_only_unread(noticed):
    headers = bearer(noticed["person"])
    one = Notification.objects.get(kind="result")
    read = Client().post(f"/api/v1/me/notifications/{one.pk}/read", **headers)
    assert read.status_code == 200 and read.json()["read"] is True
    unread = Client().get("/api/v1/me/notifications?unread=true", **headers).json()
    assert one.pk not in [r["id"] for r in unread] and len(unread) == 4
    other = Client().post(f"/api/v1/me/notifications/{one.pk}/read", **bearer(UserFactory()))
    assert other.status_code == 404


def test_the_api_makes_and_stops_the_calendar_address(db):
    person = UserFactory()
    made = Client().post(f"{API}/calendar", **bearer(person)).json()
    key = made["calendar_url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert Client().get(f"/me/calendar/{key}.ics").status_code == 200
    stopped = Client().delete(f"{API}/calendar", **bearer(person))
    assert stopped.status_code == 200 and stopped.json()["calendar_url"] is None
    assert Client().get(f"/me/calendar/{key}.ics").status_code == 404
