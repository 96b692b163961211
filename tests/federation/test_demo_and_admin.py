"""Issue 2 item 8 (the demo) and item 3 (staff shape the federation; cycles refused)."""

import pytest
from django.core.management import call_command
from django.test import Client

from folkmoot.accounts.models import User
from folkmoot.audit.models import AuditEvent
from folkmoot.demo.loader import OPERATIONAL
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly, JoinRequest, Membership, UmbrellaMembership
from folkmoot.forums.models import Post, Thread
from folkmoot.refusals import Refused
from tests.factories import UserFactory, make_assembly


@pytest.mark.django_db
def test_demo_loads_both_federations_and_twice_changes_nothing(capsys):
    call_command("demo")
    first = capsys.readouterr().out
    counts = (
        Assembly.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        JoinRequest.objects.count(),
        Thread.objects.count(),
        Post.objects.count(),
    )
    call_command("demo")
    assert (
        Assembly.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        JoinRequest.objects.count(),
        Thread.objects.count(),
        Post.objects.count(),
    ) == counts
    assert "moot-demo-2026" in first and "alice@folkmoot.example" in first

    roots = set(Assembly.objects.filter(parent=None).values_list("slug", flat=True))
    assert roots == {"harmony-party-uk", "red15m"}
    owg = Assembly.objects.select_related("root").get(slug="operational-working-group")
    assert owg.subtitle == "Helping Harmony work (and play!)"
    assert owg.join_policy == "automatic" and owg.secretary_elected
    assert owg.reference.startswith("HPUK-ASSE-2025-09-")
    assert UmbrellaMembership.objects.filter(umbrella=owg, member__slug="harmony-rec").exists()
    table = Assembly.objects.filter(slug__in=[row[0] for row in OPERATIONAL])
    assert table.count() == 10
    assert list(table.filter(secretary_elected=True).values_list("slug", flat=True)) == [
        "operational-working-group"
    ]
    assert table.get(slug="financial-working-group").remits.startswith("Party financial oversight")
    chain = Assembly.objects.get(slug="manchester-central")
    assert (chain.parent.slug, chain.parent.parent.slug) == ("manchester", "north-west-england")
    youth = Assembly.objects.get(slug="youth-assembly")
    assert (youth.min_age, youth.max_age) == (18, 30)
    assert Assembly.objects.get(slug="disability-activism-society").required_attribute == "disabled"
    assert Assembly.objects.get(slug="red15m").reference.startswith("RED15M-ASSE-")
    # BEY-4: the Youth Assembly's decision is before Harmony UK for ratification.
    from folkmoot.decisions.models import Proposal

    referral = Proposal.objects.get(referral="ratify")
    assert referral.assembly.slug == "harmony-party-uk"
    assert referral.refers_to.assembly == youth
    assert referral.refers_to.winners == ["Lake District"]
    assert Proposal.objects.filter(referral="ratify").count() == 1  # once, though loaded twice


@pytest.mark.django_db
def test_demo_people_can_sign_in_with_the_printed_password():
    call_command("demo")
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "alice@folkmoot.example", "password": "moot-demo-2026"}
    )
    assert response.status_code == 302 and response.url == "/"


@pytest.mark.django_db
def test_moving_an_assembly_under_its_descendant_is_refused_and_changes_nothing():
    root = make_assembly("root")
    child = make_assembly("child", parent=root)
    grandchild = make_assembly("grandchild", parent=child)
    child.parent = grandchild
    with pytest.raises(Refused) as refused:
        actions.do_save_assembly(assembly=child, actor=None)
    assert refused.value.codes == ["nesting_cycle"]
    assert Assembly.objects.get(pk=child.pk).parent_id == root.pk


@pytest.mark.django_db
def test_moving_a_subtree_into_another_federation_carries_it_along():
    one, two = make_assembly("one"), make_assembly("two", reference_prefix="TWO")
    child = make_assembly("child", parent=one)
    grandchild = make_assembly("grandchild", parent=child)
    child.parent = two
    actions.do_save_assembly(assembly=child, actor=None)
    grandchild.refresh_from_db()
    assert grandchild.root_id == two.pk
    assert grandchild.reference.startswith("TWO-ASSE-")


@pytest.mark.django_db
def test_umbrella_loops_are_refused():
    root = make_assembly("root")
    a, b = make_assembly("a", parent=root), make_assembly("b", parent=root)
    actions.do_add_to_umbrella(member=a, umbrella=b, actor=None)
    with pytest.raises(Refused):
        actions.do_add_to_umbrella(member=b, umbrella=a, actor=None)
    assert UmbrellaMembership.objects.count() == 1


@pytest.mark.django_db
def test_staff_see_the_cycle_error_in_the_admin_and_nothing_changes():
    staff = UserFactory(is_staff=True, is_superuser=True)
    root = make_assembly("root")
    child = make_assembly("child", parent=root)
    client = Client()
    client.force_login(staff)
    form = client.get(f"/admin/federation/assembly/{root.pk}/change/")
    assert form.status_code == 200
    data = {
        "slug": "root",
        "title": "Root",
        "assembly_type": "federation",
        "parent": child.pk,
        "reference_prefix": "TEST",
        "access_mode": "open",
        "join_policy": "open",
        "newcomer_status": "participant",
        "created_at_0": "2025-09-14",
        "created_at_1": "12:00:00",
        "umbrella_links-TOTAL_FORMS": "0",
        "umbrella_links-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/federation/assembly/{root.pk}/change/", data)
    assert response.status_code == 200
    assert (
        "cannot be nested inside itself or one of its own descendants" in response.content.decode()
    )
    assert Assembly.objects.get(pk=root.pk).parent_id is None


@pytest.mark.django_db
def test_staff_create_an_assembly_in_the_admin_with_its_secretary_office():
    staff = UserFactory(is_staff=True, is_superuser=True)
    root = make_assembly("root")
    client = Client()
    client.force_login(staff)
    data = {
        "slug": "new-one",
        "title": "New One",
        "assembly_type": "city",
        "parent": root.pk,
        "access_mode": "open",
        "join_policy": "open",
        "newcomer_status": "participant",
        "created_at_0": "2026-01-02",
        "created_at_1": "10:00:00",
        "umbrella_links-TOTAL_FORMS": "0",
        "umbrella_links-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/federation/assembly/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Assembly.objects.get(slug="new-one")
    assert created.root_id == root.pk and created.offices.filter(slug="secretary").exists()
    assert AuditEvent.objects.filter(verb="assembly.create", actor=staff, assembly=created).exists()


def test_the_folkmoot_command_is_installed():
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    command = Path(sys.executable).parent / "folkmoot"
    assert command.exists() or shutil.which("folkmoot")
    result = subprocess.run(
        [str(command), "help", "demo"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "demo federation" in result.stdout
