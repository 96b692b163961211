"""Issue 11: the home page keeps each person's agenda, and never shows a kept one that is out
of date: a write anyone makes to what many agendas read (however it is written), the
person's own ballot, or the clock reaching a moment the agenda names makes it afresh."""

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from folkmoot.agenda import changes
from folkmoot.agenda.kept import agenda_for
from folkmoot.decisions.models import Eligible, Vote
from folkmoot.federation.models import JoinRequest
from folkmoot.forums.actions import do_open_thread, do_react
from folkmoot.forums.models import Post
from tests.conftest import client_for
from tests.forums.conftest import Red15m, build_red15m


@pytest.fixture
def red(db: None) -> Red15m:
    return build_red15m()


def a_vote(red: Red15m, title: str, voters: list[Any], opens_in: timedelta = timedelta(0)) -> Vote:
    now = timezone.now()
    vote = Vote.objects.create(
        assembly=red.assembly,
        kind="referendum",
        title=title,
        method="choice",
        options=["Yes", "No"],
        ask_validity=True,
        opens_at=now + opens_in - timedelta(minutes=1),
        closes_at=now + timedelta(days=3),
    )
    Eligible.objects.bulk_create(Eligible(vote=vote, person=p) for p in voters)
    return vote


def titles(client: Client) -> list[str]:
    return [item["title"] for item in client.get("/api/v1/me/agenda").json()["items"]]


@pytest.mark.django_db
def test_a_new_vote_and_a_bulk_update_reach_a_kept_agenda(red: Red15m) -> None:
    citizen = client_for(red.citizen)
    assert "Library hours" not in titles(citizen)
    vote = a_vote(red, "Library hours", [red.citizen])  # save() and bulk_create()
    assert "Library hours" in titles(citizen)
    # A queryset's update() sends no signal: the connection sees it all the same.
    Vote.objects.filter(pk=vote.pk).update(title="Library hours, amended")
    assert "Library hours, amended" in titles(citizen)
    Eligible.objects.filter(vote=vote).delete()
    assert "Library hours, amended" not in titles(citizen)


@pytest.mark.django_db
def test_a_ballot_remakes_only_the_voters_agenda(red: Red15m) -> None:
    vote = a_vote(red, "Room for Friday", [red.citizen, red.drafter])
    citizen, drafter = client_for(red.citizen), client_for(red.drafter)
    assert "Room for Friday" in titles(citizen) and "Room for Friday" in titles(drafter)
    assert "Room for Friday" in drafter.get("/").content.decode()
    token = changes.token()
    answer = citizen.post(f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"})
    assert answer.status_code in (200, 302)
    assert "Room for Friday" not in titles(citizen)
    # Nothing many agendas read was written: the drafter's stays kept (4 queries) and true.
    assert changes.token() == token
    with CaptureQueriesContext(connection) as read:
        page = drafter.get("/").content.decode()
    assert "Room for Friday" in page and len(read) == 4


@pytest.mark.django_db
def test_a_decided_join_request_leaves_the_secretarys_kept_agenda(red: Red15m) -> None:
    from folkmoot.offices.actions import do_appoint

    do_appoint(assembly=red.assembly, office_slug="secretary", holder=red.coordinator, actor=None)
    stranger = type(red.citizen).objects.create_user(email="new@example.org", password="x" * 12)
    request = JoinRequest.objects.create(assembly=red.assembly, user=stranger)
    secretary = client_for(red.coordinator)
    kinds = [i["kind"] for i in secretary.get("/api/v1/me/agenda").json()["items"]]
    assert "join_requests" in kinds
    secretary.post(f"/requests/{request.pk}/decide/", {"decision": "approve", "note": ""})
    kinds = [i["kind"] for i in secretary.get("/api/v1/me/agenda").json()["items"]]
    assert "join_requests" not in kinds


@pytest.mark.django_db
def test_the_clock_reaching_an_opening_remakes_the_agenda(red: Red15m) -> None:
    """Time-based state is computed when read: a kept agenda lasts until the first moment
    the clock changes it, here a vote opening in an hour."""
    a_vote(red, "Opens later", [red.citizen], opens_in=timedelta(hours=1))
    request: Any = SimpleNamespace(user=red.citizen)
    now = timezone.now()
    first = agenda_for(request, now)
    assert "Opens later" not in [i.title for i in first.items]
    assert first.changes_at is not None
    assert first.changes_at <= now + timedelta(hours=1)
    later = agenda_for(request, now + timedelta(hours=1, minutes=1))
    assert "Opens later" in [i.title for i in later.items]


@pytest.mark.django_db
def test_each_language_keeps_its_own_words(red: Red15m) -> None:
    a_vote(red, "Library hours", [red.citizen])
    request: Any = SimpleNamespace(user=red.citizen)
    with override("en"):
        assert agenda_for(request).items[0].summary == "A vote you have not cast yet"
    with override("es"):
        assert agenda_for(request).items[0].summary != "A vote you have not cast yet"


@pytest.mark.django_db
def test_an_offices_support_renews_the_token_and_a_plain_reaction_does_not(red: Red15m) -> None:
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.citizen,
        title="Bikes",
        tag="[DEBATE]",
        body="Racks?",
    )
    post = Post.objects.get(thread=thread)
    token = changes.token()
    do_react(post=post, user=red.drafter, value=1)
    assert changes.token() == token
    do_react(post=post, user=red.coordinator, value=1, as_office="coordinator")
    assert changes.token() != token


@pytest.mark.django_db(transaction=True)
def test_the_token_is_renewed_when_the_write_commits_not_before() -> None:
    """A reader between the write and its commit reads the old state: renewing the token
    first would let it keep that state under the new token."""
    from folkmoot.federation.models import Assembly

    cache.clear()
    token = changes.token()
    with transaction.atomic():
        Assembly.objects.create(slug="kept-test", title="Kept")
        assert changes.token() == token
    assert changes.token() != token
    token = changes.token()
    try:
        with transaction.atomic():
            Assembly.objects.filter(slug="kept-test").update(title="Rolled back")
            raise RuntimeError
    except RuntimeError:
        pass
    assert changes.token() == token  # nothing was written
    with connection.cursor() as cursor:  # SQL through Django's cursor is watched too
        cursor.execute(
            "UPDATE federation_assembly SET title = %s WHERE slug = %s", ["T", "kept-test"]
        )
    assert changes.token() != token
    Assembly.objects.filter(slug="kept-test").delete()


def test_only_writes_to_what_agendas_read_are_watched() -> None:
    matched = {
        'INSERT INTO "decisions_vote" ("title") VALUES (%s)': "decisions_vote",
        'INSERT OR IGNORE INTO "decisions_eligible" ("vote_id") VALUES (%s)': "decisions_eligible",
        'UPDATE "offices_tenure" SET "ended_at" = %s': "offices_tenure",
        'DELETE FROM "moderation_report" WHERE "id" = %s': "moderation_report",
        'INSERT INTO "forums_post" ("body") VALUES (%s)': "forums_post",
    }
    for sql, table in matched.items():
        found = changes._WRITE.match(sql)
        assert found is not None and found.group(1) == table
    assert "forums_post" not in changes.SHARED and "decisions_participation" not in changes.SHARED
    assert changes._WRITE.match('SELECT "decisions_vote"."id" FROM "decisions_vote"') is None


@pytest.mark.django_db
def test_an_appointment_lapsing_ends_its_queue_on_time(red: Red15m) -> None:
    """An appointment for a term lapses by itself at its `until` (issue 13): from then the
    former secretary is not asked about join requests, kept agenda or not."""
    from folkmoot.offices.actions import do_appoint
    from folkmoot.offices.models import Tenure

    tenure = do_appoint(
        assembly=red.assembly, office_slug="secretary", holder=red.coordinator, actor=None
    )
    now = timezone.now()
    Tenure.objects.filter(pk=tenure.pk).update(until=now + timedelta(minutes=5))
    stranger = type(red.citizen).objects.create_user(email="new@example.org", password="x" * 12)
    JoinRequest.objects.create(assembly=red.assembly, user=stranger)
    request: Any = SimpleNamespace(user=red.coordinator)
    assert "join_requests" in [i.kind for i in agenda_for(request, now).items]
    later = now + timedelta(minutes=6)
    assert "join_requests" not in [i.kind for i in agenda_for(request, later).items]


@pytest.mark.django_db
def test_a_sanction_lapsing_unbacked_gives_the_vote_back_on_time(red: Red15m) -> None:
    """SAN-4: a serious sanction nobody backs lapses at the end of its backing window; from
    then the person's vote is on their agenda again, kept agenda or not."""
    import time_machine

    from folkmoot.forums.actions import forum_context
    from folkmoot.moderation.actions import check_sanction
    from folkmoot.moderation.models import Sanction

    check_sanction(
        forum_context(red.coordinator, red.assembly),
        red.coordinator,
        red.drafter,
        level="serious",
        reason="Insults",
    )
    now = timezone.now()
    Sanction.objects.filter(person=red.drafter).update(
        imposed_at=now - timedelta(hours=48) + timedelta(minutes=5), duration=timedelta(days=10)
    )
    a_vote(red, "Hidden while sanctioned", [red.drafter])
    request: Any = SimpleNamespace(user=red.drafter)
    first = [i.kind for i in agenda_for(request, now).items]
    assert "my_sanction" in first and "vote" not in first
    later = now + timedelta(minutes=6)
    with time_machine.travel(later, tick=False):
        kinds = [i.kind for i in agenda_for(request, later).items]
    assert "my_sanction" not in kinds and "vote" in kinds


@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_survives_a_rolled_back_one() -> None:
    """With the cache in the database (the default without Redis), renewing the token inside
    the next transaction would be rolled back with it: the write would never show."""
    from django.core.management import call_command
    from django.test import override_settings

    from folkmoot.config.settings import base
    from folkmoot.federation.models import Assembly

    in_database = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": base.CACHE_TABLE,
        }
    }
    with override_settings(CACHES=in_database):
        call_command("createcachetable")
        token = changes.token()
        Assembly.objects.create(slug="kept-test", title="Kept")  # autocommit: renewal pending
        try:
            with transaction.atomic():
                Assembly.objects.exists()  # the next statement, inside a transaction
                raise RuntimeError("a refused action")
        except RuntimeError:
            pass
        assert changes.token() != token
        Assembly.objects.filter(slug="kept-test").delete()


@pytest.mark.django_db
def test_a_suspension_from_an_office_ending_gives_the_queue_back_on_time(red: Red15m) -> None:
    """OFF-6: a coordinator suspended from the office for a while is not asked to moderate;
    the suspension ends by itself, and from then the reports wait for them again, kept
    agenda or not."""
    from folkmoot.moderation.models import OfficeSuspension, Report

    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.citizen,
        title="Rude",
        tag="[DEBATE]",
        body="Something rude.",
    )
    Report.objects.create(post=thread.posts.get(), reporter=red.drafter, kind="offensive")
    now = timezone.now()
    OfficeSuspension.objects.create(
        assembly=red.assembly,
        holder=red.coordinator,
        office="coordinator",
        duration=timedelta(minutes=5),
        reason="Broke the protocol",
        imposed_by=red.drafter,
        imposed_at=now - timedelta(minutes=1),
    )
    request: Any = SimpleNamespace(user=red.coordinator)
    assert "coordination" not in [i.kind for i in agenda_for(request, now).items]  # kept now
    with time_machine.travel(now + timedelta(minutes=5), tick=False):
        later = agenda_for(request, timezone.now())
    assert "coordination" in [i.kind for i in later.items]
