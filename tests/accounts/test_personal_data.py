"""Issue 13, "Personal data" (UK GDPR): consent before a community attribute is kept, a
download of everything kept about me (never a secret ballot's content), and deleting my
account: the account goes, what I wrote stays as "a former member", public ballots become
anonymous, secret ones stay counted and unlinkable."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.audit.models import AuditEvent
from folkmoot.decisions.models import Ballot, Participation, Vote
from folkmoot.federation.models import Membership
from folkmoot.forums.actions import do_open_thread
from folkmoot.forums.models import Post
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.forums.conftest import Red15m, build_red15m


@pytest.fixture
def red(db: None) -> Red15m:
    return build_red15m()


def _votes(red: Red15m) -> tuple[Vote, Vote]:
    now = timezone.now()
    made = [
        Vote.objects.create(
            assembly=red.assembly,
            title=title,
            method="choice",
            options=["Yes", "No"],
            secret=secret,
            opens_at=now - timedelta(days=3),
            closes_at=now - timedelta(days=1),
        )
        for title, secret in (("Open vote", False), ("Secret vote", True))
    ]
    Ballot.objects.create(vote=made[0], marks="1", voter=red.citizen)
    Ballot.objects.create(vote=made[1], marks="2")  # secret: linked to nobody
    for vote in made:
        Participation.objects.create(vote=vote, person=red.citizen)
    return made[0], made[1]


def test_my_data_holds_what_i_wrote_and_did_and_never_a_secret_ballot(red: Red15m) -> None:
    do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.citizen,
        title="Libraries",
        tag="[DEBATE]",
        body="Open them on Sundays.",
    )
    _votes(red)
    response = client_for(red.citizen).get("/profile/data.json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["email"] == red.citizen.email
    assert data["profile"]["id"] == red.citizen.public_id
    assert [m["assembly"] for m in data["memberships"]] == ["red15m"]
    assert [p["body"] for p in data["posts"]] == ["Open them on Sundays."]
    votes = {v["title"]: v for v in data["votes_taken_part_in"]}
    assert votes["Open vote"]["public_ballot"] == "1"
    assert votes["Secret vote"]["public_ballot"] is None and votes["Secret vote"]["secret"]
    assert Client().get("/api/v1/me/data", **bearer(red.citizen)).json()["posts"] == data["posts"]
    assert Client().get("/profile/data.json").status_code == 302  # sign in first


def test_deleting_my_account_keeps_my_words_and_forgets_me(red: Red15m) -> None:
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.citizen,
        title="Libraries",
        tag="[DEBATE]",
        body="Open them on Sundays.",
    )
    public, secret = _votes(red)
    client = client_for(red.citizen)
    assert "Delete my account" in client.get("/profile/").content.decode()
    wrong = client.post("/profile/delete/", {"password": "nope", "understood": "yes"})
    assert wrong.status_code == 400 and "nothing was deleted" in wrong.content.decode()
    assert User.objects.get(pk=red.citizen.pk).erased_at is None
    done = client.post(
        "/profile/delete/", {"password": "correct-horse-battery", "understood": "yes"}
    )
    assert done.status_code == 302
    gone = User.objects.get(pk=red.citizen.pk)
    assert gone.erased_at is not None and not gone.is_active and not gone.has_usable_password()
    assert str(gone) == "a former member" and "Cita" not in gone.email
    assert gone.birth_date is None and gone.attributes == []
    # What they wrote stays, signed by a former member.
    assert Post.objects.filter(thread=thread, author=gone).exists()
    page = Client().get(f"/assemblies/red15m/threads/{thread.pk}/").content.decode()
    assert "Open them on Sundays." in page and "a former member" in page and "Cita" not in page
    # The public ballot stays counted, now anonymous; the secret one was never linked.
    assert Ballot.objects.filter(vote=public).count() == 1
    assert not Ballot.objects.filter(voter=gone).exists()
    assert Ballot.objects.filter(vote=secret).count() == 1
    assert not Membership.objects.filter(user=gone, ended_at__isnull=True).exists()
    assert AuditEvent.objects.filter(verb="account.erase").exists()
    # Signed out, and unable to sign in again.
    assert client.get("/profile/").status_code == 302
    assert not Client().login(email=red.citizen.email, password="correct-horse-battery")


def test_deleting_through_the_api_needs_the_password(red: Red15m) -> None:
    token = bearer(red.drafter)
    refused = Client().post(
        "/api/v1/me/erase", json.dumps({"password": "x"}), content_type="application/json", **token
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "password"
    erased = Client().post(
        "/api/v1/me/erase",
        json.dumps({"password": "correct-horse-battery"}),
        content_type="application/json",
        **token,
    )
    assert erased.status_code == 200 and erased.json() == {"erased": True}
    assert Client().get("/api/v1/me", **token).status_code == 401  # its tokens went with it


def test_withdrawing_consent_takes_the_attributes_off(red: Red15m) -> None:
    client = client_for(red.citizen)
    fields = {"display_name": "Cita", "language": "", "birth_date": ""}
    client.post("/profile/", {**fields, "attributes": ["disabled"], "consent": "on"})
    red.citizen.refresh_from_db()
    assert red.citizen.attribute_set == {"disabled"} and red.citizen.attributes_consented_at
    assert "You consented on" in client.get("/profile/").content.decode()
    client.post("/profile/", fields)  # every attribute removed
    red.citizen.refresh_from_db()
    assert red.citizen.attributes == [] and red.citizen.attributes_consented_at is None


def test_deleting_removes_invitations_rolls_and_second_steps_that_name_me(red: Red15m) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from folkmoot.federation.models import Invitation, RollImport

    TOTP.activate(red.citizen, generate_totp_secret())
    Invitation.objects.create(
        federation=red.assembly,
        email=red.citizen.email.upper(),
        name="Cita",
        member_since=timezone.localdate(),
    )
    RollImport.objects.create(
        federation=red.assembly,
        uploaded_by=red.coordinator,
        rows=[
            [red.citizen.email, "Cita", "2025-01-01", None, []],
            ["x@example.org", "X", "2025-01-01", None, []],
        ],
        total=2,
    )
    client_for(red.citizen).post(
        "/profile/delete/", {"password": "correct-horse-battery", "understood": "yes"}
    )
    assert not Invitation.objects.exists()
    assert not Authenticator.objects.filter(user=red.citizen).exists()
    assert [r[0] for r in RollImport.objects.get().rows] == ["x@example.org"]


def test_a_public_record_keeps_an_erased_holders_name_and_nothing_else_does(red: Red15m) -> None:
    """Issue 13: "office tenures keep the name only where the protocol requires a public
    record". RED15M's coordinators are one; its drafters are not."""
    from folkmoot.accounts.personal_data import do_erase_account
    from folkmoot.offices.models import Tenure

    coordinator_name, drafter_name = str(red.coordinator), str(red.drafter)
    do_erase_account(user=red.coordinator)
    do_erase_account(user=red.drafter)
    held = Tenure.objects.filter(holder__in=[red.coordinator, red.drafter]).select_related("office")
    assert {t.office.slug: t.holder_shown for t in held} == {
        "coordinator": coordinator_name,
        "drafter": "a former member",
    }
    page = Client().get("/assemblies/red15m/offices/").content.decode()
    assert "Who held it before" in page and coordinator_name in page and drafter_name not in page
    offices = Client().get("/api/v1/assemblies/red15m/offices").json()
    past = {o["key"]: o["past_holders"] for o in offices}
    assert [(p["person"], p["person_id"]) for p in past["coordinator"]] == [
        (coordinator_name, None)
    ]
    assert [(p["person"], p["person_id"]) for p in past["drafter"]] == [("a former member", None)]
