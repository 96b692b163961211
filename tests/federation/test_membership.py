"""MEM-1..4 through the browser views: join, leave, approval queue, eligibility, statuses."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from folkmoot.audit.models import AuditEvent
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly, JoinRequest, Membership
from folkmoot.governance.eligibility import age_on
from tests.conftest import World, client_for
from tests.factories import make_assembly


@pytest.fixture
def constituency(world: World) -> Assembly:
    """An assembly whose secretary, Sam, approves newcomers (MEM-2)."""
    assembly = make_assembly("central", parent=world.federation, join_policy="approval")
    actions.do_appoint_secretary(assembly=assembly, holder=world.sam, actor=None)
    return assembly


def join(client, assembly):  # type: ignore[no-untyped-def]
    return client.post(reverse("assembly-join", args=[assembly.slug]), follow=True)


def test_member_of_federation_joins_an_open_assembly_as_member(world: World):
    response = join(client_for(world.alice), world.working_group)
    assert "Welcome to Working Group." in response.content.decode()
    membership = Membership.objects.get(user=world.alice, assembly=world.working_group)
    assert membership.status == "member" and membership.ended_at is None
    assert AuditEvent.objects.filter(
        verb="membership.join", actor=world.alice, assembly=world.working_group
    ).exists()


def test_participant_of_federation_joins_as_participant_and_cannot_vote(world: World):
    join(client_for(world.bob), world.working_group)
    assert (
        Membership.objects.get(user=world.bob, assembly=world.working_group).status == "participant"
    )
    html = client_for(world.bob).get(world.working_group.get_absolute_url()).content.decode()
    assert "You are a participant" in html


def test_outsider_must_join_the_federation_first(world: World):
    response = join(client_for(world.charlie), world.working_group)
    assert "Join the federation this assembly belongs to first." in response.content.decode()
    assert not Membership.objects.filter(user=world.charlie).exists()


def test_outsider_joins_the_federation_as_participant(world: World):
    join(client_for(world.charlie), world.federation)
    assert (
        Membership.objects.get(user=world.charlie, assembly=world.federation).status
        == "participant"
    )


def test_anonymous_visitor_is_sent_to_sign_in(world: World):
    response = client_for(None).post(reverse("assembly-join", args=[world.working_group.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    html = client_for(None).get(world.working_group.get_absolute_url()).content.decode()
    assert "Sign in to join this assembly." in html


def test_joining_twice_changes_nothing(world: World):
    client = client_for(world.alice)
    join(client, world.working_group)
    response = join(client, world.working_group)
    assert "You already belong to this assembly." in response.content.decode()
    assert Membership.objects.filter(user=world.alice, assembly=world.working_group).count() == 1


def test_leaving_keeps_the_history_and_rejoining_starts_a_new_period(world: World):
    client = client_for(world.alice)
    join(client, world.working_group)
    response = client.post(reverse("assembly-leave", args=[world.working_group.slug]), follow=True)
    assert "You have left Working Group." in response.content.decode()
    join(client, world.working_group)
    rows = Membership.objects.filter(user=world.alice, assembly=world.working_group).order_by(
        "started_at"
    )
    assert [r.ended_at is None for r in rows] == [False, True]


def test_leaving_the_federation_ends_every_membership_inside_it(world: World):
    client = client_for(world.alice)
    join(client, world.working_group)
    client.post(reverse("assembly-leave", args=[world.federation.slug]))
    assert not Membership.objects.active().filter(user=world.alice).exists()


def test_automatic_assembly_counts_everyone_in_the_federation_and_cannot_be_left(world: World):
    owg = make_assembly("owg", parent=world.federation, join_policy="automatic")
    html = client_for(world.bob).get(owg.get_absolute_url()).content.decode()
    assert "You are a participant" in html
    assert "2 members" in html and "1 participant" in html
    response = client_for(world.bob).post(reverse("assembly-leave", args=[owg.slug]), follow=True)
    assert "leave the federation to leave it" in response.content.decode()
    response = join(client_for(world.charlie), owg)
    assert "join the federation first" in response.content.decode()


def test_youth_assembly_refuses_an_ineligible_person_with_the_reason_in_their_language(
    world: World,
):
    youth = make_assembly("youth", parent=world.federation, min_age=18, max_age=30)
    world.alice.language = "es"
    world.alice.save()
    html = client_for(world.alice).get(youth.get_absolute_url()).content.decode()
    age = age_on(world.alice.birth_date, date.today())
    assert "18–30" in html and f"tienes {age}" in html
    response = join(client_for(world.alice), youth)
    assert not Membership.objects.filter(user=world.alice, assembly=youth).exists()
    assert response.status_code == 200


def test_youth_assembly_admits_a_young_member(world: World):
    youth = make_assembly("youth", parent=world.federation, min_age=18, max_age=30)
    world.bob.birth_date = date(date.today().year - 22, 1, 1)
    world.bob.save()
    join(client_for(world.bob), youth)
    assert Membership.objects.active().filter(user=world.bob, assembly=youth).exists()


def test_declared_attribute_opens_the_community_assembly(world: World):
    society = make_assembly("das", parent=world.federation, required_attribute="disabled")
    join(client_for(world.bob), society)
    assert not Membership.objects.filter(user=world.bob, assembly=society).exists()
    world.bob.attributes = ["disabled"]
    world.bob.save()
    join(client_for(world.bob), society)
    # Issue 13: an attribute counts only with the person's consent to keep it.
    assert not Membership.objects.filter(user=world.bob, assembly=society).exists()
    world.bob.attributes_consented_at = timezone.now()
    world.bob.save()
    join(client_for(world.bob), society)
    assert Membership.objects.filter(user=world.bob, assembly=society).exists()


def test_membership_of_another_assembly_and_seniority_rules(world: World):
    inner = make_assembly(
        "inner",
        parent=world.federation,
        required_assembly=world.working_group,
        min_seniority_days=30,
    )
    html = client_for(world.alice).get(inner.get_absolute_url()).content.decode()
    assert "Only members of Working Group may join this assembly." in html
    assert "30 days of continuous membership" in html


def test_secretary_approves_a_request_from_the_queue(world: World, constituency: Assembly):
    client = client_for(world.bob)
    client.post(
        reverse("assembly-join", args=[constituency.slug]), {"message": "Hello, I live here."}
    )
    request = JoinRequest.objects.get(user=world.bob, assembly=constituency)
    assert not Membership.objects.filter(user=world.bob, assembly=constituency).exists()
    assert (
        "waiting for the secretary" in client.get(constituency.get_absolute_url()).content.decode()
    )

    secretary = client_for(world.sam)
    queue = secretary.get(reverse("assembly-requests", args=[constituency.slug])).content.decode()
    assert "Bob" in queue and "Hello, I live here." in queue
    secretary.post(
        reverse("join-request-decide", args=[request.pk]),
        {"decision": "approve", "note": "Welcome"},
    )
    assert Membership.objects.active().filter(user=world.bob, assembly=constituency).exists()
    request.refresh_from_db()
    assert request.approved is True and request.decided_by == world.sam


def test_rejected_request_adds_nobody_and_can_be_asked_again(world: World, constituency: Assembly):
    client_for(world.bob).post(reverse("assembly-join", args=[constituency.slug]))
    request = JoinRequest.objects.get(user=world.bob)
    client_for(world.sam).post(
        reverse("join-request-decide", args=[request.pk]), {"decision": "reject"}
    )
    assert not Membership.objects.filter(user=world.bob, assembly=constituency).exists()
    client_for(world.bob).post(reverse("assembly-join", args=[constituency.slug]))
    assert JoinRequest.objects.filter(user=world.bob).count() == 2


def test_only_the_secretary_sees_and_works_the_queue(world: World, constituency: Assembly):
    client_for(world.bob).post(reverse("assembly-join", args=[constituency.slug]))
    request = JoinRequest.objects.get(user=world.bob)
    assert (
        client_for(world.alice)
        .get(reverse("assembly-requests", args=[constituency.slug]))
        .status_code
        == 404
    )
    assert (
        client_for(world.alice)
        .post(reverse("join-request-decide", args=[request.pk]), {"decision": "approve"})
        .status_code
        == 404
    )
    request.refresh_from_db()
    assert request.decided_at is None


def test_a_request_cannot_be_decided_twice(world: World, constituency: Assembly):
    client_for(world.bob).post(reverse("assembly-join", args=[constituency.slug]))
    request = JoinRequest.objects.get(user=world.bob)
    client_for(world.sam).post(
        reverse("join-request-decide", args=[request.pk]), {"decision": "approve"}
    )
    response = client_for(world.sam).post(
        reverse("join-request-decide", args=[request.pk]), {"decision": "reject"}, follow=True
    )
    assert "already been decided" in response.content.decode()
    assert Membership.objects.active().filter(user=world.bob, assembly=constituency).count() == 1


def test_general_secretary_records_a_paying_member_across_the_federation(world: World):
    actions.do_join(user=world.bob, assembly=world.working_group)
    bob_root = Membership.objects.get(user=world.bob, assembly=world.federation)
    url = reverse("membership-status", args=[world.federation.slug, bob_root.pk])
    client_for(world.alice).post(url, {"status": "member"})
    assert Membership.objects.get(pk=bob_root.pk).status == "participant"
    client_for(world.sam).post(url, {"status": "member"})
    assert set(
        Membership.objects.active().filter(user=world.bob).values_list("status", flat=True)
    ) == {"member"}


def test_membership_start_date_is_kept(world: World):
    membership = Membership.objects.get(user=world.alice, assembly=world.federation)
    html = client_for(world.alice).get(reverse("profile")).content.decode()
    assert membership.started_at.strftime("%Y") in html
