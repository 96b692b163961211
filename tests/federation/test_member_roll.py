"""Issue 13, "Member rolls" (MEM-1): a general secretary imports the paying-member roll as
CSV. The preview shows who becomes a member, who stops, the unknown emails (invited) and
each bad row with its line and reason; nothing changes until confirmed; then a background
task applies it with a progress bar and a summary; the roll exports as CSV."""

from __future__ import annotations

import html
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from folkmoot.audit.models import AuditEvent
from folkmoot.federation import actions
from folkmoot.federation.models import Invitation, Membership, RollImport
from folkmoot.governance.membership import Status
from folkmoot.notifications.models import Notification
from folkmoot.offices.actions import do_appoint
from folkmoot.protocols.actions import do_adopt_preset
from folkmoot.protocols.facts import viewer_for
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.factories import UserFactory, make_assembly
from tests.test_tasks import run_worker


@pytest.fixture
def hp(db: None) -> dict[str, Any]:
    root = make_assembly("hp", title="Harmony Party", reference_prefix="HPUK", country="GB")
    do_adopt_preset(assembly=root, preset="harmony", actor=None)
    city = make_assembly("leeds", parent=root, title="Leeds")
    people = {
        name: UserFactory(display_name=name.title(), email=f"{name}@example.org")
        for name in ("grace", "paula", "pete", "nora", "mike", "olga")
    }
    for name in ("grace", "paula", "pete", "mike"):
        actions.do_join(user=people[name], assembly=root)
    actions.do_join(user=people["paula"], assembly=city)
    Membership.objects.filter(user=people["mike"]).update(status=Status.MEMBER)
    do_appoint(assembly=root, office_slug="secretary", holder=people["grace"], actor=None)
    return {"root": root, "city": city, **people}


ROLL = (
    "email,name,member_since,birth_date\r\n"
    "PAULA@example.org,Paula,2025-09-14,\r\n"  # a participant: becomes a member
    "pete@example.org,Pete,14/09/2025,1990-01-02\r\n"  # a participant: becomes a member
    "nora@example.org,Nora,2025-10-01,\r\n"  # an account, not in the party: joins
    "new1@example.org,=cmd|' /C calc'!A0,2025-10-01,\r\n"  # unknown: invited
    "new2@example.org,Newton,2025-10-01,\r\n"  # unknown: invited
    "not-an-email,Bad,2025-10-01,\r\n"  # line 7
    "pete@example.org,Pete again,2025-10-01,\r\n"  # line 8: twice
    "zed@example.org,Zed,31/31/2025,\r\n"  # line 9: no such date
    "grace@example.org,Grace,2025-09-01,\r\n"  # the secretary herself: becomes a member
)  # Mike, a member, is not on it: he stops being one.


def _upload(client: Client, text: str | bytes, name: str = "roll.csv") -> Any:
    data = text.encode() if isinstance(text, str) else text
    return client.post("/assemblies/hp/roll/", {"roll": SimpleUploadedFile(name, data)})


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_a_roll_is_previewed_confirmed_applied_in_the_background_and_summarised(
    hp: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    grace = client_for(hp["grace"])
    assert "The member roll: import, export" in _text(grace.get("/assemblies/hp/members/"))
    response = _upload(grace, ROLL)
    made = RollImport.objects.get()
    assert response["Location"] == f"/assemblies/hp/roll/{made.pk}/"
    preview = _text(grace.get(response["Location"]))
    assert "4 people become members</strong>: Paula, Pete, Grace, Nora" in preview
    assert "1 member stops being one (stays a participant)</strong>: Mike" in preview
    assert "2 unknown emails: invited to sign up</strong>: new1@example.org" in preview
    assert "3 rows left out" in preview
    assert "“not-an-email” is not an email address" in preview
    assert "pete@example.org is already on line 3" in preview
    assert "“31/31/2025” is not a date" in preview
    # Nothing changed before the confirmation.
    assert Membership.objects.get(user=hp["paula"], assembly=hp["root"]).status == "participant"
    assert not Invitation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        grace.post(f"/assemblies/hp/roll/{made.pk}/confirm/")
    queued = _text(grace.get(f"/assemblies/hp/roll/{made.pk}/"))
    assert "<progress" in queued and 'http-equiv="refresh"' in queued
    assert DBTaskResult.objects.filter(task_path__endswith="apply_roll_task").exists()
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    made.refresh_from_db()
    assert made.state == "done" and made.done == made.total == 6
    assert made.summary == {"joined": 1, "promoted": 3, "stayed": 0, "invited": 2, "stopped": 1}
    done = _text(grace.get(f"/assemblies/hp/roll/{made.pk}/"))
    assert "3 participants became members" in done and "2 people invited by email" in done

    def status(name: str) -> str:
        return Membership.objects.get(user=hp[name], assembly=hp["root"], ended_at=None).status

    assert [status(n) for n in ("paula", "pete", "nora", "grace", "mike")] == [
        "member", "member", "member", "member", "participant"
    ]  # fmt: skip
    # A member of the federation is one in every assembly of it, and may vote there (MEM-1).
    assert Membership.objects.get(user=hp["paula"], assembly=hp["city"]).status == "member"
    assert viewer_for(hp["nora"], hp["root"]).status == "member"
    hp["pete"].refresh_from_db()
    assert str(hp["pete"].birth_date) == "1990-01-02"
    assert AuditEvent.objects.filter(verb="roll.applied").exists()
    # Everyone whose status changed is told, once; Grace uploaded it and knows.
    told = Notification.objects.filter(kind="roll_status")
    assert {(n.user.display_name, n.occasion) for n in told} == {
        ("Paula", "member"), ("Pete", "member"), ("Nora", "joined"), ("Mike", "stopped")
    }  # fmt: skip
    assert "The member roll of Harmony Party no longer lists you" in _text(
        client_for(hp["mike"]).get("/notifications/")
    )

    # The invitations went out, once each, in the federation's language.
    run_worker()
    invited = sorted(m.to[0] for m in mail.outbox if "invites you" in m.subject)
    assert invited == ["new1@example.org", "new2@example.org"]
    run_worker()
    assert len([m for m in mail.outbox if "invites you" in m.subject]) == 2

    # Applying the same roll again changes nothing (a new upload, the same list).
    with django_capture_on_commit_callbacks(execute=True):
        _upload(grace, ROLL)
        again = RollImport.objects.latest("pk")
        assert again.preview["counts"]["promote"] == 0 and again.preview["counts"]["stay"] == 4

    # The export lists the members, a name that looks like a formula made harmless.
    exported = b"".join(grace.get("/assemblies/hp/roll.csv").streaming_content).decode()
    assert exported.splitlines()[0] == "email,name,member_since"
    assert "paula@example.org,Paula," in exported and "mike@" not in exported


def test_an_invited_person_becomes_a_member_once_they_prove_their_email(
    hp: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    grace = client_for(hp["grace"])
    _upload(grace, "email,name,member_since\nnew@example.org,Neve,2025-10-01\n")
    made = RollImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        grace.post(f"/assemblies/hp/roll/{made.pk}/confirm/")
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    newcomer = UserFactory(display_name="Neve", email="New@Example.org")
    unproved, _made = EmailAddress.objects.update_or_create(
        user=newcomer, email=newcomer.email, defaults={"verified": False}
    )
    assert not Membership.objects.filter(user=newcomer).exists()  # signing up is not enough
    email_confirmed.send(sender=EmailAddress, request=None, email_address=unproved)
    membership = Membership.objects.get(user=newcomer, assembly=hp["root"])
    assert membership.status == "member" and membership.started_on.isoformat() == "2025-10-01"
    assert Invitation.objects.get().accepted_at is not None


def test_a_file_that_cannot_be_read_is_refused_whole_and_changes_nothing(
    hp: dict[str, Any],
) -> None:
    grace = client_for(hp["grace"])
    latin1 = _upload(
        grace, "email,name,member_since\nzoë@example.org,Zoë,2025-01-01\n".encode("latin-1")
    )
    assert latin1.status_code == 400 and "is not UTF-8 text" in _text(latin1)
    missing = _upload(grace, "email,name\nx@example.org,X\n")
    assert "missing: member_since" in _text(missing)
    assert "The file is empty." in _text(_upload(grace, ""))
    assert not RollImport.objects.exists()


def test_only_the_general_secretaries_keep_the_roll(hp: dict[str, Any]) -> None:
    paula = client_for(hp["paula"])
    assert paula.get("/assemblies/hp/roll/").status_code == 404
    assert _upload(paula, ROLL).status_code == 404
    assert paula.get("/assemblies/hp/roll.csv").status_code == 404
    api = Client().get("/api/v1/assemblies/hp/roll.csv", **bearer(hp["paula"]))
    assert api.status_code == 404
    assert not RollImport.objects.exists()


def test_the_roll_through_the_api(
    hp: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    token = bearer(hp["grace"])
    made = Client().post(
        "/api/v1/assemblies/hp/roll/imports",
        {"file": SimpleUploadedFile("roll.csv", ROLL.encode())},
        **token,
    )
    assert made.status_code == 201
    body = made.json()
    assert body["state"] == "previewed" and body["preview"]["counts"]["invite"] == 2
    assert [line for line, _why in body["problems"]] == [7, 8, 9]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = Client().post(
            f"/api/v1/assemblies/hp/roll/imports/{body['id']}/confirm", **token
        )
    assert confirmed.status_code == 202 and confirmed.json()["state"] == "queued"
    again = Client().post(f"/api/v1/assemblies/hp/roll/imports/{body['id']}/confirm", **token)
    assert again.status_code == 403  # a second click queues nothing twice
    run_worker()
    read = Client().get(f"/api/v1/assemblies/hp/roll/imports/{body['id']}", **token).json()
    assert read["state"] == "done" and read["summary"]["promoted"] == 3
    exported = Client().get("/api/v1/assemblies/hp/roll.csv", **token)
    assert b"pete@example.org" in b"".join(exported.streaming_content)


def test_a_members_mistyped_row_keeps_their_vote_and_bad_files_are_refused(
    hp: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """A review's findings: a typo in a member's row must not take their vote away; a cell
    too long for the csv module or a year 0001 is refused, not a crash; an older preview
    cannot be applied after a newer roll; applied, the roll keeps no copy of the rows; the
    roll's attributes are not written into anyone's profile without their consent."""
    grace = client_for(hp["grace"])
    text = (
        "email,name,member_since,attributes\n"
        "mike@example.org,Mike,2025/09/14,\n"  # Mike is a member: this row is left out
        "paula@example.org,Paula,0001-01-01,\n"
        "pete@example.org,Pete,2025-09-14,disabled\n"
    )
    _upload(grace, text)
    older = RollImport.objects.get()
    assert [line for line, _why in older.problems] == [2, 3]
    assert older.preview["counts"]["stop"] == 0
    _upload(grace, "email,name,member_since\npete@example.org,Pete,2025-09-14\n")
    newer = RollImport.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        grace.post(f"/assemblies/hp/roll/{newer.pk}/confirm/")
    run_worker()
    refused = grace.post(f"/assemblies/hp/roll/{older.pk}/confirm/", follow=True)
    assert "A newer roll was applied since this one was checked" in _text(refused)
    newer.refresh_from_db()
    assert newer.state == "done" and newer.rows == [] and "examples" not in newer.preview
    hp["pete"].refresh_from_db()
    assert hp["pete"].attributes == []
    huge = _upload(grace, 'email,name,member_since\n"' + "x" * 140_000 + '",X,2025-01-01\n')
    assert huge.status_code == 400 and "not a CSV file the roll can read" in _text(huge)


def test_the_people_search_is_for_those_taking_part(hp: dict[str, Any]) -> None:
    outsider = bearer(hp["olga"])  # has an account, takes no part in the federation
    assert Client().get("/api/v1/assemblies/leeds/people?q=pa", **outsider).status_code == 404
    found = Client().get("/api/v1/assemblies/leeds/people?q=pa", **bearer(hp["grace"])).json()
    assert [p["name"] for p in found] == ["Paula"]


def test_the_people_page_finds_a_member_by_name(hp: dict[str, Any]) -> None:
    """Issue 13's picker where the secretary changes a member's status: a search, no
    scrolling through a roll of thousands (and the API's `q`)."""
    page = _text(client_for(hp["grace"]).get("/assemblies/hp/members/?q=pau"))
    assert "Paula" in page and "Pete" not in page
    assert "Nobody here has that name." in _text(
        client_for(hp["grace"]).get("/assemblies/hp/members/?q=zz")
    )
    found = Client().get("/api/v1/assemblies/hp/members?q=pe").json()["items"]
    assert [m["person"] for m in found] == ["Pete"]
